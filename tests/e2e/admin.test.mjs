// The administration views against the real server, on a desktop: categories, auto-replies,
// users and roles with the audit log, as the bootstrap admin; the role permission table as
// a developer. Each test makes its own data, so they do not depend on each other's order.
//
// The app asks for confirmation with Telegram's showConfirm (telegram.js `confirm`): the
// SDK posts `web_app_open_popup` and waits for Telegram's `popup_closed` event. A plain
// browser has no Telegram to answer, so `answerPopup` plays Telegram's part; a browser
// dialog (window.confirm) would be a regression and fails the test (PageWatch dismisses it,
// checkPages reports it).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN_TELEGRAM_ID, checkPages, eventually, launchBrowser, newContext, openMiniApp, TestServer, telegramUser,
} from "./harness.mjs";

const ADMIN = telegramUser(ADMIN_TELEGRAM_ID, "Ada", "e2e_admin");
const DEVELOPER_ID = 720900;  // bootstrapped: an admin may not grant the developer role
const DEVELOPER = telegramUser(DEVELOPER_ID, "Dora", "dora_dev");
const NEW_DEVELOPER = telegramUser(720901, "Dmitri", "dmitri_dev");

let server;
let browser;
let context;  // the desktop context every page of this file opens in
let admin;  // {token, user} of the bootstrap admin, for API calls
const pages = [];  // every PageWatch opened, checked after each test

before(async () => {
  server = await TestServer.start({ BOOTSTRAP_DEVELOPERS: String(DEVELOPER_ID) });
  browser = await launchBrowser();
  context = await newContext(browser, "desktop");
  admin = await server.admin();
  assert.equal(admin.user.role, "admin");
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});


// Opens the Mini App as `telegram` and goes to the Admin tab → {page, watch}, on the admin home.
// It waits for the first screen (staff start on the Queue) before clicking, as a person
// does: a click while that screen is still loading hits the router race of the last test.
async function openAdmin(telegram, label) {
  const opened = await openMiniApp(context, server, telegram, { label });
  pages.push(opened.watch);
  await opened.page.getByRole("heading", { level: 1, name: "Queue" }).waitFor();
  await opened.page.locator("#tabs").getByRole("button", { name: "Admin" }).click();
  await opened.page.getByRole("heading", { level: 1, name: "Administration" }).waitFor();
  return opened;
}

// The admin home's section buttons, by title (each button also reads its hint).
const sectionButton = (page, title) =>
  page.getByRole("navigation", { name: "Administration sections" }).getByRole("button", { name: new RegExp(`^${title}`) });

async function openSection(page, title) {
  await sectionButton(page, title).click();
  await page.getByRole("heading", { level: 1, name: title }).waitFor();
}

// Runs `action` (a click that asks for confirmation), checks that the app asked Telegram
// for a confirmation popup saying `text`, and answers it as Telegram would when the person
// presses OK.
async function answerPopup(page, action, text) {
  const [request] = await Promise.all([
    page.waitForEvent("console", {
      predicate: (message) => message.text().includes("web_app_open_popup"),
    }),
    action(),
  ]);
  const params = await request.args()[2].jsonValue();
  assert.equal(params.message, text, "the confirmation asks about the right thing");
  assert.deepEqual(params.buttons.map((button) => button.type), ["ok", "cancel"]);
  await page.evaluate(() => window.Telegram.WebView.receiveEvent("popup_closed", { button_id: "ok" }));
}

const statusLine = (page) => page.locator(".admin-status[role=status]");

