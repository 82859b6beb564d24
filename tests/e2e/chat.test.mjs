// A support conversation in two real browsers: a customer on a phone and a helper on a
// desktop, against one server. The tests run in order and build on each other (the ticket
// the customer opens is the one the helper answers).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  checkPages, eventually, hexToRgb, launchBrowser, newContext, openMiniApp, SCREENSHOTS, TestServer,
  telegramUser, THEMES, WAIT_MS,
} from "./harness.mjs";

const CUSTOMER = telegramUser(700001, "Carla", "carla_customer");
const HELPER = telegramUser(700002, "Hector", "hector_helper");

let server;
let browser;
let category;  // the category the helper handles
let helper;  // {token, user} of the helper, for API calls
const customer = {};  // context, page, watch, token
const staff = {};  // context, page, watch
let ticketId;
const pages = [];  // every PageWatch opened, checked after each test

before(async () => {
  server = await TestServer.start();
  browser = await launchBrowser();
  await server.createCategory("Technical", { default_priority: "normal" });
  category = await server.createCategory("Billing", { default_priority: "high" });
  helper = await server.helper(HELPER, [category.id]);
  assert.equal(helper.user.role, "helper");
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});


// The conversation of the ticket shown on `page`.
const chatOf = (page) => page.getByRole("log", { name: "Conversation" });

// Types `text` in the composer of the ticket on `page` and sends it; staff choose the mode
// first (a reply, or with `internal` a note: the mode stays until switched). Returns once
// the message is on the page as sent (it has an id).
async function send(page, text, { internal = false } = {}) {
  if (await page.getByRole("radiogroup", { name: "Write as" }).count()) {
    await page.getByLabel(internal ? "Internal note (staff only)" : "Reply to customer").check();
  } else {
    assert.ok(!internal, "only staff write internal notes");
  }
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: internal ? "Add internal note" : "Send", exact: true }).click();
  await chatOf(page).locator(".message[data-id]:not([data-id=''])", { hasText: text })
    .first().waitFor();
}

// The id of every message bubble in the chat on `page`, in order.
async function messageIds(page) {
  return chatOf(page).locator(".message[data-id]").evaluateAll((elements) =>
    elements.map((element) => element.dataset.id).filter(Boolean).map(Number));
}

