// Accessibility of the main screens, checked by axe-core (npm `axe-core`, injected into the
// page) against WCAG 2.0, 2.1 and 2.2 at levels A and AA — every rule with those tags, not
// only contrast — with zero violations allowed, in Telegram's light and dark themes (the
// harness's deliberately unusual ones and Telegram's own default light theme, whose hint and
// button colours fall short of AA until the app corrects them) and outside Telegram in the
// system's light and dark. Then the tap targets: on a phone every visible control is at
// least 44 × 44 px.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { checkPages, launchBrowser, newContext, PageWatch, TestServer, telegramUser } from "./harness.mjs";
import { buildDesk, firstScreen, goTo, launchUrl, settle, TELEGRAM_DEFAULT_LIGHT, watchRequests } from "./native_kit.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const CUSTOMER = telegramUser(730001, "Olga", "olga_customer");
const HELPER = telegramUser(730002, "Igor", "igor_helper");
const MODERATOR = telegramUser(730003, "Vera", "vera_moderator");
const ADMIN = telegramUser(900001, "Ada", "e2e_admin");

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

// Every screen worth checking: who, where, and what shows that it has loaded.
function screens() {
  const { tickets } = desk;
  return [
    { person: CUSTOMER, route: "#/tickets", name: "customer: my tickets", ready: ".ticket-item" },
    { person: CUSTOMER, route: "#/new", name: "customer: new ticket", ready: "form select" },
    { person: CUSTOMER, route: `#/tickets/${tickets.open.id}`, name: "customer: a conversation", ready: ".message.mine" },
    { person: CUSTOMER, route: `#/tickets/${tickets.resolved.id}`, name: "customer: rating a resolved ticket", ready: ".stars" },
    { person: HELPER, route: "#/queue", name: "helper: queue", ready: ".ticket-item" },
    { person: HELPER, route: `#/tickets/${tickets.open.id}`, name: "helper: a ticket with a note", ready: ".message.internal" },
    { person: HELPER, route: "#/queue", name: "helper: the shortcuts", ready: ".ticket-item",
      then: async (page) => {
        await page.keyboard.press("Shift+Slash");
        await page.locator("dialog.shortcuts-help").waitFor();
      } },
    { person: MODERATOR, route: "#/dashboard", name: "moderator: dashboard", ready: ".stat-card" },
    { person: ADMIN, route: "#/admin", name: "admin: administration", ready: ".admin-home-item" },
    { person: ADMIN, route: "#/admin/categories", name: "admin: categories", ready: ".admin-table" },
    { person: ADMIN, route: "#/admin/auto-replies", name: "admin: auto-replies", ready: ".admin-table" },
    { person: ADMIN, route: "#/admin/users", name: "admin: users", ready: ".admin-table" },
    { person: ADMIN, route: "#/admin/audit", name: "admin: audit log", ready: ".admin-table" },
  ];
}

const VARIANTS = [
  // The system's preference is the opposite of Telegram's theme: Telegram's must win.
  { label: "Telegram light (system dark)", theme: "light", colorScheme: "dark" },
  { label: "Telegram dark (system light)", theme: "dark", colorScheme: "light" },
  { label: "Telegram's default light", theme: TELEGRAM_DEFAULT_LIGHT, colorScheme: "light" },
  { label: "browser, system light", theme: {}, colorScheme: "light" },
  { label: "browser, system dark", theme: {}, colorScheme: "dark" },
];

// One page per person in `context`, opened as Telegram opens the app.
async function pagesFor(context, theme) {
  const pages = new Map();
  return async (person) => {
    if (!pages.has(person)) {
      const page = await context.newPage();
      watchRequests(page);
      const watch = new PageWatch(page, person.username);
      await page.goto(launchUrl(server, person, { theme }));
      await firstScreen(page);
      pages.set(person, { page, watch });
    }
    return pages.get(person);
  };
}

async function open(pageOf, screen) {
  const { page, watch } = await pageOf(screen.person);
  await goTo(page, screen.route);
  await page.locator(screen.ready).first().waitFor();
  await settle(page);
  await screen.then?.(page);
  return { page, watch };
}

