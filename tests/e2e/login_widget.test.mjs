// Staff outside Telegram (a desktop browser): the Mini App offers Telegram's Login Widget
// with the bot's username (known once the bot has started: here against the fake Bot API),
// signs in whoever Telegram sends back with validly signed fields and cleans the URL,
// refuses forged ones with a clear message; and the page's Content-Security-Policy lets
// Telegram's widget in while keeping every other origin's scripts out.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  eventually, FakeBotApi, FAKE_BOT_USERNAME, launchBrowser, newContext, PageWatch, signLoginWidget,
  TestServer,
} from "./harness.mjs";

const WIDGET_SCRIPT = "https://telegram.org/js/telegram-widget.js?22";

let fake;
let server;
let browser;

before(async () => {
  fake = await FakeBotApi.start();
  server = await TestServer.start(fake.env());
  await eventually(async () => (await server.api("GET", "/auth/methods")).bot_username === FAKE_BOT_USERNAME,
                   "the bot learns its username from getMe", 10_000);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
  await fake?.stop();
});

// A desktop page with no way out to the internet (as on the test machines, but certain):
// requests to Telegram's origins fail at once instead of waiting for DNS.
async function offlinePage(context, label) {
  const page = await context.newPage();
  const watch = new PageWatch(page, label);
  watch.allow(/telegram-widget\.js|ERR_INTERNET_DISCONNECTED/);
  await page.route(/^https:\/\/([a-z]+\.)?telegram\.org\//, (route) => route.abort("internetdisconnected"));
  return { page, watch };
}

function widgetUrl(fields) {
  return server.url(`/app/?${new URLSearchParams(fields)}`);
}

test("a desktop browser sees Telegram's login with the bot's username, and says so when telegram.org is unreachable", async () => {
  const context = await newContext(browser, "desktop");
  try {
    const { page, watch } = await offlinePage(context, "login widget offline");
    const response = await page.goto(server.url("/app/"));
    // Besides ours and Telegram's, only the page's import map, by its hash.
    assert.match(response.headers()["content-security-policy"],
                 /script-src 'self' https:\/\/telegram\.org 'sha256-[A-Za-z0-9+/]{43}=';/);
    await page.getByRole("heading", { name: "Log in with Telegram" }).waitFor();

    const script = page.locator(`.telegram-login script[src="${WIDGET_SCRIPT}"]`);
    assert.equal(await script.count(), 1);
    assert.equal(await script.getAttribute("data-telegram-login"), FAKE_BOT_USERNAME);
    assert.equal(await script.getAttribute("data-size"), "large");
    assert.equal(await script.getAttribute("data-auth-url"), server.url("/app/"), "redirect mode, back to this app");
    assert.equal(await script.getAttribute("data-request-access"), "write");
    assert.equal(await script.getAttribute("data-onauth"), null, "no callback mode (it would need eval)");

    await page.getByText("Telegram's login button could not be loaded").waitFor();
    assert.equal(await page.locator(".telegram-login-button").isVisible(), false, "no empty box");
    const botLink = page.getByRole("link", { name: `Open @${FAKE_BOT_USERNAME} in Telegram` });
    assert.equal(await botLink.getAttribute("href"), `https://t.me/${FAKE_BOT_USERNAME}`);
    assert.equal(await page.getByRole("heading", { name: "Open this app in Telegram" }).count(), 0);
    assert.equal(await page.locator("#tabs").isVisible(), false);
    watch.check();
  } finally {
    await context.close();
  }
});

test("in Russian, the same block in Russian", async () => {
  const context = await newContext(browser, "desktop", { locale: "ru-RU" });
  try {
    const { page, watch } = await offlinePage(context, "login widget ru");
    await page.goto(server.url("/app/"));
    await page.getByRole("heading", { name: "Войти через Telegram" }).waitFor();
    await page.getByText("Не удалось загрузить кнопку входа Telegram").waitFor();
    await page.getByRole("link", { name: `Открыть @${FAKE_BOT_USERNAME} в Telegram` }).waitFor();
    watch.check();
  } finally {
    await context.close();
  }
});

test("the Content-Security-Policy lets Telegram's widget and its iframe in, and refuses other origins' scripts", async () => {
  const context = await newContext(browser, "desktop");
  try {
    const page = await context.newPage();
    const watch = new PageWatch(page, "csp");
    // A stand-in for Telegram's widget script: it draws the iframe the real one draws.
    await page.route(WIDGET_SCRIPT, (route) => route.fulfill({
      contentType: "application/javascript",
      body: `(() => {
        const script = document.currentScript;
        const frame = document.createElement("iframe");
        frame.id = "telegram-login-" + script.dataset.telegramLogin;
        frame.src = "https://oauth.telegram.org/embed/" + script.dataset.telegramLogin + "?origin=" +
          encodeURIComponent(location.origin) + "&return_to=" + encodeURIComponent(script.dataset.authUrl);
        script.parentNode.insertBefore(frame, script);
        window.widgetRan = true;
      })();`,
    }));
    await page.route(/^https:\/\/oauth\.telegram\.org\//, (route) => route.fulfill({
      contentType: "text/html", body: "<!doctype html><button>Log in with Telegram</button>",
    }));
    await page.route("https://cdn.example.com/**", (route) => route.fulfill({
      contentType: "application/javascript", body: "window.cdnRan = true;",
    }));
    await page.addInitScript(() => {
      window.violations = [];
      document.addEventListener("securitypolicyviolation", (event) => {
        window.violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
      });
    });
    await page.goto(server.url("/app/"));
    await page.getByRole("heading", { name: "Log in with Telegram" }).waitFor();
    await eventually(() => page.evaluate(() => window.widgetRan === true), "the widget script runs");
    const frame = page.frameLocator(`#telegram-login-${FAKE_BOT_USERNAME}`);
    await frame.getByRole("button", { name: "Log in with Telegram" }).waitFor();
    assert.equal(await page.getByText("Loading Telegram's login button").count(), 0, "the loading line is gone");
    assert.deepEqual(await page.evaluate(() => window.violations), []);

    // Anything else from another origin is refused (the browser reports it: allowed here).
    watch.allow(/Content Security Policy/);
    await page.evaluate(() => new Promise((resolve) => {
      const script = document.createElement("script");
      script.src = "https://cdn.example.com/library.js";
      script.onload = script.onerror = resolve;
      document.head.append(script);
    }));
    await page.evaluate(() => {
      const inline = document.createElement("script");
      inline.textContent = "window.inlineRan = true;";
      document.head.append(inline);
    });
    assert.equal(await page.evaluate(() => window.cdnRan), undefined);
    assert.equal(await page.evaluate(() => window.inlineRan), undefined);
    const violations = await page.evaluate(() => window.violations);
    assert.ok(violations.some((line) => line === "script-src-elem https://cdn.example.com/library.js"), violations.join("; "));
    assert.ok(violations.some((line) => line === "script-src-elem inline"), violations.join("; "));
    watch.check();
  } finally {
    await context.close();
  }
});

