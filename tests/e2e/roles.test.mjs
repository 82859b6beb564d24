// Every permission has its screen, and customers see only what is theirs, in Chromium against
// the real server: a moderator sets a helper's categories and availability from the Admin
// tab; a staff member sets themselves away from the settings screen (Telegram's Settings
// menu item, or the header's button outside Telegram); a customer's new-ticket form offers no
// "critical", and their ticket says what its status means for them, without the assignee or
// the due time.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  checkPages, eventually, launchBrowser, miniAppUrl, newContext, openMiniApp, PageWatch, signInitData, TestServer,
  telegramUser,
} from "./harness.mjs";

const HELPER = telegramUser(730001, "Hanna", "hanna_helper");
const MODERATOR = telegramUser(730002, "Mikhail", "mikhail_moderator");
const CUSTOMER = telegramUser(730003, "Katya", "katya_customer");
const STAFF_IN_TELEGRAM = telegramUser(730004, "Timur", "timur_helper");

let server;
let browser;
let context;
let admin;
let helper;  // {token, user}
let moderator;
let customer;
let billing;
let shipping;
const pages = [];

before(async () => {
  server = await TestServer.start();
  browser = await launchBrowser();
  context = await newContext(browser, "desktop");
  admin = await server.admin();
  billing = await server.createCategory("Billing", { sla_minutes: 60 });
  shipping = await server.createCategory("Shipping");
  helper = await server.helper(HELPER, [billing.id]);
  const first = await server.login(MODERATOR);
  await server.setRole(first.user.id, "moderator");
  moderator = await server.login(MODERATOR);
  customer = await server.login(CUSTOMER);
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function open(telegram, label, kind) {
  const opened = await openMiniApp(kind ? await newContext(browser, kind) : context, server, telegram, { label });
  pages.push(opened.watch);
  return opened;
}

test("a moderator sets a helper's categories and availability from the Admin tab", async () => {
  const { page } = await open(MODERATOR, "moderator (users)");
  await page.getByRole("heading", { level: 1, name: "Queue" }).waitFor();
  await page.locator("#tabs").getByRole("button", { name: "Admin" }).click();
  await page.getByRole("heading", { level: 1, name: "Administration" }).waitFor();
  const sections = page.getByRole("navigation", { name: "Administration sections" }).getByRole("button");
  const titles = await sections.evaluateAll((buttons) =>
    buttons.map((button) => button.querySelector(".admin-home-title").textContent));
  assert.deepEqual(titles, ["Users and roles"], "a moderator's screens are those of their permissions");
  await sections.first().click();
  await page.getByRole("heading", { level: 1, name: "Users and roles" }).waitFor();

  const row = page.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: "Telegram id 730001" });
  await row.waitFor();
  assert.equal(await row.getByRole("combobox").count(), 0, "a moderator changes no roles");
  const shippingBox = row.getByRole("checkbox", { name: "Shipping" });
  await shippingBox.check();
  await page.locator(".admin-status").filter({ hasText: "Categories of Hanna saved" }).waitFor();
  await eventually(async () => {
    const stored = await server.api("GET", `/users/${helper.user.id}`, { token: moderator.token });
    return JSON.stringify([...stored.category_ids].sort()) === JSON.stringify([billing.id, shipping.id].sort());
  }, "the helper now handles Billing and Shipping");

  const available = row.getByRole("switch");
  assert.equal(await available.isChecked(), true);
  await available.uncheck();
  await page.locator(".admin-status").filter({ hasText: "Hanna is away" }).waitFor();
  const stored = await server.api("GET", `/users/${helper.user.id}`, { token: moderator.token });
  assert.equal(stored.available, false);

  // Both changes are in the audit log, in words.
  const audit = (await server.api("GET", "/audit", { token: admin.token })).items;
  const categories = audit.find((entry) => entry.action === "user.categories_changed");
  assert.equal(categories?.actor.id, moderator.user.id);
  assert.equal(categories?.target.id, helper.user.id);
  assert.ok(audit.some((entry) => entry.action === "user.availability_changed" && entry.new === "away"));
  await server.api("PUT", `/users/${helper.user.id}/availability`, { token: admin.token, body: { available: true } });
  checkPages(pages);
  await page.close();
});

