// The Mini App loads in a real browser, with and without Telegram's launch data, and says
// nothing is wrong: no console error, no uncaught exception.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchBrowser, newContext, openMiniApp, PageWatch, TestServer, telegramUser } from "./harness.mjs";

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

test("the harness signs initData the server accepts", async () => {
  const { token, user } = await server.login(telegramUser(500001, "Smoke", "smoke_user"));
  assert.ok(token);
  assert.equal(user.telegram_id, 500001);
  assert.equal(user.role, "user");
  const admin = await server.admin();
  assert.equal(admin.user.role, "admin", "BOOTSTRAP_ADMINS makes the test admin an admin");
});

test("/app/ loads in a phone browser without errors", async () => {
  const context = await newContext(browser, "phone");
  try {
    const page = await context.newPage();
    const watch = new PageWatch(page, "plain /app/");
    const response = await page.goto(server.url("/app/"));
    assert.equal(response.status(), 200);
    await page.waitForLoadState("networkidle");
    assert.ok((await page.title()).length > 0, "the page has a title");
    assert.ok((await page.locator("body").innerText()).trim().length > 0, "the page shows something");
    watch.check();
  } finally {
    await context.close();
  }
});

test("/app/#tgWebAppData=… loads on a desktop without errors", async () => {
  const context = await newContext(browser, "desktop");
  try {
    const { page, watch } = await openMiniApp(context, server, telegramUser(500002, "Desk", "desk_user"));
    await page.waitForLoadState("networkidle");
    assert.ok((await page.locator("body").innerText()).trim().length > 0, "the page shows something");
    watch.check();
  } finally {
    await context.close();
  }
});