test("coming back from Telegram with signed fields signs that person in and cleans the URL", async () => {
  const context = await newContext(browser, "desktop");
  try {
    const { page, watch } = await offlinePage(context, "login widget return");
    const fields = signLoginWidget({
      id: 710001,
      first_name: "Wanda Desk",
      last_name: "Agent",
      username: "wanda_desk",
      photo_url: "https://t.me/i/userpic/320/wanda.jpg",
      auth_date: Math.floor(Date.now() / 1000),
    });
    await page.goto(`${widgetUrl(fields)}&startapp=keep_me#section`);
    await page.getByRole("heading", { level: 1, name: "My tickets" }).waitFor();
    await page.locator("#connection[data-state='connected']").waitFor();
    // The fragment is the app's own address now (#/tickets: its first screen).
    assert.equal(page.url(), server.url("/app/?startapp=keep_me#/tickets"),
                 "the widget's fields are gone from the address, the rest stays");

    const token = await page.evaluate(() => sessionStorage.getItem("tb.token"));
    const me = await server.api("GET", "/auth/me", { token });
    assert.equal(me.telegram_id, 710001);
    assert.equal(me.first_name, "Wanda Desk");
    assert.equal(me.username, "wanda_desk");

    // A reload keeps the session (and has no fields to send again).
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "My tickets" }).waitFor();
    assert.equal(page.url(), server.url("/app/?startapp=keep_me#/tickets"));
    watch.check();
  } finally {
    await context.close();
  }
});

