// Staff on a phone: long ticket subjects never make the queue or a ticket scroll sideways,
// and a refused change is said in the person's language (never the server's English)
// while the refused control goes back to the ticket's real value.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPages, launchBrowser, newContext, openMiniApp, TestServer, telegramUser } from "./harness.mjs";

const CUSTOMER = telegramUser(720001, "Pavel", "pavel_customer", "ru");
const HELPER = telegramUser(720002, "Nadia", "nadia_helper");
const MODERATOR = telegramUser(720003, "Marat", "marat_moderator", "ru");

const LONG_SUBJECT = "Payment failed twice and the app keeps crashing on startup";
const LONG_WORD = "https://pay.example.com/checkout/session/7f3a9c2e4b1d8f6a0c5";  // no space to break at

let server;
let browser;
let customer;  // {token, user}
let moderator;  // {token, user}
let longSubjectId;
let longWordId;

before(async () => {
  assert.equal(LONG_SUBJECT.length, 58);
  assert.equal(LONG_WORD.length, 60);
  server = await TestServer.start();
  browser = await launchBrowser();
  const category = await server.createCategory("Payments", { default_priority: "normal" });
  await server.helper(HELPER, [category.id]);
  const first = await server.login(MODERATOR);
  await server.setRole(first.user.id, "moderator");
  moderator = await server.login(MODERATOR);
  customer = await server.login(CUSTOMER);
  const create = (subject, body) => server.api("POST", "/tickets", {
    token: customer.token, body: { subject, body, category_id: category.id } });
  longSubjectId = (await create(LONG_SUBJECT, `It says ${LONG_WORD} and then nothing happens.`)).id;
  longWordId = (await create(LONG_WORD, "The page at that address is blank.")).id;
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

// null when neither the page nor the view can be scrolled sideways; else what is too wide.
async function sideways(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const view = document.querySelector("main");
    const problems = [];
    if (root.scrollWidth > root.clientWidth) problems.push(`the page is ${root.scrollWidth}px wide`);
    if (view.scrollWidth > view.clientWidth) problems.push(`the view is ${view.scrollWidth}px wide`);
    return problems.length ? `${problems.join(", ")} on a ${root.clientWidth}px screen` : null;
  });
}

async function assertFits(page, where) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const problem = await sideways(page);
  assert.equal(problem, null, `${where}: ${problem}`);
}

const SETUPS = [
  { person: HELPER, label: "helper, 390 px, English", options: {},
    queue: "Queue", ticket: (id) => `Ticket #${id}` },
  { person: MODERATOR, label: "moderator, 320 px, Russian", options: { viewport: { width: 320, height: 640 } },
    queue: "Очередь", ticket: (id) => `Обращение №${id}` },
];

for (const setup of SETUPS) {
  test(`long subjects: the queue and the ticket fit the phone, no sideways scrolling (${setup.label})`, async () => {
    const context = await newContext(browser, "phone", setup.options);
    try {
      const { page, watch } = await openMiniApp(context, server, setup.person, { label: setup.label });
      await page.getByRole("heading", { level: 1, name: setup.queue }).waitFor();
      for (const id of [longSubjectId, longWordId]) {
        await page.getByRole("button", { name: new RegExp(`^#${id} · `) }).waitFor();
      }
      await assertFits(page, "the queue");

      // The subject is cut with an ellipsis inside the row, which stays on the screen.
      const row = page.getByRole("button", { name: new RegExp(`^#${longSubjectId} · `) });
      const subject = await row.locator(".subject span").last().evaluate((span) => ({
        cut: span.scrollWidth > span.clientWidth,
        ellipsis: getComputedStyle(span).textOverflow === "ellipsis",
        right: span.closest(".ticket-item").getBoundingClientRect().right,
        screen: document.documentElement.clientWidth,
      }));
      assert.ok(subject.cut && subject.ellipsis, `the long subject is not cut with an ellipsis: ${JSON.stringify(subject)}`);
      assert.ok(subject.right <= subject.screen, `the row ends at ${subject.right}px, past the screen (${subject.screen}px)`);

      for (const id of [longSubjectId, longWordId]) {
        await page.getByRole("button", { name: new RegExp(`^#${id} · `) }).click();
        await page.getByRole("heading", { level: 1, name: setup.ticket(id) }).waitFor();
        await page.getByRole("heading", { level: 2 }).waitFor();
        await page.locator(".staff-controls select").first().waitFor();
        await assertFits(page, `ticket #${id}`);
        await page.locator("#back").click();
        await page.getByRole("heading", { level: 1, name: setup.queue }).waitFor();
      }
      checkPages([watch]);
    } finally {
      await context.close();
    }
  });
}

