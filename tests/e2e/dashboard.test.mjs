// The dashboard on the demo data (DEMO=1: 90 days of history): the cards, both charts and
// both tables render for a moderator; a ticket created over REST moves the "Open" card
// without a reload (the `dashboard` push) and, on another period, the "Created" card (a
// refetch); a helper sees only their own figures; a customer has no dashboard; the
// forecast draws its 168 hours and says how good it is; Russian and English; 360 px
// without sideways scrolling; the export control for admins only.
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  checkPages, eventually, launchBrowser, newContext, openMiniApp, SCREENSHOTS, TestServer, telegramUser, THEMES,
} from "./harness.mjs";

let server;
let browser;
const demo = {};  // role → {token, user} from POST /auth/demo

before(async () => {
  server = await TestServer.start({ DEMO: "1" });
  browser = await launchBrowser();
  for (const role of ["user", "helper", "moderator", "admin"]) {
    demo[role] = await server.api("POST", "/auth/demo", { body: { role } });
  }
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

// The demo person of `role` as Telegram would open the Mini App for them.
const telegramOf = (role, language = "en") => {
  const { user } = demo[role];
  return telegramUser(user.telegram_id, user.first_name, user.username ?? undefined, language);
};

async function openDashboard(role, { kind = "desktop", theme = "light", options = {}, language } = {}) {
  const context = await newContext(browser, kind, { colorScheme: theme, ...options });
  const { page, watch } = await openMiniApp(context, server, telegramOf(role, language), { theme, label: `${role} (${kind}, ${theme})` });
  await page.locator("#tabs .tab[data-tab='dashboard']").click();
  await page.locator(".dashboard .stat-card[data-card='open'] .stat-value").waitFor();
  return { context, page, watch };
}

// Pixels of a chart's canvas that are not transparent: a drawn chart has many.
const drawnPixels = (page, chart) => page.locator(`.chart[data-chart='${chart}'] canvas`).evaluate((canvas) => {
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let count = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) count += 1;
  return count;
});

// Pixels of a chart's canvas in exactly the colour `hex` (the line, not its blended edges).
const pixelsOf = (page, chart, hex) => page.locator(`.chart[data-chart='${chart}'] canvas`).evaluate((canvas, rgb) => {
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2] && data[i + 3] === 255) count += 1;
  }
  return count;
}, [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)));

const cardValue = (page, card) => page.locator(`.stat-card[data-card='${card}'] .stat-value`).innerText();
const rowCount = (page, table) => page.locator(`.stats-table.${table} tbody tr`).count();

async function sideways(page) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return page.evaluate(() => {
    const root = document.documentElement;
    const view = document.querySelector("main");
    if (root.scrollWidth > root.clientWidth) return `the page is ${root.scrollWidth}px wide on ${root.clientWidth}px`;
    if (view.scrollWidth > view.clientWidth) return `the view is ${view.scrollWidth}px wide on ${view.clientWidth}px`;
    return null;
  });
}

async function newTicket(subject) {
  return server.api("POST", "/tickets", { token: demo.user.token, body: { subject, body: "Created by the dashboard test." } });
}