test("categories: create through the form, edit, a duplicate name is refused inline, delete", async () => {
  await server.createCategory("Billing");  // the name the duplicate will clash with
  const { page, watch } = await openAdmin(ADMIN, "admin (categories)");
  await openSection(page, "Categories");
  const table = page.getByRole("table", { name: "Ticket categories" });
  await table.getByRole("row", { name: /Billing/ }).waitFor();

  // Create.
  await page.getByRole("button", { name: "New category" }).click();
  const form = page.getByRole("form", { name: "New category" });
  await form.getByLabel("Name").fill("Refunds");
  await form.getByLabel("Default priority").selectOption("high");
  await form.getByLabel("First reply within (minutes)").fill("90");
  await form.getByLabel("Routing").selectOption("manual");
  await form.getByRole("button", { name: "Create category" }).click();
  await form.waitFor({ state: "detached" });
  await statusLine(page).filter({ hasText: "Saved: Refunds" }).waitFor();

  const row = table.getByRole("row", { name: /Refunds/ });
  await row.waitFor();
  const cells = await row.getByRole("cell").allInnerTexts();
  assert.equal(cells[0].trim(), "Refunds");
  assert.equal(cells[1].trim(), "High");
  assert.equal(cells[2].trim(), "90 min");
  assert.equal(cells[3].trim(), "Manual");
  assert.equal(cells[4].trim(), "Active");

  const listed = (await server.api("GET", "/categories", { token: admin.token })).items;
  const created = listed.find((category) => category.name === "Refunds");
  assert.ok(created, "GET /categories lists the new category");
  assert.equal(created.default_priority, "high");
  assert.equal(created.sla_minutes, 90);
  assert.equal(created.routing, "manual");
  assert.equal(created.active, true);
  assert.equal(created.description, null);

  // Edit its name.
  await page.getByRole("button", { name: "Edit Refunds" }).click();
  const editForm = page.getByRole("form", { name: "Edit category “Refunds”" });
  assert.equal(await editForm.getByLabel("Name").inputValue(), "Refunds");
  assert.equal(await editForm.getByLabel("First reply within (minutes)").inputValue(), "90");
  await editForm.getByLabel("Name").fill("Refunds and returns");
  await editForm.getByRole("button", { name: "Save", exact: true }).click();
  await editForm.waitFor({ state: "detached" });
  await table.getByRole("row", { name: /Refunds and returns/ }).waitFor();
  await statusLine(page).filter({ hasText: "Saved: Refunds and returns" }).waitFor();
  const renamed = await server.api("GET", "/categories", { token: admin.token });
  const edited = renamed.items.find((category) => category.id === created.id);
  assert.equal(edited.name, "Refunds and returns");
  assert.equal(edited.default_priority, "high", "editing the name keeps the other fields");
  assert.equal(edited.sla_minutes, 90);
  assert.equal(edited.routing, "manual");

  // A duplicate name: the error is beside the name field, the form stays open. The server's
  // 409 is expected here; the browser logs every refused request as a console error.
  const allowConflict = watch.allow(/409 \(Conflict\) \(http:\/\/127\.0\.0\.1:\d+\/categories\)$/);
  await page.getByRole("button", { name: "New category" }).click();
  const duplicateForm = page.getByRole("form", { name: "New category" });
  const name = duplicateForm.getByLabel("Name");
  await name.fill("Billing");
  await duplicateForm.getByRole("button", { name: "Create category" }).click();
  const nameError = page.locator(`#${await name.getAttribute("id")}-error`);
  await nameError.filter({ hasText: "A category with this name already exists." }).waitFor();
  assert.equal(await name.getAttribute("aria-invalid"), "");
  assert.ok(await name.evaluate((input) => input === document.activeElement), "the name field has the focus");
  const billings = (await server.api("GET", "/categories", { token: admin.token })).items
    .filter((category) => category.name === "Billing");
  assert.equal(billings.length, 1, "no second Billing was created");
  watch.check();  // only that one refusal was logged
  allowConflict();
  await duplicateForm.getByRole("button", { name: "Cancel" }).click();
  await duplicateForm.waitFor({ state: "detached" });

  // Delete, confirmed.
  await answerPopup(page, () => page.getByRole("button", { name: "Delete Refunds and returns" }).click(),
                    "Delete the category “Refunds and returns”?");
  await table.getByRole("row", { name: /Refunds and returns/ }).waitFor({ state: "detached" });
  await statusLine(page).filter({ hasText: "Deleted: Refunds and returns" }).waitFor();
  const remaining = (await server.api("GET", "/categories", { token: admin.token })).items;
  assert.ok(!remaining.some((category) => category.id === created.id), "the category is gone on the server");
  assert.ok(remaining.some((category) => category.name === "Billing"), "the other category stays");
  await table.getByRole("row", { name: /Billing/ }).waitFor();
  checkPages(pages);
  await page.close();
});

