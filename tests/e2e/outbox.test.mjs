// A message written while offline, or whose answer is lost, is posted exactly once; the
// app's JavaScript stays within its budget; the Russian interface is complete.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, before, test } from "node:test";
import { eventually, launchBrowser, newContext, openMiniApp, ROOT, TestServer, telegramUser } from "./harness.mjs";

const CUSTOMER = telegramUser(710001, "Olga", "olga_offline", "ru");
const JS_BUDGET_GZIP = 150 * 1024;

let server;
let browser;
let customer;  // {token, user}
let ticketId;

before(async () => {
  server = await TestServer.start();
  browser = await launchBrowser();
  customer = await server.login(CUSTOMER);
  const ticket = await server.api("POST", "/tickets", {
    token: customer.token, body: { subject: "Offline test", body: "first" } });
  ticketId = ticket.id;
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function bodiesOnServer() {
  const { items } = await server.api("GET", `/tickets/${ticketId}/messages?limit=200`, { token: customer.token });
  return items.map((message) => message.body);
}

const count = (list, text) => list.filter((body) => body === text).length;

async function openTicket(context) {
  const opened = await openMiniApp(context, server, CUSTOMER, { startParam: `ticket_${ticketId}` });
  await opened.page.getByRole("heading", { level: 1, name: `Обращение №${ticketId}` }).waitFor();
  await opened.page.locator("#connection[data-state='connected']").waitFor();
  return opened;
}

const chat = (page) => page.getByRole("log", { name: "Переписка" });

async function send(page, text) {
  await page.getByRole("textbox", { name: "Сообщение" }).fill(text);
  await page.getByRole("button", { name: "Отправить", exact: true }).click();
}

test("a message written offline waits, is sent once when back, and survives no duplicate", async () => {
  const context = await newContext(browser, "phone");
  const { page, watch } = await openTicket(context);
  // Offline, the page's own requests fail by design; the browser logs those.
  const allowed = watch.allow(/ERR_INTERNET_DISCONNECTED|Failed to load resource/);
  await context.setOffline(true);
  const text = "Written on the train, no signal";
  await send(page, text);
  const bubble = chat(page).locator(".message", { hasText: text });
  await bubble.waitFor();
  assert.match(await bubble.innerText(), /Ждёт подключения/);
  assert.equal(count(await bodiesOnServer(), text), 0, "nothing reaches the server while offline");

  await context.setOffline(false);
  await chat(page).locator(".message[data-id]:not([data-id=''])", { hasText: text }).waitFor({ timeout: 15_000 });
  await page.locator("#connection[data-state='connected']").waitFor({ timeout: 15_000 });
  await page.waitForTimeout(1000);  // time for a second, wrong, send to land if there were one
  assert.equal(count(await bodiesOnServer(), text), 1, "posted exactly once");
  assert.equal(await chat(page).locator(".message", { hasText: text }).count(), 1, "shown once");
  allowed();
  watch.check();
  await context.close();
});

test("when the answer to a send is lost, the retry does not post it twice", async () => {
  const context = await newContext(browser, "phone");
  const { page, watch } = await openTicket(context);
  const allowed = watch.allow(/Failed to load resource|ERR_FAILED/);
  let lost = 0;
  // The first POST reaches the server, which stores the message; its answer never
  // reaches the page. The outbox retries with the same client_id.
  await page.route(`**/tickets/${ticketId}/messages`, async (route) => {
    if (route.request().method() !== "POST" || lost > 0) return route.continue();
    lost += 1;
    await route.fetch();
    await route.abort("failed");
  });
  const text = "Sent into a tunnel";
  await send(page, text);
  await eventually(async () => count(await bodiesOnServer(), text) === 1, "the first send is stored");
  // The retry comes a few seconds later, and settles the pending bubble.
  await chat(page).locator(".message.pending", { hasText: text }).waitFor({ state: "detached", timeout: 15_000 });
  assert.equal(lost, 1);
  assert.equal(count(await bodiesOnServer(), text), 1, "still exactly one after the retry");
  assert.equal(await chat(page).locator(".message", { hasText: text }).count(), 1, "shown once");
  allowed();
  watch.check();
  await context.close();
});

test("the Russian interface has no untranslated keys, and works at 320 px without sideways scrolling", async () => {
  const context = await newContext(browser, "phone", { viewport: { width: 320, height: 640 } });
  const { page, watch } = await openTicket(context);
  const text = await page.locator("body").innerText();
  assert.doesNotMatch(text, /\b(chat|ticket|queue|status|priority|conn)\.[a-zA-Z]+/, "a raw string key is shown");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  watch.check();
  await context.close();
});

test("the app's own JavaScript stays under 150 KB gzipped", () => {
  // By hand rather than readdirSync's `recursive` (Node 20): Debian's Node is 18.
  const scripts = (directory) => readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? scripts(join(directory, entry.name))
      : entry.name.endsWith(".js") ? [join(directory, entry.name)] : []);
  const files = scripts(join(ROOT, "webapp/public/js"));
  const total = files.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0);
  assert.ok(files.length > 5, "the app's modules were found");
  assert.ok(total < JS_BUDGET_GZIP, `${total} bytes gzipped`);
});