test("a moderator sees the team's cards, both charts with data and both tables", async () => {
  const { context, page, watch } = await openDashboard("moderator");
  try {
    const stats = await server.api("GET", "/statistics", { token: demo.moderator.token });  // 30 days: demo history exists
    assert.ok(stats.tickets > 0, "the demo has tickets in the last 30 days");
    for (const card of ["open", "unassigned", "breached", "first-response", "csat"]) {
      assert.match(await cardValue(page, card), /\d/, `the ${card} card shows a number`);
    }
    assert.equal(await page.locator(".dashboard").getAttribute("data-scope"), "team");
    for (const chart of ["timeline", "week-load"]) {
      await page.locator(`.chart[data-chart='${chart}'] canvas`).waitFor();
      await eventually(async () => (await drawnPixels(page, chart)) > 500, `the ${chart} chart is drawn`);
    }
    assert.equal(await page.locator(".chart[data-chart='week-load']").getAttribute("data-points"), "168");
    // Drawn in the theme's colours (Telegram's button_color), and resized with the window.
    assert.ok((await pixelsOf(page, "timeline", THEMES.light.button_color)) > 50, "the created line is in button_color");
    const wide = await page.locator(".chart[data-chart='timeline'] canvas").evaluate((canvas) => canvas.clientWidth);
    await page.setViewportSize({ width: 480, height: 800 });  // one column, narrower than half of 1280
    await eventually(async () => (await page.locator(".chart[data-chart='timeline'] canvas")
      .evaluate((canvas) => canvas.clientWidth)) < wide - 100, "the chart narrows with the window");
    await page.setViewportSize({ width: 1280, height: 800 });
    // Telegram switches to its dark theme: the charts are drawn again in its colours.
    await page.evaluate((theme) => window.Telegram.WebView.receiveEvent("theme_changed", { theme_params: theme }), THEMES.dark);
    await eventually(async () => (await pixelsOf(page, "timeline", THEMES.dark.button_color)) > 50,
                     "after theme_changed the created line is in the dark button_color");
    await page.evaluate((theme) => window.Telegram.WebView.receiveEvent("theme_changed", { theme_params: theme }), THEMES.light);
    await eventually(async () => (await pixelsOf(page, "timeline", THEMES.light.button_color)) > 50, "and back");
    await eventually(async () => (await rowCount(page, "agents")) > 1, "the agent table has the team's rows");
    assert.ok((await rowCount(page, "categories")) >= 1, "the category table has rows");

    // The figures are the server's for the period shown; "Open" is the backlog now.
    const note = page.locator(".dashboard-period-note");
    const shown = await server.api("GET", `/statistics?from=${await note.getAttribute("data-from")}&to=${await note.getAttribute("data-to")}`,
                                   { token: demo.moderator.token });
    assert.equal(Number(await cardValue(page, "open")), shown.backlog.open);
    assert.equal(Number(await cardValue(page, "unassigned")), shown.unassigned);
    assert.equal(Number(await cardValue(page, "created")), shown.tickets);

    // Sorting: a header click orders the rows by that column.
    await page.locator(".stats-table.agents thead th button", { hasText: "Resolved" }).click();
    const resolved = await page.locator(".stats-table.agents tbody td:nth-child(4)").allInnerTexts();
    const numbers = resolved.map(Number);
    assert.deepEqual(numbers, numbers.slice().sort((a, b) => b - a), "rows sorted by resolved, most first");
    assert.equal(await page.locator(".stats-table.agents th[aria-sort='descending']").innerText(), "Resolved ↓");

    assert.equal(await page.locator(".dashboard-export").count(), 0, "a moderator has no export control");
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.evaluate(() => document.querySelector("main").scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENSHOTS, "desktop-dashboard.png"), scale: "css", animations: "disabled" });
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("a new ticket moves the numbers without a reload: the live period from the push, another by refetching", async () => {
  const { context, page, watch } = await openDashboard("moderator");
  try {
    await page.locator("#connection[data-state='connected']").waitFor();
    await page.evaluate(() => { window.notReloaded = true; });
    const before = Number(await cardValue(page, "open"));
    await newTicket("Dashboard live test");
    await eventually(async () => Number(await cardValue(page, "open")) === before + 1,
                     `the Open card goes from ${before} to ${before + 1}`);

    // 7 days: not the pushed period, so the push makes the view fetch it again.
    await page.locator("select[name='period']").selectOption("7d");
    await eventually(async () => (await page.locator(".chart[data-chart='timeline']").getAttribute("data-points")) === "168",
                     "7 days hour by hour");
    const created = Number((await cardValue(page, "created")).replace(/\D/g, ""));
    await newTicket("Dashboard refetch test");
    await eventually(async () => Number((await cardValue(page, "created")).replace(/\D/g, "")) === created + 1,
                     `the Created card goes from ${created} to ${created + 1}`);
    assert.equal(await page.evaluate(() => window.notReloaded), true, "the page was not reloaded");
    await page.locator("select[name='period']").selectOption("24h");
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("days are the viewer's own: the time zone goes along as tz, today and chosen days start at local midnight", async () => {
  const zone = "Asia/Tokyo";  // +9, no DST: local midnight is 15:00 UTC the day before
  const { context, page, watch } = await openDashboard("moderator", { options: { timezoneId: zone } });
  try {
    const asked = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/statistics") asked.push(url.searchParams);
    });
    const note = page.locator(".dashboard-period-note");
    await page.locator("select[name='period']").selectOption("today");
    await eventually(async () => (await note.getAttribute("data-from"))?.endsWith("T15:00:00Z"), "today starts at 15:00 UTC");
    assert.ok(asked.length > 0 && asked.every((query) => query.get("tz") === zone), "every request carries tz");

    // Chosen days: the figures are the server's for those local days.
    const today = await page.evaluate(() => new Date().toLocaleDateString("sv"));  // YYYY-MM-DD, local
    const first = await page.evaluate(() => new Date(Date.now() - 10 * 86_400_000).toLocaleDateString("sv"));
    await page.locator("select[name='period']").selectOption("custom");
    await page.getByLabel("From").fill(first);
    await page.getByLabel("To").fill(today);
    await page.getByLabel("To").dispatchEvent("change");
    const expected = await server.api("GET", `/statistics?from=${first}&to=${today}&tz=${zone}`, { token: demo.moderator.token });
    await eventually(async () => (await note.getAttribute("data-from")) === expected.from, `the period starts at ${expected.from}`);
    assert.equal(Number((await cardValue(page, "created")).replace(/\D/g, "")), expected.tickets);
    assert.equal(await page.locator(".chart[data-chart='timeline']").getAttribute("data-points"),
                 String(expected.timeseries.points.length), "11 days, day by day");
    await page.locator("select[name='period']").selectOption("24h");
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("a helper sees only their own figures: their row, no unassigned card, no forecast", async () => {
  const { context, page, watch } = await openDashboard("helper", { kind: "phone" });
  try {
    assert.equal(await page.locator(".dashboard").getAttribute("data-scope"), "own");
    await page.locator("select[name='period']").selectOption("90d");
    await eventually(async () => (await rowCount(page, "agents")) === 1, "one row in the agent table");
    assert.equal(await page.locator(".stats-table.agents tbody th").innerText(), demo.helper.user.first_name);
    assert.equal(await page.locator(".stat-card[data-card='unassigned']").count(), 0);
    assert.equal(await page.locator(".forecast").count(), 0);
    const own = await server.api("GET", "/statistics?assignee_id=me", { token: demo.helper.token });
    assert.equal(Number(await cardValue(page, "open")), own.backlog.open, "Open is the helper's own backlog");
    assert.equal((await server.call("GET", "/statistics/forecast", { token: demo.helper.token })).status, 403);
    await page.locator("select[name='period']").selectOption("24h");
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("a customer has no dashboard tab", async () => {
  const context = await newContext(browser, "phone");
  try {
    const { page, watch } = await openMiniApp(context, server, telegramOf("user"), { label: "customer" });
    await page.locator("#tabs .tab[data-tab='tickets']").waitFor();
    assert.equal(await page.locator("#tabs .tab[data-tab='dashboard']").count(), 0);
    assert.equal((await server.call("GET", "/statistics", { token: demo.user.token })).status, 403);
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("the forecast draws 168 hours with its band and staff, and says its error against same-hour-last-week", async () => {
  const { context, page, watch } = await openDashboard("moderator");
  try {
    const forecast = await server.api("GET", "/statistics/forecast?days=7", { token: demo.moderator.token });
    const chart = page.locator(".chart[data-chart='forecast']");
    await chart.locator("canvas").waitFor();
    await eventually(async () => (await chart.getAttribute("data-points")) === String(forecast.points.length),
                     "the forecast chart has the answer's points");
    assert.equal(forecast.points.length, 168);
    await eventually(async () => (await drawnPixels(page, "forecast")) > 500, "the forecast chart is drawn");
    const about = await page.locator(".forecast-about").innerText();
    const percent = (value) => `${new Intl.NumberFormat("en", { maximumFractionDigits: 1 }).format(value)}%`;
    assert.ok(forecast.backtest.error_mape !== null, "the demo history is long enough for a backtest");
    assert.match(about, new RegExp(`forecast error ${percent(forecast.backtest.error_mape)} vs ${percent(forecast.backtest.baseline_mape)} for “same hour last week”`));
    assert.match(about, /Method: /);
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("Russian and English labels; 360 px in the dark theme fits without sideways scrolling", async () => {
  const { context, page, watch } = await openDashboard("moderator", {
    kind: "phone", theme: "dark", options: { viewport: { width: 360, height: 780 } } });
  try {
    await page.locator(".chart[data-chart='timeline'] canvas").waitFor();
    await page.locator(".stats-table.agents tbody tr").first().waitFor();
    assert.equal(await page.locator(".stat-card[data-card='open'] .stat-label").innerText(), "Open");
    assert.equal(await sideways(page), null);
    assert.ok((await pixelsOf(page, "timeline", THEMES.dark.button_color)) > 50, "the created line is in the dark button_color");
    await page.evaluate(() => document.querySelector("main").scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENSHOTS, "phone-dashboard-dark.png"), scale: "css", animations: "disabled" });

    await page.locator("#language").selectOption("ru");
    await page.getByRole("heading", { level: 1, name: "Статистика" }).waitFor();
    await page.locator(".stat-card[data-card='open'] .stat-value").waitFor();
    assert.equal(await page.locator(".stat-card[data-card='open'] .stat-label").innerText(), "Открыто");
    await page.getByRole("heading", { level: 2, name: "Нагрузка по часам недели" }).waitFor();
    await page.locator(".forecast-about p").first().waitFor();
    const text = await page.locator("main").innerText();
    assert.doesNotMatch(text, /dashboard\.[a-zA-Z]/, "no raw string key");
    assert.match(text, /ошибка прогноза .* против .* у метода «тот же час неделю назад»/);
    await page.locator(".chart[data-chart='forecast'] canvas").waitFor();
    assert.equal(await sideways(page), null, "Russian at 360 px");
    await page.locator("#language").selectOption("en");
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("admins get an export of the period shown", async () => {
  const { context, page, watch } = await openDashboard("admin");
  try {
    const group = page.getByRole("group", { name: "Export" });
    await group.getByRole("button", { name: "CSV" }).waitFor();
    const from = await page.locator(".dashboard-period-note").getAttribute("data-from");
    const [download] = await Promise.all([page.waitForEvent("download"), group.getByRole("button", { name: "CSV" }).click()]);
    const url = new URL(download.url());
    assert.equal(url.pathname, "/reports/tickets");
    assert.equal(url.searchParams.get("format"), "csv");
    assert.equal(url.searchParams.get("from"), from, "the export covers the period shown");
    assert.match(download.suggestedFilename(), /\.csv$/);
    const lines = readFileSync(await download.path(), "utf8").split("\r\n").filter(Boolean);
    assert.ok(lines.length >= 2, `a header and tickets: ${lines.length} lines`);
    // XLSX is a zip ("PK"), PDF starts with "%PDF".
    for (const [format, magic] of [["xlsx", "PK"], ["pdf", "%PDF"]]) {
      const [file] = await Promise.all([page.waitForEvent("download"),
                                        group.getByRole("button", { name: format.toUpperCase() }).click()]);
      assert.match(file.suggestedFilename(), new RegExp(`\\.${format}$`));
      assert.equal(readFileSync(await file.path()).subarray(0, magic.length).toString("latin1"), magic, `${format} file`);
    }
    checkPages([watch]);
  } finally {
    await context.close();
  }
});
