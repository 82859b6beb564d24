// What the a11y, native and caching tests share: a small help desk with a ticket in every
// status and priority and a conversation with every kind of message, and opening the
// Mini App at one of its addresses (#/tickets/106, #/admin/users, …) in a given theme.
import { setTimeout as sleep } from "node:timers/promises";
import { signInitData, THEMES, WAIT_MS } from "./harness.mjs";

// Telegram's own default light theme (Android, 2024): its hint on white is 2.8:1 and white on
// its button 4.1:1, short of WCAG AA; the app must correct that, not pass it on.
export const TELEGRAM_DEFAULT_LIGHT = {
  bg_color: "#ffffff",
  text_color: "#000000",
  hint_color: "#999999",
  link_color: "#2481cc",
  button_color: "#3390ec",
  button_text_color: "#ffffff",
  secondary_bg_color: "#f0f0f0",
  header_bg_color: "#ffffff",
  accent_text_color: "#2481cc",
  section_bg_color: "#ffffff",
  section_header_text_color: "#2481cc",
  subtitle_text_color: "#999999",
  destructive_text_color: "#ff3b30",
};

// The URL Telegram opens, as harness.miniAppUrl, with any theme (an object; {} for none)
// and platform ("unknown" is a plain browser: the page draws its own buttons).
export function launchUrl(server, telegram, { theme = "light", platform = "unknown", startParam } = {}) {
  const themeParams = typeof theme === "string" ? THEMES[theme] : theme;
  const initData = signInitData(telegram, { startParam });
  return `${server.baseUrl}/app/#tgWebAppData=${encodeURIComponent(initData)}` +
    `&tgWebAppVersion=8.0&tgWebAppPlatform=${platform}` +
    `&tgWebAppThemeParams=${encodeURIComponent(JSON.stringify(themeParams))}`;
}

// Waits for the app's first screen (the router has written its first address).
export async function firstScreen(page) {
  await page.waitForFunction(() => location.hash.startsWith("#/") && document.querySelector("#view[data-view]"));
  await settle(page);
}

// Goes to an address of the app, as a link would, and waits for the screen to settle.
export async function goTo(page, route) {
  await page.evaluate((hash) => { location.hash = hash; }, route);
  await page.waitForFunction((hash) => location.hash === hash, route);
  await settle(page);
}

// Requests in flight per page (Playwright's "networkidle" holds for the first load only, not
// for what a later screen asks for).
const inFlight = new WeakMap();
function track(page) {
  if (inFlight.has(page)) return inFlight.get(page);
  const state = { count: 0, last: Date.now() };
  const done = () => {
    state.count = Math.max(0, state.count - 1);
    state.last = Date.now();
  };
  page.on("request", () => {
    state.count += 1;
    state.last = Date.now();
  });
  page.on("requestfinished", done);
  page.on("requestfailed", done);
  inFlight.set(page, state);
  return state;
}

// Starts counting `page`'s requests: call right after newPage(), before it loads.
export const watchRequests = track;

// Until nothing is loading: no request in flight for 300 ms, no "Loading…" left in the view,
// and two frames drawn.
export async function settle(page) {
  const state = track(page);
  const deadline = Date.now() + WAIT_MS;
  while (state.count > 0 || Date.now() - state.last < 300) {
    if (Date.now() > deadline) throw new Error(`${state.count} request(s) still in flight after ${WAIT_MS} ms`);
    await sleep(50);
  }
  await page.waitForFunction(() => ![...document.querySelectorAll("main .placeholder, main li.placeholder")]
    .some((element) => /Loading|Загрузка/.test(element.textContent)));
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

// The desk: a category with an SLA and an auto-reply, a helper in it, a moderator, the
// bootstrap admin, and a customer with five tickets (every status, every priority) whose
// first has a reply, an internal note and the auto-reply. → ids and sessions.
export async function buildDesk(server, { customer, helper, moderator }) {
  const admin = await server.admin();
  const category = await server.createCategory("Billing", { default_priority: "normal", sla_minutes: 240 });
  await server.api("POST", "/auto-replies", {
    token: admin.token,
    body: { name: "Greeting", event: "ticket_created", category_id: category.id, keywords: [],
            body: "Thanks, we have your ticket and will answer soon." },
  });
  const staff = await server.helper(helper, [category.id]);
  const first = await server.login(moderator);
  await server.setRole(first.user.id, "moderator");
  const lead = await server.login(moderator);
  const person = await server.login(customer);
  const create = (subject, priority) => server.api("POST", "/tickets", {
    token: person.token, body: { subject, body: `About: ${subject}.`, priority, category_id: category.id } });
  const tickets = {
    open: await create("Card charged twice", "high"),  // made critical below: customers may not
    inProgress: await create("Cannot log in after the update", "high"),
    waiting: await create("Invoice for March", "normal"),
    resolved: await create("Refund status", "low"),
    closed: await create("Change of address", "normal"),
  };
  const put = (ticket, body) => server.api("PUT", `/tickets/${ticket.id}`, { token: lead.token, body });
  await put(tickets.open, { priority: "critical" });
  await put(tickets.inProgress, { status: "in_progress", assignee_id: staff.user.id });
  await put(tickets.waiting, { status: "waiting" });
  await put(tickets.resolved, { status: "resolved" });
  await put(tickets.closed, { status: "closed" });
  const post = (token, ticket, body, internal = false) =>
    server.api("POST", `/tickets/${ticket.id}/messages`, { token, body: { body, internal } });
  await post(staff.token, tickets.open, "Hello! I see two charges on the 3rd. Checking with the bank.");
  await post(staff.token, tickets.open, "Bank reference 55-0231, ask finance tomorrow.", true);
  await post(person.token, tickets.open, "Thank you, waiting for news.");
  return { admin, category, helper: staff, moderator: lead, customer: person, tickets };
}
