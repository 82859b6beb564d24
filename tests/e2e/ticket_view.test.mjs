// The staff ticket view (issue 17) in Chromium against the real server: the conversation gets
// a phone's screen, the status control offers only the moves the server allows, a refused
// change is said in the person's language and every control returns to the real state, the
// internal-note mode cannot be mistaken for a reply, canned replies come with "/", links and
// days in the conversation, and Telegram's MainButton, closing confirmation and swipes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  checkPages, eventually, launchBrowser, miniAppUrl, newContext, openMiniApp, PageWatch, signInitData,
  TestServer, telegramUser,
} from "./harness.mjs";

const CUSTOMER = telegramUser(730001, "Olga", "olga_customer");
const HELPER = telegramUser(730002, "Hugo", "hugo_helper");
const MODERATOR = telegramUser(730003, "Marat", "marat_moderator", "ru");
const ADMIN = telegramUser(900001, "Ada", "e2e_admin");  // the harness's bootstrap admin

let server;
let browser;
let category;
let customer;  // {token, user}
let helper;
let moderator;

before(async () => {
  server = await TestServer.start();
  browser = await launchBrowser();
  category = await server.createCategory("Accounts", { default_priority: "normal" });
  helper = await server.helper(HELPER, [category.id]);
  const first = await server.login(MODERATOR);
  await server.setRole(first.user.id, "moderator");
  moderator = await server.login(MODERATOR);
  customer = await server.login(CUSTOMER);
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function newTicket(subject, body = "Please help.") {
  return server.api("POST", "/tickets", { token: customer.token, body: { subject, body, category_id: category.id } });
}

const chatOf = (page) => page.getByRole("log", { name: /^(Conversation|Переписка)$/ });

async function openTicket(context, person, id, label) {
  const opened = await openMiniApp(context, server, person, { label, startParam: `ticket_${id}` });
  await opened.page.locator(".ticket-summary").waitFor();
  return opened;
}

// The options of a select, as values.
const optionsOf = (select) => select.locator("option").evaluateAll((options) => options.map((o) => o.value));

test("a phone (360×640) gives the conversation most of the screen; the details open on a tap", async () => {
  const other = await newTicket("An older question");
  const { id } = await newTicket("Cannot log in after the update", "The app says my password is wrong.");
  for (let i = 0; i < 12; i += 1) {
    await server.api("POST", `/tickets/${id}/messages`, { token: i % 2 ? customer.token : helper.token,
                                                         body: { body: `Message number ${i + 1} of the conversation.` } });
  }
  const context = await newContext(browser, "phone", { viewport: { width: 360, height: 640 } });
  try {
    const { page, watch } = await openTicket(context, HELPER, id, "helper, 360 px");
    await chatOf(page).getByText("Message number 12 of the conversation.").waitFor();
    const measure = () => page.evaluate(() => {
      const log = document.querySelector("[role='log']").getBoundingClientRect();
      return { log: log.height, screen: window.innerHeight, scrollsSideways: document.documentElement.scrollWidth > window.innerWidth };
    });
    const folded = await measure();
    assert.ok(folded.log >= 0.6 * folded.screen,
              `the conversation is ${Math.round(folded.log)} px of a ${folded.screen} px screen (at least 60% wanted)`);
    assert.equal(folded.scrollsSideways, false);
    // The fields are folded: no select on the screen until the header is tapped.
    const summary = page.locator(".ticket-summary");
    assert.equal(await summary.getAttribute("aria-expanded"), "false");
    assert.equal(await page.locator(".staff-controls select").first().isVisible(), false);
    const box = await summary.boundingBox();
    assert.ok(box.height >= 44, `the header is a tap target of ${box.height} px`);
    await summary.click();
    assert.equal(await summary.getAttribute("aria-expanded"), "true");
    await page.getByLabel("Status", { exact: true }).waitFor();
    // The customer panel with the customer's other tickets is in the details too.
    const others = page.locator(".other-tickets");
    await others.getByRole("button", { name: new RegExp(`#${other.id} · An older question`) }).waitFor();
    assert.equal(await others.getByRole("button", { name: new RegExp(`#${id} · `) }).count(), 0,
                 "the ticket on screen is not among the other tickets");
    await others.getByRole("button", { name: new RegExp(`#${other.id} · `) }).click();
    await page.getByRole("heading", { level: 1, name: `Ticket #${other.id}` }).waitFor();
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("a waiting ticket offers staff no 'open'; the customer only 'close'", async () => {
  const { id } = await newTicket("Waiting for the receipt");
  await server.api("PUT", `/tickets/${id}`, { token: helper.token, body: { status: "waiting" } });
  const context = await newContext(browser, "desktop");
  try {
    const { page, watch } = await openTicket(context, HELPER, id, "helper, desktop");
    const status = page.getByLabel("Status", { exact: true });
    await status.waitFor();
    assert.deepEqual(await optionsOf(status), ["waiting", "in_progress", "resolved", "closed"]);
    // A move the table allows: the choices follow the new status.
    await status.selectOption("resolved");
    await eventually(async () => (await optionsOf(status)).join() === "resolved,closed,open",
                     "a resolved ticket offers closed and open");
    checkPages([watch]);
  } finally {
    await context.close();
  }
  const phone = await newContext(browser, "phone");
  try {
    // resolved → waiting is no move of the table: reopened first.
    await server.api("PUT", `/tickets/${id}`, { token: helper.token, body: { status: "open" } });
    await server.api("PUT", `/tickets/${id}`, { token: helper.token, body: { status: "waiting" } });
    const { page, watch } = await openTicket(phone, CUSTOMER, id, "customer");
    await page.locator(".ticket-summary").click();
    await page.getByRole("button", { name: "Close ticket" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Reopen" }).count(), 0);
    assert.equal(await page.locator(".ticket-details select").count(), 0, "a customer has no status control");
    checkPages([watch]);
  } finally {
    await phone.close();
  }
});

test("a refused change is said in Russian, never the server's English, and every control shows the real state", async () => {
  const { id } = await newTicket("Refund", "Please refund my order.");
  const context = await newContext(browser, "phone");
  try {
    const { page, watch } = await openTicket(context, MODERATOR, id, "moderator, Russian");
    await page.getByRole("heading", { level: 1, name: `Обращение №${id}` }).waitFor();
    await page.locator(".ticket-summary").click();
    const status = page.getByLabel("Статус", { exact: true });
    const priority = page.getByLabel("Приоритет", { exact: true });
    await status.waitFor();
    assert.deepEqual(await optionsOf(status), ["open", "in_progress", "waiting", "resolved", "closed"]);
    const said = page.locator(".ticket-view > [role='alert'] .notice.error");
    const allowed = watch.allow(/status of (409|403|502)\b.*\/tickets\/\d+\)$/);

    // The customer closes the ticket while the moderator chooses "waiting": a real 409.
    let serverWords = null;
    await page.route(`**/tickets/${id}`, async (route) => {
      if (route.request().method() !== "PUT") return route.continue();
      await server.api("PUT", `/tickets/${id}`, { token: customer.token, body: { status: "closed" } });
      const response = await route.fetch();
      serverWords = (await response.json()).error.message;
      return route.fulfill({ response });
    });
    await status.selectOption("waiting");
    await said.waitFor();
    const text = await said.innerText();
    assert.equal(text, "Обращение нельзя перевести из статуса «Закрыто» в «Ждёт ответа»; статус остаётся «Закрыто».");
    assert.ok(serverWords && !text.includes(serverWords), "the server's own message is not shown");
    assert.doesNotMatch(text, /[A-Za-z]/, "no English in the Russian interface");
    await eventually(async () => (await status.inputValue()) === "closed", "the select shows the real status");
    await eventually(async () => (await optionsOf(status)).join() === "closed,open",
                     "and offers only the moves from it");
    await page.unroute(`**/tickets/${id}`);

    // An answer without our error body (a proxy's 502 page): a Russian sentence all the same.
    const originalPriority = await priority.inputValue();
    await page.route(`**/tickets/${id}`, (route) => route.request().method() !== "PUT" ? route.continue()
      : route.fulfill({ status: 502, contentType: "text/html", body: "<html><body>Bad Gateway</body></html>" }));
    await priority.selectOption(originalPriority === "critical" ? "low" : "critical");
    await said.filter({ hasText: "Сервер сейчас не отвечает. Попробуйте чуть позже." }).waitFor();
    assert.equal(await priority.inputValue(), originalPriority, "the select shows the real priority again");
    // A code this app has never heard of: the generic sentence, not the message.
    await page.unroute(`**/tickets/${id}`);
    await page.route(`**/tickets/${id}`, (route) => route.request().method() !== "PUT" ? route.continue()
      : route.fulfill({ status: 403, contentType: "application/json",
                        body: JSON.stringify({ error: { code: "constructor", message: "Some English words" } }) }));
    await priority.selectOption(originalPriority === "critical" ? "low" : "critical");
    await said.filter({ hasText: "Что-то пошло не так. Попробуйте ещё раз." }).waitFor();
    assert.equal(await priority.inputValue(), originalPriority);
    await page.unroute(`**/tickets/${id}`);

    // An allowed move still works and takes the error away: closed → open.
    await status.selectOption("open");
    await said.waitFor({ state: "detached" });
    assert.equal(await status.inputValue(), "open");
    assert.equal((await server.api("GET", `/tickets/${id}`, { token: moderator.token })).status, "open");
    allowed();
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("the internal-note mode is explicit, tinted, labelled, kept with the draft, and never reaches the customer", async () => {
  const { id } = await newTicket("Two charges on my card");
  const staffContext = await newContext(browser, "desktop");
  const customerContext = await newContext(browser, "phone");
  try {
    const { page, watch } = await openTicket(staffContext, HELPER, id, "helper");
    const theirs = await openTicket(customerContext, CUSTOMER, id, "customer");
    const composer = page.locator(".composer-wrap");
    const box = page.getByRole("textbox", { name: "Message" });
    // A reply by default: no tint, "Send".
    assert.equal(await composer.getAttribute("data-mode"), "reply");
    assert.equal(await page.getByLabel("Reply to customer").isChecked(), true);
    await page.getByRole("button", { name: "Send", exact: true }).waitFor();
    const replyBackground = await composer.evaluate((element) => getComputedStyle(element).backgroundColor);

    await page.getByLabel("Internal note (staff only)").check();
    assert.equal(await composer.getAttribute("data-mode"), "note");
    assert.notEqual(await composer.evaluate((element) => getComputedStyle(element).backgroundColor), replyBackground,
                    "the note mode is tinted");
    await page.getByText("Internal note: only staff will see this, the customer will not.").waitFor();
    assert.equal(await page.getByRole("button", { name: "Send", exact: true }).count(), 0, "no 'Send' in note mode");
    const note = `The bank confirmed a duplicate hold (${Date.now()})`;
    await box.fill(note);
    await page.getByRole("button", { name: "Add internal note", exact: true }).click();
    await chatOf(page).locator(".message.internal[data-id]:not([data-id=''])", { hasText: note }).waitFor();
    // Still a note after sending: the mode changes only when the person switches it.
    assert.equal(await composer.getAttribute("data-mode"), "note");
    await page.getByRole("button", { name: "Add internal note", exact: true }).waitFor();

    // The mode is kept with the ticket's draft: a reload keeps the half-written note a note.
    await box.fill("A second note, not finished");
    await page.reload();
    await page.locator(".ticket-summary").waitFor();
    assert.equal(await page.locator(".composer-wrap").getAttribute("data-mode"), "note");
    assert.equal(await page.getByRole("textbox", { name: "Message" }).inputValue(), "A second note, not finished");

    // Switching back is explicit, and then a reply reaches the customer.
    await page.getByLabel("Reply to customer").check();
    const reply = "We found a duplicate hold; it will disappear within 3 days.";
    await page.getByRole("textbox", { name: "Message" }).fill(reply);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await chatOf(theirs.page).getByText(reply, { exact: true }).waitFor();
    assert.ok(!(await theirs.page.content()).includes("duplicate hold ("), "the note is nowhere in the customer's page");
    assert.equal(await chatOf(theirs.page).locator(".message.internal").count(), 0);
    const seen = await server.api("GET", `/tickets/${id}/messages`, { token: customer.token });
    assert.ok(!seen.items.some((m) => m.internal || m.body === note));
    // The customer has no mode switch at all.
    assert.equal(await theirs.page.getByRole("radiogroup").count(), 0);
    checkPages([watch, theirs.watch]);
  } finally {
    await staffContext.close();
    await customerContext.close();
  }
});

test("canned replies: an admin adds one; a helper inserts it with '/' and the keyboard, filled in", async () => {
  const adminContext = await newContext(browser, "desktop");
  try {
    const { page, watch } = await openMiniApp(adminContext, server, ADMIN, { label: "admin" });
    await page.locator("#tabs").getByRole("button", { name: "Admin" }).click();
    await page.getByRole("navigation", { name: "Administration sections" })
      .getByRole("button", { name: /^Canned replies/ }).click();
    await page.getByRole("button", { name: "New canned reply" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Greeting");
    const body = page.getByLabel("Text", { exact: true });
    await body.fill("Hello {custmer_name}!");
    await page.getByRole("button", { name: "Create canned reply" }).click();
    await page.getByText("Unknown placeholder {custmer_name}.", { exact: false }).waitFor();
    await body.fill("Hello {customer_name}, this is {agent_name} about #{ticket_id}.");
    await page.getByRole("button", { name: "Create canned reply" }).click();
    await page.getByRole("table", { name: "Canned replies" }).getByRole("row", { name: /Greeting/ }).waitFor();
    checkPages([watch]);
  } finally {
    await adminContext.close();
  }
  await server.api("POST", "/canned-replies", { token: (await server.admin()).token,
                                                body: { name: "Closing", body: "Closing #{ticket_id} now." } });
  const audit = await server.api("GET", "/audit", { token: (await server.admin()).token });
  assert.ok(audit.items.some((entry) => entry.action === "canned_reply.created" && entry.new.name === "Greeting"));

  const { id } = await newTicket("Where is my order?");
  const context = await newContext(browser, "phone");
  try {
    const { page, watch } = await openTicket(context, HELPER, id, "helper");
    const box = page.getByRole("textbox", { name: "Message" });
    await box.click();
    await box.pressSequentially("/gr");
    const list = page.getByRole("listbox", { name: "Canned replies" });
    await list.getByRole("option", { name: /Greeting/ }).waitFor();
    assert.equal(await list.getByRole("option").count(), 1, "'gr' leaves only Greeting");
    await box.press("Backspace");
    await box.press("Backspace");
    await eventually(async () => (await list.getByRole("option").count()) === 2, "'/' alone lists both");
    assert.equal(await list.getByRole("option", { selected: true }).innerText().then((s) => s.split("\n")[0]), "Closing");
    await box.press("ArrowDown");
    assert.match(await list.getByRole("option", { selected: true }).innerText(), /^Greeting/);
    assert.equal(await box.getAttribute("aria-activedescendant"),
                 await list.getByRole("option", { selected: true }).getAttribute("id"));
    await box.press("Enter");
    assert.equal(await list.isVisible(), false, "the picker closes");
    assert.equal(await box.inputValue(), `Hello Olga, this is Hugo about #${id}.`);
    assert.equal((await server.api("GET", `/tickets/${id}/messages`, { token: helper.token })).items.length, 1,
                 "Enter chose the reply; it sent nothing");

    // The button opens the picker with its own search box; the reply goes in at the cursor.
    await box.press("End");
    await box.pressSequentially(" ");
    await page.getByRole("button", { name: /^Insert a canned reply/ }).click();
    const search = page.getByRole("searchbox", { name: "Find a canned reply" });
    await search.fill("clos");
    await list.getByRole("option", { name: /Closing/ }).click();
    assert.equal(await box.inputValue(), `Hello Olga, this is Hugo about #${id}. Closing #${id} now.`);
    // Escape closes the picker and keeps what is typed.
    await box.fill("/");
    await list.waitFor();
    await box.press("Escape");
    assert.equal(await list.isVisible(), false);
    assert.equal(await box.inputValue(), "/");
    checkPages([watch]);
  } finally {
    await context.close();
  }
  // A customer's Mini App never lists them.
  assert.equal((await server.call("GET", "/canned-replies", { token: customer.token })).status, 403);
});

test("links open safely, days are separated, a long press shows the full date", async () => {
  const { id } = await newTicket("Links", "See https://example.org/help?a=1 and (tg://resolve?domain=support).");
  await server.api("POST", `/tickets/${id}/messages`, { token: customer.token,
    body: { body: "javascript:alert(1) data:text/html,<b>x</b> http://safe.example/path." } });
  const context = await newContext(browser, "phone");
  try {
    const { page, watch } = await openTicket(context, HELPER, id, "helper");
    const chat = chatOf(page);
    const link = chat.getByRole("link", { name: "https://example.org/help?a=1" });
    await link.waitFor();
    assert.equal(await link.getAttribute("href"), "https://example.org/help?a=1");
    assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
    assert.equal(await link.getAttribute("target"), "_blank");
    assert.equal(await chat.getByRole("link", { name: "tg://resolve?domain=support" }).count(), 1,
                 "tg: links, without the closing bracket");
    assert.equal(await chat.getByRole("link", { name: "http://safe.example/path" }).count(), 1, "without the full stop");
    const hrefs = await chat.locator("a").evaluateAll((links) => links.map((a) => a.protocol));
    assert.ok(hrefs.every((protocol) => ["http:", "https:", "tg:"].includes(protocol)), hrefs.join());
    assert.equal(await chat.locator("a[href^='javascript'], a[href^='data'], b").count(), 0);

    // Today's messages under one "Today" separator.
    const separators = chat.getByRole("separator");
    assert.deepEqual(await separators.allInnerTexts(), ["Today"]);
    // The time's title holds the full date; a long press shows it in place.
    const time = chat.locator(".message time").first();
    const year = String(new Date().getUTCFullYear());
    assert.ok((await time.getAttribute("title")).includes(year));
    assert.ok(!(await time.innerText()).includes(year));
    const bubble = chat.locator(".message").first();
    const box = await bubble.boundingBox();
    await page.mouse.move(box.x + 10, box.y + box.height / 2);
    await page.mouse.down();
    await eventually(async () => (await time.innerText()).includes(year), "a long press shows the full date", 2_000);
    await page.mouse.up();
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

// Telegram's native buttons: a page opened as Telegram's Android app opens it, with a stand-in
// for the app's side of the bridge that records what telegram-web-app.js asks of it.
async function openInTelegram(context, person, id) {
  await context.addInitScript(() => {
    window.__telegramEvents = [];
    window.TelegramWebviewProxy = {
      postEvent(type, data) { window.__telegramEvents.push([type, data ? JSON.parse(data) : null]); },
    };
  });
  const page = await context.newPage();
  const watch = new PageWatch(page, `${person.username} (Telegram)`);
  const url = miniAppUrl(server.baseUrl, signInitData(person, { startParam: `ticket_${id}` }))
    .replace("tgWebAppPlatform=unknown", "tgWebAppPlatform=android");
  await page.goto(url);
  await page.locator(".ticket-summary").waitFor();
  return { page, watch };
}

// The last state Telegram was told of `type` (e.g. web_app_setup_main_button).
const lastEvent = (page, type) => page.evaluate((wanted) =>
  window.__telegramEvents.filter(([name]) => name === wanted).at(-1)?.[1] ?? null, type);

test("Telegram: the MainButton follows the composer, a draft asks before closing, a scrolled chat holds the swipes", async () => {
  const { id } = await newTicket("Native buttons");
  for (let i = 0; i < 25; i += 1) {
    await server.api("POST", `/tickets/${id}/messages`, { token: customer.token, body: { body: `Line ${i + 1}` } });
  }
  const context = await newContext(browser, "phone");
  try {
    const { page, watch } = await openInTelegram(context, HELPER, id);
    await chatOf(page).getByText("Line 25", { exact: true }).waitFor();
    const main = () => lastEvent(page, "web_app_setup_main_button");
    await eventually(async () => (await main())?.is_visible === true && (await main()).is_active === false,
                     "an empty composer: the MainButton shows, inactive");
    assert.equal((await main()).text, "Send");
    assert.equal(await page.getByRole("button", { name: "Send", exact: true }).count(), 0, "no second send button");

    const box = page.getByRole("textbox", { name: "Message" });
    await box.fill("Checking it now.");
    await eventually(async () => (await main())?.is_active === true, "text makes it active");
    await eventually(async () => (await lastEvent(page, "web_app_setup_closing_behavior"))?.need_confirmation === true,
                     "an unsent draft asks before closing");
    await page.getByLabel("Internal note (staff only)").check();
    await eventually(async () => (await main())?.text === "Add internal note", "the note mode's label");
    await page.getByLabel("Reply to customer").check();

    // Pressed: the spinner while sending, then the message is there and the draft is gone.
    await page.evaluate(() => window.Telegram.WebView.receiveEvent("main_button_pressed"));
    await chatOf(page).locator(".message[data-id]:not([data-id=''])", { hasText: "Checking it now." }).waitFor();
    const shown = await page.evaluate(() => window.__telegramEvents
      .filter(([name]) => name === "web_app_setup_main_button").map(([, params]) => params.is_progress_visible));
    assert.ok(shown.includes(true), "the MainButton showed its progress while sending");
    await eventually(async () => (await main())?.is_progress_visible === false && (await main()).is_active === false,
                     "after sending: no spinner, inactive (empty again)");
    await eventually(async () => (await lastEvent(page, "web_app_setup_closing_behavior"))?.need_confirmation === false,
                     "nothing left to lose: no confirmation");

    // Scrolling the chat up holds Telegram's vertical swipes; the top, or leaving, lets them go.
    await chatOf(page).evaluate((chat) => { chat.scrollTop = chat.scrollHeight; chat.dispatchEvent(new Event("scroll")); });
    await eventually(async () => (await lastEvent(page, "web_app_setup_swipe_behavior"))?.allow_vertical_swipe === false,
                     "a scrolled chat disables vertical swipes");
    await page.evaluate(() => window.Telegram.WebView.receiveEvent("back_button_pressed"));
    await page.getByRole("heading", { level: 1, name: "Queue" }).waitFor();
    await eventually(async () => (await lastEvent(page, "web_app_setup_swipe_behavior"))?.allow_vertical_swipe === true,
                     "leaving the ticket enables them again");

    checkPages([watch]);

    // A closed ticket: no MainButton, and no composer.
    const closed = await newTicket("Closed already");
    await server.api("PUT", `/tickets/${closed.id}`, { token: helper.token, body: { status: "closed" } });
    const again = await openInTelegram(context, HELPER, closed.id);
    await again.page.locator(".composer-closed").waitFor();
    const shownThere = () => lastEvent(again.page, "web_app_setup_main_button");
    await eventually(async () => (await shownThere())?.is_visible === false, "a closed ticket hides the MainButton");
    checkPages([again.watch]);
  } finally {
    await context.close();
  }
});
