// Staff on a phone: long ticket subjects never make the queue or a ticket scroll sideways.
// (A refused change said in the person's language: ticket_view.test.mjs.)
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
        await assertFits(page, `ticket #${id}, folded`);
        // On a phone the fields fold into the header: open it, and it fits too.
        await page.locator(".ticket-summary").click();
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