test("a staff member sets themselves away from the settings screen, reached by the header's button", async () => {
  const { page } = await open(HELPER, "helper (settings)", "phone");
  await page.getByRole("heading", { level: 1, name: "Queue" }).waitFor();
  const gear = page.getByRole("button", { name: "Settings" });
  await gear.click();
  await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
  const toggle = page.getByRole("switch", { name: "Available for new tickets" });
  assert.equal(await toggle.isChecked(), true);
  await toggle.uncheck();
  await page.getByText("You are away: no new tickets are routed to you.").waitFor();
  await page.locator(".admin-status").filter({ hasText: "You are away now" }).waitFor();
  const stored = await server.api("GET", `/users/${helper.user.id}`, { token: admin.token });
  assert.equal(stored.available, false, "the server has it");

  // The language chosen here is the app's.
  await page.getByRole("radio", { name: "Русский" }).check();
  await page.getByRole("heading", { level: 1, name: "Настройки" }).waitFor();
  assert.equal(await page.getByRole("switch", { name: "Принимаю новые обращения" }).isChecked(), false);
  await page.getByRole("radio", { name: "English" }).check();
  await page.getByRole("switch", { name: "Available for new tickets" }).check();
  await page.getByText("You are available: new tickets of your categories may be routed to you.").waitFor();
  assert.equal((await server.api("GET", `/users/${helper.user.id}`, { token: admin.token })).available, true);
  checkPages(pages);
  await page.context().close();
});

