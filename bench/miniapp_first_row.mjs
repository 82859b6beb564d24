#!/usr/bin/env node
// How long a staff member waits for the first ticket row of the queue, on a phone whose CPU
// is slowed down (Chromium's Emulation.setCPUThrottlingRate, 4× by default) — issue 17 asks
// for under a second with 300+ tickets in sight.
//
//   node bench/miniapp_first_row.mjs [--tickets 1000] [--loads 7] [--cpu 4] [--latency-ms 0]
//
// Builds a database with bench/generate_data.py (the demo moderator sees every ticket), starts
// build/release/ticketbot on it (tests/e2e/harness.mjs) and opens the Mini App as Telegram
// does, `--loads` times each way:
//   cold  a new browser profile each time: nothing cached (a first launch);
//   warm  a new page in a profile that has launched once (Telegram opening the app again:
//         the HTTP cache is kept, the tab's sessionStorage is not, so it signs in again).
// Each load is timed from the navigation's start to the first `.ticket-item` in the page
// (a MutationObserver installed before any script of the page runs), and to the first
// contentful paint. Prints the medians, the fastest and every figure. `--latency-ms` adds a round-trip
// time to every request (Network.emulateNetworkConditions), for a slow network as well.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BINARY, launchBrowser, newContext, ROOT, signInitData, TestServer, THEMES } from "../tests/e2e/harness.mjs";

const { values } = parseArgs({
  options: {
    tickets: { type: "string", default: "1000" },
    loads: { type: "string", default: "7" },
    cpu: { type: "string", default: "4" },
    "latency-ms": { type: "string", default: "0" },
  },
});
const TICKETS = Number(values.tickets);
const LOADS = Number(values.loads);
const CPU = Number(values.cpu);
const LATENCY = Number(values["latency-ms"]);
const MODERATOR = { id: 9_000_000_002, first_name: "Morgan", username: "demo_moderator", language_code: "en" };

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// Records, in the page, when the first ticket row appears (ms since the navigation began).
function recordFirstRow() {
  const observer = new MutationObserver(() => {
    if (document.querySelector(".ticket-item")) {
      window.firstRowAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}

async function load(context, url) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU });
  if (LATENCY > 0) {
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: LATENCY, downloadThroughput: -1, uploadThroughput: -1 });
  }
  await page.addInitScript(recordFirstRow);
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(() => window.firstRowAt !== undefined, null, { timeout: 30_000 });
  const figures = await page.evaluate(() => ({
    firstRow: window.firstRowAt,
    firstPaint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
    rows: document.querySelectorAll(".ticket-item").length,
  }));
  await page.close();
  return figures;
}

async function main() {
  const directory = mkdtempSync(join(tmpdir(), "miniapp-bench-"));
  const database = join(directory, "bench.db");
  let server;
  let browser;
  try {
    console.log(`bench: building ${TICKETS} tickets…`);
    execFileSync("python3", [join(ROOT, "bench/generate_data.py"), database, "--tickets", String(TICKETS),
                             "--messages", String(TICKETS * 3), "--bin", BINARY], { stdio: "inherit" });
    server = await TestServer.start({ DATABASE_URL: `sqlite:${database}` });
    const { token, user } = await server.login(MODERATOR);
    if (user.role !== "moderator") throw new Error(`demo_moderator is ${user.role}: generate_data.py changed?`);
    const page = await server.api("GET", "/tickets?limit=200", { token });
    if (page.items.length < 200) throw new Error(`the moderator sees ${page.items.length} tickets`);
    browser = await launchBrowser();
    const url = () => {
      const initData = signInitData(MODERATOR);
      return `${server.baseUrl}/app/#tgWebAppData=${encodeURIComponent(initData)}` +
        `&tgWebAppVersion=8.0&tgWebAppPlatform=android` +
        `&tgWebAppThemeParams=${encodeURIComponent(JSON.stringify(THEMES.light))}`;
    };

    const cold = [];
    for (let i = 0; i < LOADS; i += 1) {
      const context = await newContext(browser, "phone");
      cold.push(await load(context, url()));
      await context.close();
    }
    const warm = [];
    const context = await newContext(browser, "phone");
    await load(context, url());  // the first launch fills the cache
    for (let i = 0; i < LOADS; i += 1) warm.push(await load(context, url()));
    await context.close();

    const report = (label, runs) => {
      const rows = runs.map((run) => Math.round(run.firstRow));
      const paints = runs.map((run) => Math.round(run.firstPaint));
      // The fastest load says most about the page itself when the machine is busy.
      console.log(`${label}: first row median ${median(rows)} ms, fastest ${Math.min(...rows)} ms ` +
                  `(${rows.join(", ")}); first paint median ${median(paints)} ms, fastest ${Math.min(...paints)} ms ` +
                  `(${paints.join(", ")}); rows shown ${runs[0].rows}`);
    };
    console.log(`bench: ${CPU}× CPU slowdown, ${LATENCY} ms added latency, ${LOADS} loads each, phone viewport; ` +
                `load average ${loadavg().map((value) => value.toFixed(1)).join(" ")} on ${cpus().length} cores ` +
                "(anything else running slows the figures down)");
    report("cold (first launch)", cold);
    report("warm (launched before)", warm);
  } finally {
    await browser?.close();
    await server?.dispose();
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