test("a: a customer opens the Mini App on a phone and creates a ticket", async () => {
  customer.context = await newContext(browser, "phone");
  const opened = await openMiniApp(customer.context, server, CUSTOMER, { label: "customer (phone)" });
  Object.assign(customer, opened);
  pages.push(opened.watch);
  const { page } = customer;

  await page.getByRole("heading", { level: 1, name: "My tickets" }).waitFor();
  await page.locator("#tabs").getByRole("button", { name: "New ticket" }).click();
  await page.getByRole("heading", { level: 1, name: "New ticket" }).waitFor();

  await page.getByLabel("Category").selectOption({ label: "Billing" });
  await page.getByLabel("Priority").selectOption("low");  // not the category's default (critical is not a customer's to choose)
  await page.getByLabel("Subject").fill("Card payment refused");
  await page.getByLabel("What happened?").fill("My card is refused at checkout since this morning.");
  await page.getByRole("button", { name: "Create ticket" }).click();

  const title = page.getByRole("heading", { level: 1, name: /^Ticket #\d+$/ });
  await title.waitFor();
  ticketId = Number((await title.textContent()).match(/\d+/)[0]);
  await chatOf(page).getByText("My card is refused at checkout since this morning.").waitFor();
  await page.getByText("Card payment refused").first().waitFor();

  // What the server stored is what the form said.
  const { token } = await server.login(CUSTOMER);
  customer.token = token;
  const ticket = await server.api("GET", `/tickets/${ticketId}`, { token });
  assert.equal(ticket.subject, "Card payment refused");
  assert.equal(ticket.priority, "low");
  assert.equal(ticket.category_id, category.id);
  assert.equal(ticket.creator.first_name, "Carla");
  const { items } = await server.api("GET", `/tickets/${ticketId}/messages`, { token });
  assert.deepEqual(items.map((m) => m.body), ["My card is refused at checkout since this morning."]);
  checkPages(pages);
});

test("b: a helper on a desktop sees the ticket in the queue and replies; the customer sees it live", async () => {
  assert.ok(ticketId, "test a created the ticket");
  staff.context = await newContext(browser, "desktop");
  const opened = await openMiniApp(staff.context, server, HELPER, { label: "helper (desktop)" });
  Object.assign(staff, opened);
  pages.push(opened.watch);
  const { page } = staff;

  await page.getByRole("heading", { level: 1, name: "Queue" }).waitFor();
  const row = page.getByRole("button", { name: new RegExp(`#${ticketId} · Card payment refused`) });
  await row.waitFor();
  await row.click();
  // On a wide screen the ticket opens beside the list.
  await chatOf(page).getByText("My card is refused at checkout since this morning.").waitFor();

  // The customer's page must not reload to show the reply: a marker set now must survive.
  await customer.page.evaluate(() => { window.__e2eSamePage = true; });
  const reply = "Hello Carla, we are looking at your card payment.";
  await send(page, reply);
  await chatOf(customer.page).getByText(reply, { exact: true }).waitFor();
  assert.equal(await customer.page.evaluate(() => window.__e2eSamePage), true,
               "the customer's page was not reloaded");
  const bubble = chatOf(customer.page).locator(".message", { hasText: reply });
  assert.match(await bubble.innerText(), /Hector/, "the reply names the helper");
  checkPages(pages);
});

test("c: an internal note never reaches the customer's screen", async () => {
  const note = `Internal: customer's bank flagged this card (${Date.now()})`;
  const later = "Your bank blocked the payment; please call them and try again.";
  await send(staff.page, note, { internal: true });
  // The helper sees it as a note.
  const noteBubble = chatOf(staff.page).locator(".message.internal", { hasText: note });
  await noteBubble.waitFor();
  assert.match(await noteBubble.innerText(), /Internal note/);
  // A public reply after the note: once the customer has it, the note had its chance.
  await send(staff.page, later);
  await chatOf(customer.page).getByText(later, { exact: true }).waitFor();

  const seen = await customer.page.locator("body").innerText();
  assert.ok(!seen.includes(note), "the note's text is not on the customer's page");
  assert.ok(!(await customer.page.content()).includes("bank flagged"),
            "the note is nowhere in the customer's DOM, hidden or not");
  assert.equal(await chatOf(customer.page).locator(".message.internal").count(), 0);
  // The server agrees: the customer's API view has no note, the helper's has it.
  const mine = await server.api("GET", `/tickets/${ticketId}/messages`, { token: customer.token });
  assert.ok(!mine.items.some((m) => m.internal || m.body === note));
  const theirs = await server.api("GET", `/tickets/${ticketId}/messages`, { token: helper.token });
  assert.ok(theirs.items.some((m) => m.internal && m.body === note));
  checkPages(pages);
});

test("d: a message that looks like HTML stays text and runs nothing", async () => {
  const attacks = ["<img src=x onerror=alert(1)>", "<script>alert(2)</script><b>bold?</b>"];
  const before = await server.api("GET", `/tickets/${ticketId}/messages`, { token: customer.token });
  for (const attack of attacks) {
    await customer.page.getByRole("textbox", { name: "Message" }).fill(attack);
    await customer.page.getByRole("button", { name: "Send", exact: true }).click();
  }
  // The server has them, as sent.
  const posted = await eventually(async () => {
    const { items } = await server.api("GET", `/tickets/${ticketId}/messages`,
                                       { token: customer.token });
    const fresh = items.slice(before.items.length);
    return fresh.length === attacks.length ? fresh : null;
  }, "both messages reach the server");
  assert.deepEqual(posted.map((m) => m.body), attacks);

  for (const page of [customer.page, staff.page]) {
    for (const message of posted) {
      const bubble = chatOf(page).locator(`.message[data-id="${message.id}"]`);
      await bubble.waitFor();
      assert.equal(await page.locator('img[src="x"]').count(), 0, "no <img src=x> was made");
      assert.equal(await bubble.locator("img, script, b").count(), 0, "no markup was made");
      assert.equal(await bubble.locator(".body").textContent(), message.body, "the body shows as literal text");
    }
  }
  // One more round trip through both pages gives a late handler time to show itself.
  await send(staff.page, "Noted.");
  await chatOf(customer.page).getByText("Noted.", { exact: true }).waitFor();
  for (const watch of [customer.watch, staff.watch]) {
    assert.deepEqual(watch.dialogs, [], `${watch.label}: no script ran (no dialog opened)`);
  }
  assert.equal(await customer.page.evaluate(() => window.__e2eSamePage), true);
  checkPages(pages);
});

test("e: the server restarts mid-chat; the app reconnects and loses or repeats nothing", async () => {
  const { page, context } = customer;
  const indicator = page.locator("#connection");
  await eventually(async () => (await indicator.getAttribute("data-state")) === "connected",
                   "the customer is connected before the restart");
  assert.equal(await indicator.innerText(), "Online");

  // Refused connections while the server is down are expected, and only those.
  const refused = /\/ws\?|ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE/;
  const allowances = [customer.watch.allow(refused), staff.watch.allow(refused)];
  try {
    await server.stop();
    await eventually(async () => ["reconnecting", "offline"].includes(await indicator.getAttribute("data-state")),
                     "the indicator leaves 'connected' when the server goes away");
    assert.match(await indicator.innerText(), /Reconnecting|Offline/);

    // Keep this phone off the network until the message below is posted, so that it
    // reaches the customer only by the replay on reconnect (not live by luck of timing).
    await context.setOffline(true);
    await server.launch();  // same port, same database
    const missed = "Posted while you were away: the payment is unblocked.";
    const posted = await server.api("POST", `/tickets/${ticketId}/messages`,
                                     { token: helper.token, body: { body: missed } });
    assert.notEqual(await indicator.getAttribute("data-state"), "connected",
                    "the customer was still disconnected when the message was posted");
    await context.setOffline(false);

    await eventually(async () => (await indicator.getAttribute("data-state")) === "connected",
                     "the indicator comes back to 'connected'", 15_000);
    await chatOf(page).getByText(missed, { exact: true }).waitFor({ timeout: WAIT_MS });
    assert.equal(await chatOf(page).getByText(missed, { exact: true }).count(), 1, "shown once");

    // Everything the customer may see, each exactly once, in order — and nothing else.
    const expected = (await server.api("GET", `/tickets/${ticketId}/messages`, { token: customer.token }))
      .items.map((m) => m.id);
    assert.ok(expected.includes(posted.id));
    await eventually(async () => (await messageIds(page)).length >= expected.length,
                     "every message is on the customer's page");
    assert.deepEqual(await messageIds(page), expected);

    // The helper's page, which went through the same restart, also still works live.
    await staff.page.locator("#connection[data-state='connected']").waitFor({ timeout: 15_000 });
    const after = "Back online: can you try the payment again?";
    await send(staff.page, after);
    await chatOf(page).getByText(after, { exact: true }).waitFor();
    assert.equal(await chatOf(page).getByText(after, { exact: true }).count(), 1);
    assert.equal(await page.evaluate(() => window.__e2eSamePage), true, "no reload happened");
  } finally {
    await context.setOffline(false);
    for (const stop of allowances) stop();
  }
  checkPages(pages);
});

test("f: Telegram's dark theme params change the colours", async () => {
  const colours = {};
  for (const theme of ["light", "dark"]) {
    const context = await newContext(browser, "phone");
    try {
      const { page, watch } = await openMiniApp(context, server, CUSTOMER,
                                                { theme, label: `customer (${theme})` });
      await page.getByRole("heading", { level: 1, name: "My tickets" }).waitFor();
      colours[theme] = await page.evaluate(() => ({
        background: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.body).color,
      }));
      watch.check();
    } finally {
      await context.close();
    }
  }
  assert.notEqual(colours.dark.background, colours.light.background);
  for (const theme of ["light", "dark"]) {
    const params = THEMES[theme];
    assert.ok([hexToRgb(params.bg_color), hexToRgb(params.secondary_bg_color)].includes(colours[theme].background),
              `${theme}: body background ${colours[theme].background} is the theme's bg_color or secondary_bg_color`);
    assert.equal(colours[theme].text, hexToRgb(params.text_color), `${theme}: body text is text_color`);
  }
});

test("g: screenshots for docs/screenshots/", async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const shot = (page, name) => page.screenshot({ path: join(SCREENSHOTS, name), scale: "css", animations: "disabled" });

  await chatOf(customer.page).getByText("Back online: can you try the payment again?").waitFor();
  await shot(customer.page, "phone-light.png");

  // The same chat in the dark theme, opened from a deep link as t.me/<bot>?startapp=ticket_N would.
  const dark = await newContext(browser, "phone");
  try {
    const { page, watch } = await openMiniApp(dark, server, CUSTOMER,
                                              { theme: "dark", label: "customer (dark)", startParam: `ticket_${ticketId}` });
    await page.getByRole("heading", { level: 1, name: `Ticket #${ticketId}` }).waitFor();
    await chatOf(page).getByText("Back online: can you try the payment again?").waitFor();
    await shot(page, "phone-dark.png");
    watch.check();
  } finally {
    await dark.close();
  }

  await staff.page.getByRole("button", { name: new RegExp(`#${ticketId} · `) }).waitFor();
  await staff.page.evaluate(() => document.querySelector("main").scrollTo(0, 0));
  await shot(staff.page, "desktop-queue.png");
  checkPages(pages);
});