// axe's violations on the page, each with a few of the elements it names.
async function axeViolations(page) {
  // Evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays on.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return results.violations.map((violation) => ({
      rule: violation.id,
      help: violation.help,
      elements: violation.nodes.length,
      examples: violation.nodes.slice(0, 4).map((node) => `${node.target.join(" ")}: ${node.failureSummary}`),
    }));
  }, WCAG_AA);
}

for (const variant of VARIANTS) {
  test(`axe-core finds no WCAG A/AA violation on the main screens (${variant.label})`, async () => {
    const phone = await newContext(browser, "phone", { colorScheme: variant.colorScheme });
    const desktop = await newContext(browser, "desktop", { colorScheme: variant.colorScheme });
    try {
      const found = [];
      const watches = [];
      for (const [kind, context] of [["phone", phone], ["desktop", desktop]]) {
        const pageOf = await pagesFor(context, variant.theme);
        for (const screen of screens()) {
          // The desktop adds the wide layouts: the queue beside a ticket, the tables.
          if (kind === "desktop" && !/queue|dashboard|admin: users|conversation/.test(screen.name)) continue;
          const { page, watch } = await open(pageOf, screen);
          watches.push(watch);
          for (const violation of await axeViolations(page)) {
            found.push(`${kind}, ${screen.name}: ${violation.rule} (${violation.help}) on ${violation.elements}:\n` +
                       violation.examples.map((line) => `      ${line}`).join("\n"));
          }
          if (screen.then) await page.keyboard.press("Escape");
        }
      }
      assert.deepEqual(found, [], `axe-core (${variant.label}):\n${found.join("\n")}`);
      checkPages(watches);
    } finally {
      await phone.close();
      await desktop.close();
    }
  });
}

// Every visible control smaller than 44 × 44 px on the page: "what (w×h)". A checkbox or
// radio counts with its label (a tap on either works); a link inside running text is
// exempt, as WCAG 2.5.8 exempts it.
async function smallTargets(page) {
  return page.evaluate(() => {
    const MINIMUM = 44;
    const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, ' +
      '[role="button"], [role="tab"], [role="link"], [tabindex]:not([tabindex="-1"])';
    const describe = (element) => {
      const text = (element.getAttribute("aria-label") || element.textContent || element.getAttribute("placeholder") || "")
        .trim().replace(/\s+/g, " ").slice(0, 30);
      const classes = element.className && typeof element.className === "string" ? `.${element.className.split(" ").join(".")}` : "";
      return `<${element.tagName.toLowerCase()}${classes}> "${text}"`;
    };
    const small = [];
    for (const element of document.querySelectorAll(selector)) {
      if (element.disabled || element.getClientRects().length === 0) continue;
      const style = getComputedStyle(element);
      if (style.visibility !== "visible") continue;
      if (element.matches("a") && style.display === "inline" &&
          element.parentElement.textContent.trim() !== element.textContent.trim()) continue;
      const target = element.matches('input[type="checkbox"], input[type="radio"]')
        ? element.closest("label") ?? element : element;
      const box = target.getBoundingClientRect();
      if (box.width + 0.5 < MINIMUM || box.height + 0.5 < MINIMUM) {
        small.push(`${describe(element)} ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return small;
  });
}

test("on a phone every visible control is at least 44 × 44 px", async () => {
  const context = await newContext(browser, "phone");
  try {
    assert.ok(await (await context.newPage()).evaluate(() => matchMedia("(pointer: coarse)").matches),
              "the phone context has a coarse pointer");
    const pageOf = await pagesFor(context, "light");
    const found = [];
    const watches = [];
    let checked = 0;
    for (const screen of screens()) {
      const { page, watch } = await open(pageOf, screen);
      watches.push(watch);
      checked += await page.evaluate(() => document.querySelectorAll("button, select, input, textarea, a[href]").length);
      for (const line of await smallTargets(page)) found.push(`${screen.name}: ${line}`);
      if (screen.then) await page.keyboard.press("Escape");
    }
    assert.ok(checked > 50, `${checked} controls were measured`);
    assert.deepEqual(found, [], `controls smaller than 44 × 44 px:\n${found.join("\n")}`);
    checkPages(watches);
  } finally {
    await context.close();
  }
});
