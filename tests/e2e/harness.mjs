// End-to-end harness: the real `ticketbot` binary on a loopback port with its own SQLite
// file, Telegram initData signed here the way Telegram signs it, and Debian's Chromium
// driven by playwright-core. Test files (tests/e2e/*.test.mjs) run under `node --test`.
//
//   E2E_BINARY     the server binary (default build/release/ticketbot)
//   E2E_CHROMIUM   the browser (default /usr/bin/chromium)
//   E2E_WEB_ROOT   serve the Mini App from here instead of the binary's own web/ directory
//   E2E_KEEP=1     keep each server's temporary directory (database, server.log)
//   E2E_HEADED=1   show the browser (needs a display)

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BINARY = process.env.E2E_BINARY || join(ROOT, "build/release/ticketbot");
export const CHROMIUM = process.env.E2E_CHROMIUM || "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "docs/screenshots");

export const BOT_TOKEN = "7000000001:AAE2E-test-token-not-a-real-bot-000000";
export const ADMIN_TELEGRAM_ID = 900001;

// How long a test waits for something the app should do by itself (a render, a push).
export const WAIT_MS = 5_000;

// ---------------------------------------------------------------------------------------
// Telegram initData

// Signs `user` (Telegram's WebAppUser fields) as TELEGRAM.md describes: every field but
// `hash`, sorted by key, `key=value` joined with "\n", HMAC-SHA256 with the secret
// HMAC_SHA256(key "WebAppData", message bot_token). Returns the raw initData query string,
// percent-encoded as Telegram does (%20, never "+").
// `startParam` becomes `start_param`, as when Telegram opens t.me/<bot>?startapp=<param>.
export function signInitData(user, { token = BOT_TOKEN, authDate, queryId, startParam } = {}) {
  const fields = {
    query_id: queryId ?? `AAE2E${randomBytes(6).toString("hex")}`,
    user: JSON.stringify(user),
    auth_date: String(authDate ?? Math.floor(Date.now() / 1000)),
    ...(startParam ? { start_param: startParam } : {}),
  };
  const checkString = Object.keys(fields).sort().map((key) => `${key}=${fields[key]}`).join("\n");
  const secret = createHmac("sha256", "WebAppData").update(token).digest();
  const hash = createHmac("sha256", secret).update(checkString).digest("hex");
  return Object.entries({ ...fields, hash })
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join("&");
}

// Signs Login Widget fields (id, first_name, …, auth_date; strings or numbers) as
// TELEGRAM.md describes: every field but `hash`, sorted by key, `key=value` joined with
// "\n", HMAC-SHA256 with the secret SHA256(bot_token). Returns the fields plus `hash`, all
// strings, as Telegram appends them to data-auth-url.
export function signLoginWidget(fields, { token = BOT_TOKEN } = {}) {
  const text = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, String(value)]));
  const checkString = Object.keys(text).sort().map((key) => `${key}=${text[key]}`).join("\n");
  const secret = createHash("sha256").update(token).digest();
  return { ...text, hash: createHmac("sha256", secret).update(checkString).digest("hex") };
}

// A Telegram user for signInitData; `id` is the Telegram id.
export function telegramUser(id, firstName, username, languageCode = "en") {
  return { id, first_name: firstName, username, language_code: languageCode };
}

// Theme params as Telegram sends them. The colours are deliberately unusual so a test can
// tell a themed colour from a browser default or a colour fixed in the CSS.
export const THEMES = {
  light: {
    bg_color: "#fefdf8",
    text_color: "#101820",
    hint_color: "#8a8f99",
    link_color: "#1f6fc5",
    button_color: "#2a7ad1",
    button_text_color: "#ffffff",
    secondary_bg_color: "#eef0f3",
    header_bg_color: "#fefdf8",
    accent_text_color: "#1f6fc5",
    section_bg_color: "#ffffff",
    section_header_text_color: "#5a7fa8",
    subtitle_text_color: "#7d8590",
    destructive_text_color: "#d83b3b",
  },
  dark: {
    bg_color: "#1c2230",
    text_color: "#f2f4f7",
    hint_color: "#8d96a6",
    link_color: "#6cb3f5",
    button_color: "#4f8fe0",
    button_text_color: "#ffffff",
    secondary_bg_color: "#121722",
    header_bg_color: "#1c2230",
    accent_text_color: "#6cb3f5",
    section_bg_color: "#232a3a",
    section_header_text_color: "#7fb2e8",
    subtitle_text_color: "#9aa3b2",
    destructive_text_color: "#ef6b6b",
  },
};