test("h: on a phone the newest message is in view, not hidden under the composer", async () => {
  const { page } = customer;
  const newest = "Last one: the payment went through, thank you!";
  await server.api("POST", `/tickets/${ticketId}/messages`, { token: helper.token, body: { body: newest } });
  const bubble = chatOf(page).locator(".message", { hasText: newest });
  await bubble.waitFor();
  // The app scrolls a new message into view by itself (it may take a frame or two).
  let problem;
  await eventually(async () => (problem = await whatCovers(bubble)) === null, "", 2_000).catch(() => {
    throw new Error(`the newest message cannot be seen without scrolling: ${problem}`);
  });
  checkPages(pages);
});

// null when the middle and the lower edge of `locator`'s element are inside the viewport
// and not under another element; otherwise what is wrong, in words.
async function whatCovers(locator) {
  return locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const x = box.left + box.width / 2;
    for (const [where, y] of [["middle", box.top + box.height / 2], ["lower edge", box.bottom - 4]]) {
      if (y < 0 || y > window.innerHeight) return `its ${where} (y=${Math.round(y)}) is outside the viewport (height ${window.innerHeight})`;
      const top = document.elementFromPoint(x, y);
      if (!element.contains(top)) {
        return `its ${where} (y=${Math.round(y)}) is under <${top?.tagName.toLowerCase()} class="${top?.className}">`;
      }
    }
    return null;
  });
}
