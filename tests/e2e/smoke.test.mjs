// The Mini App loads in a real browser and signs in only with launch data Telegram (here:
// the test bot token) signed; nothing on the page reports an error.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  BOT_TOKEN, launchBrowser, miniAppUrl, newContext, openMiniApp, PageWatch, signInitData,
  TestServer, telegramUser,
} from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await TestServer.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

test("initData signed by the harness is accepted, a changed one refused", async () => {
  const person = telegramUser(500001, "Smoke Test", "smoke_user");
  const { token, user } = await server.login(person);
  assert.ok(token);
  assert.equal(user.telegram_id, 500001);
  assert.equal(user.first_name, "Smoke Test", "a space survives the %20 encoding");
  assert.equal(user.role, "user");
  const admin = await server.admin();
  assert.equal(admin.user.role, "admin", "BOOTSTRAP_ADMINS makes the test admin an admin");

  const other = signInitData(person, { token: `${BOT_TOKEN}x` });
  assert.equal((await server.call("POST", "/auth/telegram", { body: { init_data: other } })).status, 401,
               "initData signed with another token is refused");
  const valid = signInitData(person);
  const tampered = valid.replace("Smoke", "Smoky");
  assert.equal((await server.call("POST", "/auth/telegram", { body: { init_data: tampered } })).status, 401,
               "a changed user field is refused");
});

test("outside Telegram /app/ asks to open it in Telegram, without errors", async () => {
  const context = await newContext(browser, "phone");
  try {
    const page = await context.newPage();
    const watch = new PageWatch(page, "plain /app/");
    const response = await page.goto(server.url("/app/"));
    assert.equal(response.status(), 200);
    await page.getByRole("heading", { name: "Open this app in Telegram" }).waitFor();
    assert.equal(await page.locator("#tabs").isVisible(), false, "no tabs for nobody");
    await page.waitForLoadState("networkidle");
    watch.check();
  } finally {
    await context.close();
  }
});

test("/app/#tgWebAppData=… signs the person in, on a phone and on a desktop", async () => {
  for (const kind of ["phone", "desktop"]) {
    const context = await newContext(browser, kind);
    try {
      const { page, watch } = await openMiniApp(context, server, telegramUser(500002, "Desk", "desk_user"),
                                                { label: `signed-in ${kind}` });
      await page.getByRole("heading", { level: 1, name: "My tickets" }).waitFor();
      await page.locator("#tabs").getByRole("button", { name: "New ticket" }).waitFor();
      await page.locator("#connection[data-state='connected']").waitFor();
      await page.waitForLoadState("networkidle");
      watch.check();
    } finally {
      await context.close();
    }
  }
});

test("a forged tgWebAppData signs nobody in", async () => {
  const context = await newContext(browser, "phone");
  try {
    const page = await context.newPage();
    const watch = new PageWatch(page, "forged initData");
    // The refused login is the point here; the browser logs its status.
    watch.allow(/status of 401.*\/auth\/telegram/);
    watch.allow(/status of 404.*\/auth\/demo/);
    const forged = signInitData(telegramUser(500003, "Mallory", "mallory"), { token: "123:not-the-bot-token" });
    await page.goto(miniAppUrl(server.baseUrl, forged));
    await page.getByRole("heading", { name: "Open this app in Telegram" }).waitFor();
    assert.equal(await page.getByRole("heading", { level: 1, name: "My tickets" }).count(), 0);
    assert.notEqual(await page.locator("#connection").getAttribute("data-state"), "connected");
    watch.check();
  } finally {
    await context.close();
  }
});