// The URL Telegram opens: /app/#tgWebAppData=…&tgWebAppVersion=…&tgWebAppThemeParams=…
export function miniAppUrl(baseUrl, initData, { theme = "light", path = "/app/" } = {}) {
  const themeParams = typeof theme === "string" ? THEMES[theme] : theme;
  return `${baseUrl}${path}#tgWebAppData=${encodeURIComponent(initData)}` +
    `&tgWebAppVersion=8.0&tgWebAppPlatform=unknown` +
    `&tgWebAppThemeParams=${encodeURIComponent(JSON.stringify(themeParams))}`;
}

// "#1c2230" → "rgb(28, 34, 48)", as getComputedStyle reports colours.
export function hexToRgb(hex) {
  const value = Number.parseInt(hex.replace("#", ""), 16);
  return `rgb(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255})`;
}

// ---------------------------------------------------------------------------------------
// The server

const running = new Set();  // every child process still alive, killed when Node exits
const directories = new Set();  // every temporary directory not yet removed

function killAll() {
  for (const child of running) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  if (process.env.E2E_KEEP === "1") return;
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
}
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[signal]);
  });
}

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

// Warns (once) when webapp/public has files newer than the copy the binary serves.
let assetsChecked = false;
function warnIfAssetsStale() {
  if (assetsChecked || process.env.E2E_WEB_ROOT) return;
  assetsChecked = true;
  const stamp = join(dirname(BINARY), "web/.stamp");
  if (!existsSync(stamp)) return;
  const laidOut = statSync(stamp).mtimeMs;
  const newer = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (statSync(path).mtimeMs > laidOut) newer.push(path);
    }
  };
  walk(join(ROOT, "webapp/public"));
  if (newer.length > 0) {
    console.warn(`e2e: ${newer.length} file(s) in webapp/public are newer than ${stamp}; ` +
                 "run `cmake --build build/release --target web_assets` to test them");
  }
}

// tests/fakes/fake_bot_api.py on a free loopback port, accepting `token` (the harness's
// BOT_TOKEN by default, so that initData signed here stays valid). Its getMe answers
// FAKE_BOT_USERNAME. Start ticketbot with fakeBotApi.env() to run the bot against it.
export const FAKE_BOT_USERNAME = "ticketbot_test_bot";

export class FakeBotApi {
  static async start({ token = BOT_TOKEN } = {}) {
    const fake = new FakeBotApi();
    fake.token = token;
    const child = spawn("python3", [join(ROOT, "tests/fakes/fake_bot_api.py"), "--port", "0", "--token", token],
                        { stdio: ["ignore", "pipe", "pipe"] });
    fake.child = child;
    // Its stderr (tracebacks of connections the bot dropped at shutdown, which are noise
    // here) is kept, the last few KB, for an error message.
    let errors = "";
    child.stderr.on("data", (chunk) => { errors = (errors + chunk).slice(-4096); });
    running.add(child);
    child.once("exit", () => running.delete(child));
    fake.url = await new Promise((resolveUrl, reject) => {
      let seen = "";
      let found = false;
      const timer = setTimeout(() => reject(new Error(`fake_bot_api.py did not say where it listens:\n${errors}`)), 10_000);
      child.once("exit", (code) => reject(new Error(`fake_bot_api.py exited (${code}):\n${errors}`)));
      // Keeps reading to the end, so that its later output never fills the pipe.
      child.stdout.on("data", (chunk) => {
        if (found) return;
        seen += chunk;
        const match = /listening on (http:\/\/\S+)\n/.exec(seen);
        if (match) {
          found = true;
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      });
    });
    return fake;
  }

  // ticketbot's settings for a bot that long-polls this fake.
  env() {
    return { TELEGRAM_BOT_TOKEN: this.token, TELEGRAM_API_URL: this.url, TELEGRAM_MODE: "polling" };
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolveExit) => child.once("exit", resolveExit));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(timer);
  }
}

