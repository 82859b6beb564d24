// Fast on a slow phone: every file the page loads has its content's hash in its name and is
// kept a year (`immutable`), so a second launch asks the server for the page alone; the
// page itself is revalidated every time (`no-cache`). Telegram's script never holds up the
// first paint, and the app copes with it arriving late, or not at all.
// (How fast: bench/miniapp_first_row.mjs, with the CPU slowed down; not timed here.)
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPages, launchBrowser, newContext, PageWatch, TestServer, telegramUser } from "./harness.mjs";
import { buildDesk, firstScreen, launchUrl, watchRequests } from "./native_kit.mjs";

const CUSTOMER = telegramUser(750001, "Zoya", "zoya_customer");
const HELPER = telegramUser(750002, "Kirill", "kirill_helper");
const MODERATOR = telegramUser(750003, "Inna", "inna_moderator");
const FOREVER = "public, max-age=31536000, immutable";
const FINGERPRINTED = /\.[0-9a-f]{10}\.[a-z]+$/;

let server;
let browser;
let desk;

before(async () => {
  server = await TestServer.start();
  browser = await launchBrowser();
  desk = await buildDesk(server, { customer: CUSTOMER, helper: HELPER, moderator: MODERATOR });
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

test("the page is revalidated, everything it names is fingerprinted and kept a year", async () => {
  const page = await fetch(server.url("/app/"));
  assert.equal(page.headers.get("cache-control"), "no-cache");
  const html = await page.text();
  const importMap = JSON.parse(/<script type="importmap">(.*?)<\/script>/s.exec(html)[1]).imports;
  const names = Object.keys(importMap);
  for (const module of ["./js/main.js", "./js/router.js", "./js/views/queue.js", "./app.css",
                        "./vendor/telegram-web-app.js"]) {
    assert.ok(names.includes(module), `${module} is in the import map`);
  }
  const references = [...html.matchAll(/ (?:src|href)="([^"]+)"/g)].map((match) => match[1])
    .filter((url) => !url.startsWith("data:"));
  assert.ok(references.length >= 5, references.join(" "));
  for (const url of [...references, ...Object.values(importMap)]) {
    assert.match(url, FINGERPRINTED, `${url} has its content's hash in its name`);
    const response = await fetch(server.url(`/app/${url.replace(/^\.\//, "")}`));
    assert.equal(response.status, 200, url);
    assert.equal(response.headers.get("cache-control"), FOREVER, url);
    await response.arrayBuffer();
  }
  // The plain names still answer, for a browser without import maps, but are revalidated.
  const plain = await fetch(server.url("/app/js/main.js"));
  assert.equal(plain.headers.get("cache-control"), "no-cache");
  // The page's only inline script, the import map, is allowed by its hash and nothing else.
  const policy = page.headers.get("content-security-policy");
  assert.match(policy, /script-src 'self' https:\/\/telegram\.org 'sha256-[A-Za-z0-9+/]{43}='; /);
});

test("the app loads only fingerprinted files, and a second launch asks the server for the page alone", async () => {
  const context = await newContext(browser, "phone");
  try {
    // First launch: what goes over the network for /app/.
    const first = await context.newPage();
    const watch = new PageWatch(first, "first launch");
    const fetched = [];
    first.on("response", (response) => {
      const url = new URL(response.url());
      if (url.pathname.startsWith("/app/")) fetched.push({ path: url.pathname, cache: response.headers()["cache-control"] });
    });
    watchRequests(first);
    await first.goto(launchUrl(server, HELPER));
    await firstScreen(first);
    await first.locator(".ticket-item").first().waitFor();
    const files = fetched.filter(({ path }) => path !== "/app/");
    assert.ok(files.length >= 15, `${files.length} files loaded: ${files.map(({ path }) => path).join(" ")}`);
    for (const { path, cache } of files) {
      assert.match(path, FINGERPRINTED, `${path} is loaded by its fingerprinted name`);
      assert.equal(cache, FOREVER, path);
    }

    // Second launch in the same browser (its HTTP cache), as Telegram opens the app again.
    const second = await context.newPage();
    const cdp = await context.newCDPSession(second);
    await cdp.send("Network.enable");
    const network = [];
    cdp.on("Network.responseReceived", ({ response }) => {
      const url = new URL(response.url);
      if (url.pathname.startsWith("/app/") && !response.fromDiskCache && !response.fromMemoryCache &&
          !response.fromPrefetchCache) {
        network.push(`${url.pathname} ${response.status}`);
      }
    });
    const watchSecond = new PageWatch(second, "second launch");
    watchRequests(second);
    await second.goto(launchUrl(server, HELPER));
    await firstScreen(second);
    await second.locator(".ticket-item").first().waitFor();
    assert.equal(network.length, 1, `only the page went to the server: ${network.join(", ")}`);
    assert.match(network[0], /^\/app\/ (200|304)$/);
    checkPages([watch, watchSecond]);
  } finally {
    await context.close();
  }
});

test("Telegram's script does not hold up the first paint, and the app waits for it when it comes late", async () => {
  const context = await newContext(browser, "phone");
  try {
    const page = await context.newPage();
    const watch = new PageWatch(page, "late Telegram script");
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route(/\/app\/vendor\/telegram-web-app\.[0-9a-f]+\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    watchRequests(page);
    await page.goto(launchUrl(server, CUSTOMER, { theme: "dark" }), { waitUntil: "domcontentloaded" });
    // Painted, with Telegram's colours from the address, while its script is still on its way.
    await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0);
    assert.equal(await page.evaluate(() => Boolean(window.Telegram)), false, "the script has not run yet");
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme), "dark");
    assert.equal(await page.locator("header.topbar").isVisible(), true);
    release();
    await firstScreen(page);
    await page.locator(`.ticket-item[data-id="${desk.tickets.open.id}"]`).waitFor();
    assert.equal(await page.evaluate(() => typeof window.Telegram.WebApp.ready), "function");
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("without Telegram's script at all the app still signs in and works, as in a plain browser", async () => {
  const context = await newContext(browser, "phone");
  try {
    const page = await context.newPage();
    const watch = new PageWatch(page, "no Telegram script");
    watch.allow(/telegram-web-app/);  // the failed load is reported by the browser
    await page.route(/\/app\/vendor\/telegram-web-app\.[0-9a-f]+\.js$/, (route) => route.abort());
    watchRequests(page);
    await page.goto(launchUrl(server, CUSTOMER));
    await firstScreen(page);
    await page.locator(`.ticket-item[data-id="${desk.tickets.open.id}"]`).click();
    await page.getByRole("heading", { level: 2, name: desk.tickets.open.subject }).waitFor();
    assert.equal(await page.locator("#back").isVisible(), true, "the page draws its own Back button");
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

// After a deploy, a page loaded before it names modules by fingerprints the server no longer
// has. The first view module that fails to load makes the page reload, once, at the same
// address, and the new version shows the screen asked for.
test("a view module gone with a deploy makes the page reload once, at the same address", async () => {
  const context = await newContext(browser, "phone");
  try {
    const page = await context.newPage();
    const watch = new PageWatch(page, "module gone after a deploy");
    watch.allow(/new_ticket|Failed to load resource/);  // the 404 is reported by the browser
    let refused = 0;
    await page.route(/\/app\/js\/views\/new_ticket\.[0-9a-f]+\.js$/, (route) => {
      if (refused > 0) return route.continue();
      refused += 1;
      return route.fulfill({ status: 404, contentType: "application/json",
                             body: '{"error":{"code":"not_found","message":"no such file"}}' });
    });
    watchRequests(page);
    await page.goto(launchUrl(server, CUSTOMER));
    await firstScreen(page);
    let loads = 0;
    page.on("load", () => { loads += 1; });
    await page.getByLabel("Sections").getByRole("button", { name: "New ticket" }).click();
    await page.locator('#view[data-view="new-ticket"]').waitFor();
    assert.equal(refused, 1);
    assert.equal(loads, 1, "the page reloaded once");
    assert.match(await page.evaluate(() => location.hash), /^#\/new$/);
    checkPages([watch]);
  } finally {
    await context.close();
  }
});
