// The staff queue (issue 17): the active tickets by default, several statuses at once, the
// order and the time shown with it, filters that survive a reload, search as people type
// (prefixes, Russian word forms, #number), unread badges that clear when a ticket is opened,
// at least ten rows on a 1280×800 desktop, and a 60-character Russian subject on a 360 px
// phone with nothing to scroll sideways.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPages, eventually, launchBrowser, miniAppUrl, newContext, openMiniApp, PageWatch, signInitData,
         TestServer, telegramUser } from "./harness.mjs";

const CUSTOMER = telegramUser(730001, "Pavel", "pavel_customer", "ru");
const OLIVIA = telegramUser(730002, "Olivia", "olivia_k");
const MODERATOR = telegramUser(730003, "Marat", "marat_moderator");
const MODERATOR_RU = telegramUser(730004, "Мария", "maria_moderator", "ru");

// 60 characters, no word longer than the screen: the row must cut it, not the screen scroll.
const RUSSIAN_SUBJECT = "Не проходит оплата картой в приложении после обновления до 5";

let server;
let browser;
let customer;
let olivia;
let moderator;
const ids = {};

before(async () => {
  assert.equal([...RUSSIAN_SUBJECT].length, 60);
  server = await TestServer.start();
  browser = await launchBrowser();
  const payments = await server.createCategory("Payments", { sla_minutes: 60 });
  for (const person of [MODERATOR, MODERATOR_RU]) {
    const first = await server.login(person);
    await server.setRole(first.user.id, "moderator");
  }
  moderator = await server.login(MODERATOR);
  await server.login(MODERATOR_RU);
  customer = await server.login(CUSTOMER);
  olivia = await server.login(OLIVIA);
  const create = (who, subject, extra = {}) => server.api("POST", "/tickets", {
    token: who.token, body: { subject, body: `${subject}: details`, ...extra } });
  for (let i = 1; i <= 12; i += 1) {
    const { id } = await create(customer, `Question number ${i}`, i % 3 === 0 ? { category_id: payments.id } : {});
    if (i === 3) ids.firstDue = id;  // the first with the category's one-hour SLA: due first
  }
  ids.russian = (await create(customer, RUSSIAN_SUBJECT, { category_id: payments.id })).id;
  ids.crash = (await create(olivia, "App crashes on startup")).id;
  ids.closed = (await create(customer, "Old closed question")).id;
  await server.api("PUT", `/tickets/${ids.closed}`, { token: customer.token, body: { status: "closed" } });
  ids.waiting = (await create(customer, "Waiting on the customer")).id;
  await server.api("PUT", `/tickets/${ids.waiting}`, { token: moderator.token, body: { status: "waiting" } });
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

const rowOf = (page, id) => page.getByRole("button", { name: new RegExp(`^#${id} · `) });

// The ids of the rows, top to bottom.
async function rowIds(page) {
  return page.locator(".ticket-list .ticket-item").evaluateAll(
    (rows) => rows.map((row) => Number(row.dataset.id)));
}

async function openQueue(kind, person = MODERATOR, options = {}) {
  const context = await newContext(browser, kind, options);
  const opened = await openMiniApp(context, server, person, { label: `${person.username} (${kind})` });
  await opened.page.locator(".ticket-list .ticket-item").first().waitFor();
  return { context, ...opened };
}

test("by default the active tickets by last activity; several statuses at once", async () => {
  const { context, page, watch } = await openQueue("desktop");
  try {
    const statuses = page.getByRole("group", { name: "Status" });
    for (const [name, pressed] of [["Open", "true"], ["In progress", "true"], ["Waiting for reply", "true"],
                                   ["Resolved", "false"], ["Closed", "false"]]) {
      assert.equal(await statuses.getByRole("button", { name, exact: true }).getAttribute("aria-pressed"), pressed, name);
    }
    assert.equal(await page.getByLabel("Sort").inputValue(), "last_activity");
    await rowOf(page, ids.waiting).waitFor();
    assert.equal(await rowOf(page, ids.closed).count(), 0, "a closed ticket is not in the default queue");
    const { items } = await server.api("GET", "/tickets?status=open,in_progress,waiting&sort=last_activity&limit=50",
                                       { token: moderator.token });
    assert.deepEqual(await rowIds(page), items.map((ticket) => ticket.id), "the server's order");
    assert.match(await rowOf(page, ids.crash).locator("time").innerText(), /^last message /);

    // Closed as well: the closed ticket comes in; then without open ones.
    await statuses.getByRole("button", { name: "Closed", exact: true }).click();
    await rowOf(page, ids.closed).waitFor();
    await statuses.getByRole("button", { name: "Open", exact: true }).click();
    const expected = JSON.stringify([ids.waiting, ids.closed].sort());
    await eventually(async () => JSON.stringify((await rowIds(page)).sort()) === expected,
                     "only the waiting and the closed ticket are left");
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("filters are the person's own and survive a reload; the time shown follows the order", async () => {
  const { context, page, watch } = await openQueue("desktop");
  try {
    await page.getByLabel("Sort").selectOption("sla_due");
    const statuses = page.getByRole("group", { name: "Status" });
    await statuses.getByRole("button", { name: "Waiting for reply", exact: true }).click();
    await page.getByRole("group", { name: "Show" }).getByRole("button", { name: "Unassigned" }).click();
    // Payments tickets are due an hour after they came, the others (no category) in eight.
    await eventually(async () => (await rowIds(page))[0] === ids.firstDue, "the soonest due comes first");
    const order = await rowIds(page);
    assert.ok(order.indexOf(ids.russian) < order.indexOf(ids.crash), "an hour's SLA before eight hours'");
    assert.match(await rowOf(page, ids.russian).locator("time").innerText(), /^due in (59|60) minutes$/);
    assert.match(await rowOf(page, ids.crash).locator("time").innerText(), /^due in (7|8) hours$/);

    await page.reload();
    await page.locator(".ticket-list .ticket-item").first().waitFor();
    assert.equal(await page.getByLabel("Sort").inputValue(), "sla_due");
    assert.equal(await statuses.getByRole("button", { name: "Waiting for reply", exact: true }).getAttribute("aria-pressed"), "false");
    assert.equal(await page.getByRole("group", { name: "Show" }).getByRole("button", { name: "Unassigned" })
      .getAttribute("aria-pressed"), "true");
    assert.equal((await rowIds(page))[0], ids.firstDue);
    assert.equal(await rowOf(page, ids.waiting).count(), 0);
    checkPages([watch]);
  } finally {
    await context.close();
  }
  // Another person starts from the defaults.
  const other = await openQueue("desktop", MODERATOR_RU);
  try {
    assert.equal(await other.page.getByLabel("Сортировка").inputValue(), "last_activity");
    checkPages([other.watch]);
  } finally {
    await other.context.close();
  }
});

test("search while typing: a prefix, a Russian word form, a number, a customer's @username", async () => {
  const { context, page, watch } = await openQueue("desktop");
  try {
    const search = page.getByRole("searchbox", { name: "Search tickets" });
    await search.pressSequentially("cra", { delay: 30 });
    await eventually(async () => JSON.stringify(await rowIds(page)) === JSON.stringify([ids.crash]),
                     "\"cra\" finds \"App crashes on startup\" only");
    await search.fill("оплатой");
    await eventually(async () => JSON.stringify(await rowIds(page)) === JSON.stringify([ids.russian]),
                     "«оплатой» finds «оплата»");
    await search.fill(`#${ids.closed}`);
    await eventually(async () => (await rowIds(page))[0] === ids.closed,
                     "#number finds the ticket first, closed or not");
    await search.fill("@olivia");
    await eventually(async () => JSON.stringify(await rowIds(page)) === JSON.stringify([ids.crash]),
                     "@username finds the customer's tickets");
    await search.fill("");
    await rowOf(page, ids.waiting).waitFor();
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("unread badges: each person's own, cleared by opening the ticket, raised live by a reply", async () => {
  const { context, page, watch } = await openQueue("desktop");
  try {
    const badge = rowOf(page, ids.crash).locator(".unread-badge");
    const count = (id) => rowOf(page, id).locator(".unread-badge [aria-hidden='true']").innerText();
    await badge.waitFor();
    assert.equal(await count(ids.crash), "1");
    assert.equal(await badge.locator(".visually-hidden").innerText(), "1 new message");
    const total = page.locator(".ticket-list-summary");
    const before = Number.parseInt(await total.innerText(), 10);
    assert.ok(before >= 1, "a total of tickets with unread messages");

    await rowOf(page, ids.crash).click();
    await page.locator(".queue-detail").getByText("App crashes on startup: details").waitFor();
    await eventually(async () => (await badge.count()) === 0, "opening the ticket clears its badge");
    assert.equal(Number.parseInt(await total.innerText(), 10), before - 1);
    await eventually(async () => {
      const list = await server.api("GET", "/tickets?status=open,in_progress,waiting", { token: moderator.token });
      return !(String(ids.crash) in list.unread);
    }, "the server has the read mark");

    // A reply on another ticket raises its badge without a reload.
    await server.api("POST", `/tickets/${ids.waiting}/messages`, { token: customer.token, body: { body: "Any news?" } });
    await eventually(async () => (await count(ids.waiting)) === "2", "the reply is counted at once");
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

// On a desktop the ticket opens beside the list, and still has its own address: Back and
// Forward move between the tickets opened there without rebuilding the queue, and a reload or
// a link shows the ticket beside the list again.
test("a desktop's side pane gives each ticket its address: Back, Forward, a link and a reload", async () => {
  const { context, page, watch } = await openQueue("desktop");
  const pane = page.locator(".queue-detail");
  const showing = async (id, text) => {
    await pane.getByText(text).waitFor();
    assert.equal(await page.evaluate(() => location.hash), `#/tickets/${id}`);
    assert.equal(await rowOf(page, id).getAttribute("aria-current"), "true");
  };
  try {
    await rowOf(page, ids.crash).click();
    await showing(ids.crash, "App crashes on startup: details");
    await rowOf(page, ids.waiting).click();
    await showing(ids.waiting, "Waiting on the customer: details");
    await page.evaluate(() => { window.__sameQueue = true; });

    await page.goBack();
    await showing(ids.crash, "App crashes on startup: details");
    await page.goBack();
    await pane.locator(".placeholder").waitFor();
    await page.goForward();
    await showing(ids.crash, "App crashes on startup: details");
    await page.evaluate((id) => { location.hash = `#/tickets/${id}`; }, ids.russian);
    await showing(ids.russian, `${RUSSIAN_SUBJECT}: details`);
    assert.equal(await page.evaluate(() => window.__sameQueue), true, "the queue was not rebuilt");
    assert.equal(await page.getByRole("heading", { level: 1, name: "Queue" }).count(), 1);

    await page.reload();
    await showing(ids.russian, `${RUSSIAN_SUBJECT}: details`);
    await rowOf(page, ids.crash).waitFor();  // the list beside it
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("a 1280×800 desktop shows at least ten tickets under the filters", async () => {
  const { context, page, watch } = await openQueue("desktop");
  try {
    await eventually(async () => (await rowIds(page)).length >= 14, "the queue is loaded");
    const visible = await page.locator(".ticket-list .ticket-item").evaluateAll((rows) =>
      rows.filter((row) => {
        const box = row.getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight;
      }).length);
    assert.ok(visible >= 10, `only ${visible} rows fit on the screen`);
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("a 60-character Russian subject on a 360 px phone: cut in its row, nothing scrolls sideways", async () => {
  const { context, page, watch } = await openQueue("phone", MODERATOR_RU, { viewport: { width: 360, height: 740 } });
  try {
    await page.getByRole("heading", { level: 1, name: "Очередь" }).waitFor();
    const row = rowOf(page, ids.russian);
    await row.waitFor();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const layout = await page.evaluate(() => {
      const root = document.documentElement;
      const view = document.querySelector("main");
      return { page: root.scrollWidth - root.clientWidth, view: view.scrollWidth - view.clientWidth,
               screen: root.clientWidth };
    });
    assert.equal(layout.screen, 360);
    assert.equal(layout.page, 0, "the page scrolls sideways");
    assert.equal(layout.view, 0, "the queue scrolls sideways");
    const subject = await row.locator(".subject span").evaluate((span) => ({
      cut: span.scrollWidth > span.clientWidth,
      ellipsis: getComputedStyle(span).textOverflow === "ellipsis",
      right: span.closest(".ticket-item").getBoundingClientRect().right,
    }));
    assert.ok(subject.cut && subject.ellipsis, `the subject is cut with an ellipsis: ${JSON.stringify(subject)}`);
    assert.ok(subject.right <= 360, `the row ends at ${subject.right}px`);
    // Every control of the queue is on the screen and a full tap target.
    const controls = await page.locator(".queue-controls button, .queue-controls select, .queue-controls input")
      .evaluateAll((elements) => elements.filter((element) => element.offsetParent !== null).map((element) => {
        const box = element.getBoundingClientRect();
        return { name: element.textContent || element.getAttribute("aria-label"), right: box.right, height: box.height };
      }));
    for (const control of controls) {
      assert.ok(control.right <= 360, `${control.name} ends at ${control.right}px`);
      assert.ok(control.height >= 44, `${control.name} is ${control.height}px high`);
    }
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

// Inside Telegram (Bot API 6.9+) the filters go to Telegram's CloudStorage as well, so a person
// finds them on another device. Telegram's side is played here as a Telegram client does it:
// window.TelegramWebviewProxy takes the Mini App's events, and the answers to its storage
// calls come back as "custom_method_invoked" events. Telegram may take its time to answer: the
// queue shows this device's copy at once and takes Telegram's when it comes.
test("inside Telegram the filters are kept in CloudStorage and follow the person to another device", async () => {
  const cloud = new Map();  // what Telegram keeps for this bot and person
  let cloudAnswers = Promise.resolve();  // reads wait for it: a slow Telegram client
  const insideTelegram = async (context) => {
    await context.exposeBinding("__telegramStorage", async (_source, method, params) => {
      if (method === "saveStorageValue") {
        cloud.set(params.key, params.value);
        return true;
      }
      if (method === "getStorageValues") {
        await cloudAnswers;
        return Object.fromEntries(params.keys.map((key) => [key, cloud.get(key) ?? ""]));
      }
      return null;
    });
    await context.addInitScript(() => {
      window.TelegramWebviewProxy = {
        postEvent(type, data) {
          if (type !== "web_app_invoke_custom_method") return;
          const { req_id: reqId, method, params } = JSON.parse(data);
          window.__telegramStorage(method, params).then((result) =>
            window.Telegram.WebView.receiveEvent("custom_method_invoked", { req_id: reqId, result }));
        },
      };
    });
  };
  const open = async (label) => {
    const context = await newContext(browser, "desktop");
    await insideTelegram(context);
    const page = await context.newPage();
    const watch = new PageWatch(page, label);
    const url = miniAppUrl(server.baseUrl, signInitData(MODERATOR))
      .replace("tgWebAppPlatform=unknown", "tgWebAppPlatform=android");
    await page.goto(url);
    await page.locator(".ticket-list .ticket-item").first().waitFor();
    return { context, page, watch };
  };

  const phone = await open("moderator in Telegram (first device)");
  try {
    await phone.page.getByLabel("Sort").selectOption("priority");
    await phone.page.getByRole("group", { name: "Status" }).getByRole("button", { name: "Closed", exact: true }).click();
    await eventually(() => JSON.parse(cloud.get("queue_filters_v1") ?? "{}").statuses?.includes("closed"),
                     "the filters reach CloudStorage");
    checkPages([phone.watch]);
  } finally {
    await phone.context.close();
  }
  const saved = JSON.parse(cloud.get("queue_filters_v1"));
  assert.equal(saved.sort, "priority");
  assert.equal(saved.q, undefined, "the search text is not kept");

  let answer;
  cloudAnswers = new Promise((resolve) => { answer = resolve; });
  const desktop = await open("moderator in Telegram (second device)");
  try {
    assert.equal(await desktop.page.getByLabel("Sort").inputValue(), "last_activity",
                 "the first page came without waiting for Telegram: this device's defaults");
    answer();
    await eventually(async () => await desktop.page.getByLabel("Sort").inputValue() === "priority",
                     "Telegram's copy replaces the defaults when it comes");
    assert.equal(await desktop.page.getByRole("group", { name: "Status" }).getByRole("button", { name: "Closed", exact: true })
      .getAttribute("aria-pressed"), "true");
    const kept = await desktop.page.evaluate(() => Object.entries(localStorage)
      .filter(([key]) => key.startsWith("tb.queue.filters.")).map(([, value]) => JSON.parse(value)));
    assert.deepEqual(kept.map((filters) => filters.sort), ["priority"], "kept on this device for the next launch");
    await rowOf(desktop.page, ids.closed).waitFor();
    checkPages([desktop.watch]);
  } finally {
    await desktop.context.close();
  }
});