test("inside Telegram the settings screen opens from Telegram's Settings menu item", async () => {
  await server.helper(STAFF_IN_TELEGRAM);
  const page = await context.newPage();
  const watch = new PageWatch(page, "helper (Telegram settings button)");
  pages.push(watch);
  // An Android client: Telegram draws its own buttons, the page none.
  const url = miniAppUrl(server.baseUrl, signInitData(STAFF_IN_TELEGRAM)).replace("tgWebAppPlatform=unknown",
                                                                                  "tgWebAppPlatform=android");
  const shown = page.waitForEvent("console", {
    predicate: (message) => message.text().includes("web_app_setup_settings_button"),
  });
  await page.goto(url);
  const params = await (await shown).args()[2].jsonValue();
  assert.deepEqual(params, { is_visible: true }, "the app shows Telegram's Settings item");
  await page.getByRole("heading", { level: 1, name: "Queue" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Settings" }).isVisible(), false,
               "no button of the page's own where Telegram has one");
  await page.evaluate(() => window.Telegram.WebView.receiveEvent("settings_button_pressed"));
  await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
  await page.getByRole("switch", { name: "Available for new tickets" }).waitFor();
  checkPages(pages);
  await page.close();
});

test("a customer chooses no critical priority and reads what a status means for them", async () => {
  const { page } = await open(CUSTOMER, "customer (new ticket)", "phone");
  await page.getByRole("heading", { level: 1, name: "My tickets" }).waitFor();
  assert.equal(await page.locator("#tabs").getByRole("button", { name: "Admin" }).count(), 0);
  await page.locator("#tabs").getByRole("button", { name: "New ticket" }).click();
  await page.getByRole("heading", { level: 1, name: "New ticket" }).waitFor();
  const priority = page.getByLabel("Priority");
  const offered = async () => priority.locator("option").evaluateAll((options) => options.map((o) => o.value));
  await eventually(async () => (await offered()).join() === "low,normal,high", "low, normal and high are offered");
  assert.equal(await priority.inputValue(), "normal");

  await page.getByLabel("Category").selectOption({ label: "Billing" });
  await page.getByLabel("Subject").fill("Charged twice");
  await page.getByLabel("What happened?").fill("My card was charged twice for one order.");
  await page.getByRole("button", { name: "Create ticket" }).click();
  const ticket = await eventually(async () => (await server.api("GET", "/tickets", { token: customer.token }))
    .items.find((item) => item.subject === "Charged twice"), "the ticket was created");
  await page.getByRole("heading", { level: 1, name: `Ticket #${ticket.id}` }).waitFor();
  assert.equal(ticket.priority, "normal");
  assert.equal("assignee" in ticket, false, "customers are not told who handles it");
  assert.equal("sla_due_at" in ticket, false);

  // Staff ask the customer something: the customer reads that it waits for them.
  await server.api("PUT", `/tickets/${ticket.id}`, { token: moderator.token, body: { status: "waiting" } });
  await page.locator(".chip.status-waiting").filter({ hasText: "Waiting for your reply" }).waitFor();
  assert.doesNotMatch(await page.locator("#view").innerText(), /Assignee|Unassigned/,
                     "no assignee line for the customer");
  assert.equal(await page.locator(".chip.breached").count(), 0);
  // Back to the list (on a phone an open ticket has the screen: the tabs give way to it).
  await page.locator("#back").click();
  await page.locator(".ticket-item").filter({ hasText: "Charged twice" })
    .locator(".chip.status-waiting").filter({ hasText: "Waiting for your reply" }).waitFor();

  // In Russian, the same.
  await page.getByRole("button", { name: "Settings" }).click();
  await page.getByRole("radio", { name: "Русский" }).check();
  await page.getByRole("heading", { level: 1, name: "Настройки" }).waitFor();
  assert.equal(await page.getByRole("switch").count(), 0, "customers have no availability");
  await page.locator("#tabs").getByRole("button", { name: "Мои обращения" }).click();
  await page.locator(".chip.status-waiting").filter({ hasText: "Ждём вашего ответа" }).waitFor();
  checkPages(pages);
  await page.context().close();
});

test("an admin lets customers choose critical and see due times: the form and the ticket follow", async () => {
  const { page } = await open(telegramUser(900001, "Ada", "e2e_admin"), "admin (customer settings)");
  await page.getByRole("heading", { level: 1, name: "Queue" }).waitFor();
  await page.locator("#tabs").getByRole("button", { name: "Admin" }).click();
  await page.getByRole("navigation", { name: "Administration sections" })
    .getByRole("button", { name: /^What customers see/ }).click();
  const form = page.getByRole("form", { name: "What customers see" });
  await form.getByRole("checkbox", { name: "Critical" }).check();
  await form.getByRole("switch", { name: "Show customers the response due time" }).check();
  await form.getByRole("button", { name: "Save" }).click();
  await page.locator(".admin-status").filter({ hasText: "Saved: customers see this from now on" }).waitFor();
  const settings = await server.api("GET", "/settings", { token: customer.token });
  assert.deepEqual(settings.customers, { show_sla: true, show_assignee: false, priorities: ["low", "normal", "high", "critical"] });
  const entry = (await server.api("GET", "/audit", { token: admin.token })).items[0];
  assert.equal(entry.action, "settings.changed");

  // The audit screen says it in words.
  await page.locator("#tabs").getByRole("button", { name: "Admin" }).click();
  await page.getByRole("navigation", { name: "Administration sections" })
    .getByRole("button", { name: /^Audit log/ }).click();
  const row = page.getByRole("table", { name: "Audit log, newest first" }).getByRole("row")
    .filter({ hasText: "What customers see changed" });
  await row.waitFor();
  const change = (await row.getByRole("cell").nth(4).innerText()).replace(/\s+/g, " ");
  assert.match(change, /Customers see due times: no → yes/);
  assert.match(change, /Priorities customers may choose: Low, Normal, High → Low, Normal, High, Critical/);

  const customerPage = (await open(CUSTOMER, "customer (critical allowed)", "phone")).page;
  await customerPage.getByRole("heading", { level: 1, name: "My tickets" }).waitFor();
  await customerPage.locator("#tabs").getByRole("button", { name: "New ticket" }).click();
  await eventually(async () => (await customerPage.getByLabel("Priority").locator("option")
    .evaluateAll((options) => options.map((o) => o.value))).includes("critical"), "critical is offered now");
  await server.api("PUT", "/settings", { token: admin.token,
    body: { customers: { show_sla: false, priorities: ["low", "normal", "high"] } } });
  checkPages(pages);
  await customerPage.context().close();
  await page.close();
});