test("a refused status change is said in Russian and the status goes back to the real one", async () => {
  const { id } = await server.api("POST", "/tickets", {
    token: customer.token, body: { subject: "Refund", body: "Please refund my order." } });
  await server.api("PUT", `/tickets/${id}`, { token: customer.token, body: { status: "closed" } });
  // What the server says to closed → in_progress: English, for developers.
  const refusal = await server.call("PUT", `/tickets/${id}`, { token: moderator.token, body: { status: "in_progress" } });
  assert.equal(refusal.status, 409);
  const serverWords = refusal.body.error.message;

  const context = await newContext(browser, "phone");
  try {
    const { page, watch } = await openMiniApp(context, server, MODERATOR,
                                              { label: "moderator, Russian", startParam: `ticket_${id}` });
    await page.getByRole("heading", { level: 1, name: `Обращение №${id}` }).waitFor();
    const statusSelect = page.getByLabel("Статус", { exact: true });
    const prioritySelect = page.getByLabel("Приоритет", { exact: true });
    await statusSelect.waitFor();
    assert.equal(await statusSelect.inputValue(), "closed");
    const alert = page.locator(".ticket-view > [role='alert']");

    // A genuinely illegal move: closed → in progress (409).
    const allowed = watch.allow(/status of (409|403)\b.*\/tickets\/\d+\)$/);
    await statusSelect.selectOption("in_progress");
    const said = alert.locator(".notice.error");
    await said.waitFor();
    const text = await said.innerText();
    assert.equal(text, "Обращение нельзя перевести из статуса «Закрыто» в «В работе»; статус остаётся «Закрыто».");
    assert.ok(!text.includes(serverWords), "the server's own message is not shown");
    assert.doesNotMatch(text, /[A-Za-z]/, "no English in the Russian interface");
    assert.equal(await statusSelect.inputValue(), "closed", "the select shows the real status again");
    assert.equal((await server.api("GET", `/tickets/${id}`, { token: moderator.token })).status, "closed");

    // A 403 (here answered by the test in the server's place): a Russian sentence too.
    const originalPriority = await prioritySelect.inputValue();
    await page.route(`**/tickets/${id}`, (route) => route.request().method() !== "PUT" ? route.continue()
      : route.fulfill({ status: 403, contentType: "application/json",
                        body: JSON.stringify({ error: { code: "forbidden", message: "permission tickets.update required" } }) }));
    await prioritySelect.selectOption(originalPriority === "critical" ? "low" : "critical");
    await said.filter({ hasText: "У вас нет на это прав." }).waitFor();
    assert.equal(await prioritySelect.inputValue(), originalPriority, "the select shows the real priority again");
    await page.unroute(`**/tickets/${id}`);

    // An allowed move still works and takes the error away: closed → open.
    await statusSelect.selectOption("open");
    await said.waitFor({ state: "detached" });
    assert.equal(await statusSelect.inputValue(), "open");
    assert.equal((await server.api("GET", `/tickets/${id}`, { token: moderator.token })).status, "open");
    allowed();
    checkPages([watch]);
  } finally {
    await context.close();
  }
});