test("forged or stale fields are refused with a clear message, and the URL is cleaned all the same", async () => {
  const now = Math.floor(Date.now() / 1000);
  const person = { id: 710002, first_name: "Mallory", username: "mallory", auth_date: now };
  const cases = [
    ["forged hash", { ...signLoginWidget(person), hash: "0".repeat(64) }],
    ["another token", signLoginWidget(person, { token: "123:not-the-bot-token" })],
    ["changed name", { ...signLoginWidget(person), first_name: "Ada" }],
    ["two days old", signLoginWidget({ ...person, auth_date: now - 2 * 86400 })],
  ];
  for (const [label, fields] of cases) {
    const context = await newContext(browser, "desktop");
    try {
      const { page, watch } = await offlinePage(context, `login widget ${label}`);
      watch.allow(/status of 401/);
      await page.goto(widgetUrl(fields));
      await page.getByRole("alert").getByText("Telegram's login was not accepted").waitFor();
      assert.equal(page.url(), server.url("/app/"), label);
      await page.getByRole("heading", { name: "Log in with Telegram" }).waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.getItem("tb.token")), null, label);
      assert.equal(await page.getByRole("heading", { level: 1, name: "My tickets" }).count(), 0, label);
      watch.check();
    } finally {
      await context.close();
    }
  }
  const { items } = await server.api("GET", "/users?q=mallory", { token: (await server.admin()).token });
  assert.deepEqual(items, [], "no account was made for Mallory");
});

test("without the bot's username the page says so instead of an empty box", async () => {
  const plain = await TestServer.start();  // TELEGRAM_MODE=off: the bot never starts
  const context = await newContext(browser, "desktop");
  try {
    assert.equal((await plain.api("GET", "/auth/methods")).bot_username, null);
    const page = await context.newPage();
    const watch = new PageWatch(page, "no bot username");
    await page.goto(plain.url("/app/"));
    await page.getByRole("heading", { name: "Open this app in Telegram" }).waitFor();
    await page.getByText("the server does not know its bot's name").waitFor();
    assert.equal(await page.locator("script[src*='telegram-widget']").count(), 0);
    watch.check();
  } finally {
    await context.close();
    await plain.dispose();
  }
});

test("in demo mode the widget comes with the role picker", async () => {
  const demoFake = await FakeBotApi.start();  // its own: two bots must not poll one token
  const demo = await TestServer.start({ ...demoFake.env(), DEMO: "1" });
  const context = await newContext(browser, "desktop");
  try {
    await eventually(async () => (await demo.api("GET", "/auth/methods")).bot_username === FAKE_BOT_USERNAME,
                     "the demo server's bot learns its username", 10_000);
    const { page, watch } = await offlinePage(context, "demo with widget");
    await page.goto(demo.url("/app/"));
    await page.getByRole("heading", { name: "Log in with Telegram" }).waitFor();
    await page.getByRole("heading", { name: "Demo: sign in as" }).waitFor();
    await page.getByText("Telegram's login button could not be loaded").waitFor();
    await page.getByRole("button", { name: "Administrator" }).click();
    await page.locator("#tabs").waitFor();
    watch.check();
  } finally {
    await context.close();
    await demo.dispose();
    await demoFake.stop();
  }
});