test("auto-replies: one created in the form answers a new ticket that has its keyword", async () => {
  const { page } = await openAdmin(ADMIN, "admin (auto-replies)");
  await openSection(page, "Auto-replies");
  await page.getByText("No auto-replies yet.").waitFor();

  const answer = "We refund within 5 working days. An agent will confirm the amount.";
  await page.getByRole("button", { name: "New auto-reply" }).click();
  const form = page.getByRole("form", { name: "New auto-reply" });
  await form.getByLabel("Name").fill("Refund policy");
  await form.getByLabel("Keywords").fill("refund, money back");
  await form.getByLabel("Runs on").selectOption("ticket_created");
  await form.getByLabel("Reply text").fill(answer);
  await form.getByRole("button", { name: "Create auto-reply" }).click();
  await form.waitFor({ state: "detached" });
  await statusLine(page).filter({ hasText: "Saved: Refund policy" }).waitFor();

  const row = page.getByRole("table", { name: "Auto-replies" }).getByRole("row", { name: /Refund policy/ });
  await row.waitFor();
  assert.deepEqual(await row.getByRole("list", { name: "Keywords" }).getByRole("listitem").allInnerTexts(),
                   ["refund", "money back"]);
  assert.match(await row.innerText(), /New ticket · Any category/);
  const replies = (await server.api("GET", "/auto-replies", { token: admin.token })).items;
  assert.equal(replies.length, 1);
  assert.deepEqual(replies[0].keywords, ["refund", "money back"]);
  assert.equal(replies[0].event, "ticket_created");
  assert.equal(replies[0].body, answer);
  assert.equal(replies[0].active, true);

  // A customer (API only) opens two tickets: one with the keyword, one without.
  const customer = await server.login(telegramUser(720101, "Rita", "rita_refund"));
  const withKeyword = await server.api("POST", "/tickets", { token: customer.token,
    body: { subject: "Order 1182", body: "I would like a REFUND for my order, it arrived broken." } });
  const without = await server.api("POST", "/tickets", { token: customer.token,
    body: { subject: "Order 1183", body: "Where is my parcel?" } });

  const messagesOf = async (ticket) =>
    (await server.api("GET", `/tickets/${ticket.id}/messages`, { token: customer.token })).items;
  const messages = await eventually(async () => {
    const items = await messagesOf(withKeyword);
    return items.some((message) => message.body === answer) && items;
  }, "the auto-reply is posted to the ticket with the keyword");
  const reply = messages.find((message) => message.body === answer);
  assert.equal(reply.source, "system");
  assert.equal(reply.internal, false);
  assert.equal(messages.filter((message) => message.body === answer).length, 1, "posted once");
  assert.deepEqual((await messagesOf(without)).map((message) => message.body), ["Where is my parcel?"],
                   "a ticket without the keyword gets no auto-reply");
  checkPages(pages);
  await page.close();
});

test("users and roles: an admin grants only lower roles, the change is saved and audited", async () => {
  const customer = await server.login(telegramUser(720201, "Carmen", "carmen_user"));
  assert.equal(customer.user.role, "user");
  const { page } = await openAdmin(ADMIN, "admin (users)");
  await openSection(page, "Users and roles");
  const table = page.getByRole("table", { name: "Users" });

  // The admin's own row: the role is shown, not offered.
  const ownRow = table.getByRole("row").filter({ hasText: `Telegram id ${ADMIN_TELEGRAM_ID}` });
  await ownRow.waitFor();
  assert.equal(await ownRow.getByRole("combobox").count(), 0, "no role select on one's own row");
  assert.match(await ownRow.innerText(), /Administrator/);

  // The customer's row: only roles below admin.
  const row = () => table.getByRole("row").filter({ hasText: "Telegram id 720201" });
  const select = row().getByRole("combobox", { name: "Role Carmen" });
  await select.waitFor();
  assert.equal(await select.inputValue(), "user");
  const options = await select.locator("option").evaluateAll((elements) =>
    elements.map((option) => [option.value, option.textContent]));
  assert.deepEqual(options, [["user", "Customer"], ["helper", "Helper"], ["moderator", "Moderator"]]);

  await answerPopup(page, () => select.selectOption("helper"),
                    "Change the role of Carmen from Customer to Helper?");
  await statusLine(page).filter({ hasText: "Carmen is now Helper" }).waitFor();
  await eventually(async () => (await select.inputValue()) === "helper", "the row shows the new role");
  // A helper's row offers the categories and availability controls a customer's has not.
  await row().getByRole("switch").waitFor();
  const stored = await server.api("GET", `/users/${customer.user.id}`, { token: admin.token });
  assert.equal(stored.role, "helper");
  const again = await server.login(telegramUser(720201, "Carmen", "carmen_user"));
  assert.equal(again.user.role, "helper", "the new role is the person's on their next login");

  // The audit log shows who changed what.
  await page.locator("#tabs").getByRole("button", { name: "Admin" }).click();
  await page.getByRole("heading", { level: 1, name: "Administration" }).waitFor();
  await openSection(page, "Audit log");
  const entry = page.getByRole("table", { name: "Audit log, newest first" }).getByRole("row")
    .filter({ hasText: "Role changed" }).filter({ hasText: "Carmen" });
  await entry.waitFor();
  const cells = await entry.getByRole("cell").allInnerTexts();
  assert.match(cells[1], /Ada/, "the actor is the admin");
  assert.equal(cells[2].trim(), "Role changed");
  assert.match(cells[3], /Carmen/);
  assert.equal(cells[4].replace(/\s+/g, " ").trim(), "Customer → Helper");
  checkPages(pages);
  await page.close();
});