export class TestServer {
  // `env` adds or overrides settings (ticketbot's environment variables).
  constructor(env = {}) {
    this.extraEnv = env;
    this.dir = mkdtempSync(join(tmpdir(), "ticketbot-e2e-"));
    directories.add(this.dir);
    this.databasePath = join(this.dir, "e2e.db");
    this.logPath = join(this.dir, "server.log");
    this.port = 0;
    this.child = null;
    this.exited = null;  // resolves with {code, signal} when the current process ends
  }

  static async start(env = {}) {
    const server = new TestServer(env);
    server.port = await freePort();
    await server.launch();
    return server;
  }

  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  url(path) {
    return `${this.baseUrl}${path}`;
  }

  async launch() {
    if (!existsSync(BINARY)) {
      throw new Error(`${BINARY} is missing: build it first (cmake --preset release && cmake --build --preset release)`);
    }
    warnIfAssetsStale();
    // A clean environment: nothing from the caller's shell or a .env (cwd is the temp dir).
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: this.dir,
      LANG: "C.UTF-8",
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: String(this.port),
      HTTP_THREADS: "2",
      PUBLIC_URL: this.baseUrl,
      DATABASE_URL: `sqlite:${this.databasePath}`,
      ATTACHMENTS_DIR: join(this.dir, "attachments"),
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_MODE: "off",
      BOOTSTRAP_ADMINS: String(ADMIN_TELEGRAM_ID),
      AUTH_RATE_LIMIT: "10000",
      SHUTDOWN_TIMEOUT: "2",
      LOG_LEVEL: "warn",
      DEMO: "0",
      ...(process.env.E2E_WEB_ROOT ? { WEB_ROOT: process.env.E2E_WEB_ROOT } : {}),
      ...(process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: process.env.ASAN_OPTIONS } : {}),
      ...this.extraEnv,
    };
    const log = openSync(this.logPath, "a");
    const child = spawn(BINARY, ["serve"], { cwd: this.dir, env, stdio: ["ignore", log, log] });
    closeSync(log);
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolveExit) => {
      child.once("exit", (code, signal) => {
        running.delete(child);
        resolveExit({ code, signal });
      });
      // The binary could not be started at all (missing, or being linked right now).
      child.once("error", (error) => {
        running.delete(child);
        resolveExit({ code: error.code, signal: null });
      });
    });
    await this.waitHealthy(child);
  }

  async waitHealthy(child, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    let exit = null;
    this.exited.then((result) => { exit = result; });
    while (Date.now() < deadline) {
      if (exit) {
        throw new Error(`ticketbot exited (${exit.code ?? exit.signal}) before it was healthy:\n${this.logTail()}`);
      }
      try {
        const response = await fetch(this.url("/healthz"), { signal: AbortSignal.timeout(1000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    child.kill("SIGKILL");
    throw new Error(`ticketbot did not answer /healthz within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  logTail(lines = 40) {
    try {
      return readFileSync(this.logPath, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  // SIGTERM (graceful), then SIGKILL if it takes more than `graceMs`.
  async stop(graceMs = 5_000) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
    this.child = null;
  }

  // Same port, same database: clients see a server that went away and came back.
  async restart() {
    await this.stop();
    await this.launch();
  }

  // Stops the server and removes its directory (unless E2E_KEEP=1).
  async dispose() {
    await this.stop();
    if (process.env.E2E_KEEP === "1") {
      console.log(`e2e: kept ${this.dir}`);
    } else {
      rmSync(this.dir, { recursive: true, force: true });
      directories.delete(this.dir);
    }
  }

  // ----- REST helpers ---------------------------------------------------------------------

  // → {status, body}; never throws on an HTTP error status.
  async call(method, path, { token, body } = {}) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(this.url(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(WAIT_MS),
    });
    const text = await response.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed };
  }

  // Like call, but a status other than 2xx is an error naming the request.
  async api(method, path, options = {}) {
    const { status, body } = await this.call(method, path, options);
    if (status < 200 || status > 299) {
      throw new Error(`${method} ${path} → ${status} ${JSON.stringify(body)}`);
    }
    return body;
  }

  // Logs in with signed initData → {token, user, initData}.
  async login(user) {
    const initData = signInitData(user);
    const { token, user: account } = await this.api("POST", "/auth/telegram", { body: { init_data: initData } });
    return { token, user: account, initData };
  }

  // The bootstrap admin's session (created on first use).
  async admin() {
    this.adminSession ??= await this.login(telegramUser(ADMIN_TELEGRAM_ID, "Ada", "e2e_admin"));
    return this.adminSession;
  }

  async setRole(userId, role) {
    const { token } = await this.admin();
    return this.api("PUT", `/users/${userId}/role`, { token, body: { role } });
  }

  async createCategory(name, fields = {}) {
    const { token } = await this.admin();
    return this.api("POST", "/categories", { token, body: { name, ...fields } });
  }

  async setCategories(userId, categoryIds) {
    const { token } = await this.admin();
    return this.api("PUT", `/users/${userId}/categories`, { token, body: { category_ids: categoryIds } });
  }

  // A helper handling `categoryIds`: logs in (creating the user), is promoted, then logs in
  // again so that the returned token and user carry the new role.
  async helper(telegram, categoryIds = []) {
    const first = await this.login(telegram);
    await this.setRole(first.user.id, "helper");
    if (categoryIds.length > 0) await this.setCategories(first.user.id, categoryIds);
    return this.login(telegram);
  }
}

// ---------------------------------------------------------------------------------------
// The browser

export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) " +
             "Chrome/124.0 Mobile Safari/537.36",
};
export const DESKTOP = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/install-deps.sh does)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: process.env.E2E_HEADED !== "1",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

// A browser context (its own cookies and storage: one person) of the phone or desktop kind.
export async function newContext(browser, kind = "phone", options = {}) {
  const context = await browser.newContext({
    ...(kind === "phone" ? PHONE : DESKTOP),
    locale: "en-US",
    timezoneId: "UTC",
    ...options,
  });
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(10_000);
  return context;
}

// Records what a page says went wrong: console errors, uncaught exceptions, dialogs.
// `allow(regex)` lets console errors through whose text, or the URL they name, matches
// (e.g. a refused WebSocket while the server is down on purpose); uncaught exceptions are
// never allowed.
export class PageWatch {
  constructor(page, label) {
    this.page = page;
    this.label = label;
    this.errors = [];
    this.dialogs = [];
    // The browser asks for /favicon.ico by itself; its 404 is not the app's doing.
    this.allowed = [/favicon\.ico/];
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const url = message.location()?.url;
      const line = `console.error: ${message.text()}${url ? ` (${url})` : ""}`;
      if (this.allowed.some((pattern) => pattern.test(line))) return;
      this.errors.push(line);
    });
    page.on("pageerror", (error) => {
      this.errors.push(`uncaught ${error.name}: ${error.message}\n${error.stack ?? ""}`);
    });
    page.on("dialog", (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
  }

  allow(pattern) {
    this.allowed.push(pattern);
    return () => {
      this.allowed = this.allowed.filter((p) => p !== pattern);
    };
  }

  // Throws listing every error seen since the last check (each is reported once, so a
  // later test does not fail for an earlier one's error).
  check() {
    const errors = this.errors.splice(0);
    if (errors.length > 0) {
      throw new Error(`${this.label}: the page reported ${errors.length} error(s):\n  ${errors.join("\n  ")}`);
    }
  }
}

// Every page in `watches`: no console error, no uncaught exception, no browser dialog.
export function checkPages(watches) {
  for (const watch of watches) {
    watch.check();
    assert.deepEqual(watch.dialogs.splice(0), [], `${watch.label}: no browser dialog may open`);
  }
}

// Opens the Mini App as Telegram would for `telegram` (a telegramUser) → {page, watch}.
export async function openMiniApp(context, server, telegram, { theme = "light", label, startParam } = {}) {
  const page = await context.newPage();
  const watch = new PageWatch(page, label ?? `${telegram.username ?? telegram.id}`);
  const initData = signInitData(telegram, { startParam });
  await page.goto(miniAppUrl(server.baseUrl, initData, { theme }));
  return { page, watch };
}

// Polls `probe` until it returns a truthy value; fails with `message` after `timeoutMs`.
export async function eventually(probe, message, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${message} (after ${timeoutMs} ms; last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await sleep(50);
  }
}