test("role permissions: hidden from an admin; a developer takes one from helpers and saves", async () => {
  // An admin's home lists every section but the permission table.
  const { page: adminPage } = await openAdmin(ADMIN, "admin (permissions)");
  const titles = await sectionTitles(adminPage);
  assert.deepEqual(titles, ["Categories", "Auto-replies", "Canned replies", "Users and roles", "What customers see", "Audit log"]);
  await adminPage.close();

  // A developer promoted by the bootstrap developer, logged in again with the new role.
  const bootstrap = await server.login(DEVELOPER);
  assert.equal(bootstrap.user.role, "developer");
  const first = await server.login(NEW_DEVELOPER);
  await server.api("PUT", `/users/${first.user.id}/role`, { token: bootstrap.token, body: { role: "developer" } });
  const developer = await server.login(NEW_DEVELOPER);
  assert.equal(developer.user.role, "developer");

  const helperBefore = (await server.api("GET", "/roles", { token: developer.token })).items
    .find((item) => item.role === "helper").permissions;
  assert.ok(helperBefore.includes("statistics.view"), "helpers see their statistics by default");

  const { page } = await openAdmin(NEW_DEVELOPER, "developer (permissions)");
  assert.deepEqual(await sectionTitles(page),
                   ["Categories", "Auto-replies", "Canned replies", "Users and roles", "What customers see", "Role permissions",
                    "Audit log"]);
  await openSection(page, "Role permissions");
  const table = page.getByRole("table", { name: "Permissions by role" });
  const box = table.getByRole("checkbox", { name: "Helper — See own statistics" });
  await box.waitFor();
  assert.equal(await box.isChecked(), true);
  const save = page.getByRole("button", { name: "Save Helper" });
  assert.equal(await save.isDisabled(), true, "nothing to save yet");

  await box.uncheck();
  assert.equal(await save.isEnabled(), true);
  await save.click();
  await statusLine(page).filter({ hasText: "Permissions of Helper saved" }).waitFor();
  await eventually(async () => save.isDisabled(), "Save Helper is disabled again once saved");
  assert.equal(await box.isChecked(), false);

  const roles = (await server.api("GET", "/roles", { token: developer.token })).items;
  const helperNow = roles.find((item) => item.role === "helper").permissions;
  assert.deepEqual([...helperNow].sort(), helperBefore.filter((p) => p !== "statistics.view").sort(),
                   "exactly statistics.view was taken from helpers");
  assert.ok(roles.find((item) => item.role === "moderator").permissions.includes("statistics.view"),
            "other roles keep it");
  checkPages(pages);
  await page.close();
});

test("a tab clicked while the first screen is still loading is the screen that stays", async () => {
  // Telegram shows the tabs before the first view's module has arrived; hold queue.js back
  // until the person has clicked Admin and the admin home is on the screen.
  const slow = await newContext(browser, "desktop");
  try {
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    // By its fingerprinted name (js/views/queue.<hash>.js, what the import map sends it to).
    await slow.route(/\/app\/js\/views\/queue\.[0-9a-f]{10}\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    const { page, watch } = await openMiniApp(slow, server, ADMIN, { label: "admin (slow queue)" });
    pages.push(watch);
    await page.locator("#tabs").getByRole("button", { name: "Admin" }).click();
    await page.getByRole("heading", { level: 1, name: "Administration" }).waitFor();
    release();
    // Once queue.js has been evaluated, the router's own wait for it has ended too (it
    // began earlier, so its continuation runs first).
    await page.evaluate(async () => {
      await import(new URL("js/views/queue.js", location.href).href);
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Administration",
                 "the admin home is still the screen");
    assert.equal(await page.locator("#tabs .tab[aria-current=page]").textContent(), "Admin");
    checkPages(pages);
  } finally {
    await slow.close();
  }
});

// The titles of the sections on the admin home of `page`, in order.
async function sectionTitles(page) {
  const nav = page.getByRole("navigation", { name: "Administration sections" });
  await nav.waitFor();
  return nav.locator(".admin-home-title").allInnerTexts();
}
