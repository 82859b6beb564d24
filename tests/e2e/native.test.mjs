// Telegram-native details: colours and native controls follow Telegram's theme (not the
// system's), live on themeChanged, with Telegram's header, background and bottom bar painted
// to match; outside Telegram, the system's light/dark. Per-ticket addresses, so that the
// browser's Back and Forward, a reload and a link work, and Telegram's BackButton walks the
// same history; the focus moves to the ticket that opened. Keyboard shortcuts by key
// position, so that they work on a Russian layout, never while typing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  checkPages, eventually, hexToRgb, launchBrowser, newContext, PageWatch, TestServer, telegramUser, THEMES,
} from "./harness.mjs";
import { buildDesk, firstScreen, goTo, launchUrl, TELEGRAM_DEFAULT_LIGHT, watchRequests } from "./native_kit.mjs";

const CUSTOMER = telegramUser(740001, "Lena", "lena_customer");
const HELPER = telegramUser(740002, "Timur", "timur_helper");
const MODERATOR = telegramUser(740003, "Rita", "rita_moderator");

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

// Opens the app as `person` → {page, watch}. With `telegramApp`, the page has what a
// Telegram app gives a Mini App (TelegramWebviewProxy): every event the app posts to
// Telegram is recorded in window.posted.
async function launch(context, person, { theme = "light", platform = "unknown", telegramApp = false } = {}) {
  const page = await context.newPage();
  watchRequests(page);
  const watch = new PageWatch(page, person.username);
  if (telegramApp) {
    await page.addInitScript(() => {
      window.posted = [];
      window.TelegramWebviewProxy = {
        postEvent: (type, data) => window.posted.push({ type, data: data ? JSON.parse(data) : null }),
      };
    });
  }
  await page.goto(launchUrl(server, person, { theme, platform }));
  await firstScreen(page);
  return { page, watch };
}

const variable = (page, name) =>
  page.evaluate((property) => getComputedStyle(document.documentElement).getPropertyValue(property).trim(), name);

// The WCAG contrast of two "#rrggbb" colours.
function contrast(a, b) {
  const luminance = (hex) => {
    const [r, g, b] = [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16) / 255)
      .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

test("Telegram's theme, not the system's, colours the page and its native controls, and a theme change applies at once", async () => {
  // The system says dark; Telegram says light.
  const context = await newContext(browser, "phone", { colorScheme: "dark" });
  try {
    const { page, watch } = await launch(context, CUSTOMER, { theme: "light", platform: "android", telegramApp: true });
    const light = THEMES.light;
    assert.equal(await variable(page, "--bg"), light.bg_color);
    assert.equal(await variable(page, "--secondary-bg"), light.secondary_bg_color);
    assert.equal(await variable(page, "--section-bg"), light.section_bg_color);
    assert.equal(await variable(page, "--header-bg"), light.header_bg_color);
    assert.equal(await variable(page, "--text"), light.text_color, "a colour that passes AA is kept as it is");
    const styles = await page.evaluate(() => ({
      scheme: getComputedStyle(document.documentElement).colorScheme,
      meta: document.querySelector('meta[name="color-scheme"]').content,
      body: getComputedStyle(document.body).backgroundColor,
      header: getComputedStyle(document.querySelector(".topbar")).backgroundColor,
      select: getComputedStyle(document.querySelector("#language")).colorScheme,
    }));
    assert.deepEqual(styles, { scheme: "light", meta: "light", body: hexToRgb(light.secondary_bg_color),
                               header: hexToRgb(light.header_bg_color), select: "light" });
    // The hint colour of this theme is 3.2:1 on its background: corrected to AA.
    const hint = await variable(page, "--hint");
    assert.notEqual(hint, light.hint_color);
    assert.ok(contrast(hint, light.secondary_bg_color) >= 4.5, `hint ${hint}`);
    // Telegram's own header, background and bottom bar are painted like the page.
    const posted = (type) => page.evaluate((name) => window.posted.filter((event) => event.type === name).at(-1)?.data, type);
    assert.deepEqual(await posted("web_app_set_header_color"), { color: light.header_bg_color });
    assert.deepEqual(await posted("web_app_set_background_color"), { color: light.secondary_bg_color });
    assert.deepEqual(await posted("web_app_set_bottom_bar_color"), { color: light.secondary_bg_color });

    // Telegram switches to its dark theme.
    const dark = THEMES.dark;
    await page.evaluate((theme) => window.Telegram.WebView.receiveEvent("theme_changed", { theme_params: theme }), dark);
    await eventually(async () => (await variable(page, "--bg")) === dark.bg_color, "the dark background is applied");
    assert.equal(await variable(page, "--text"), dark.text_color);
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme), "dark");
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), hexToRgb(dark.secondary_bg_color));
    assert.deepEqual(await posted("web_app_set_header_color"), { color: dark.header_bg_color });
    assert.deepEqual(await posted("web_app_set_background_color"), { color: dark.secondary_bg_color });
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("Telegram's default colours are corrected only where they fall short of AA", async () => {
  const context = await newContext(browser, "phone");
  try {
    const { page, watch } = await launch(context, CUSTOMER, { theme: TELEGRAM_DEFAULT_LIGHT });
    const theme = TELEGRAM_DEFAULT_LIGHT;
    assert.equal(await variable(page, "--text"), theme.text_color);
    assert.equal(await variable(page, "--bg"), theme.bg_color);
    for (const [name, background] of [["--hint", theme.secondary_bg_color], ["--destructive", theme.bg_color],
                                      ["--subtitle", theme.secondary_bg_color]]) {
      const colour = await variable(page, name);
      assert.ok(contrast(colour, background) >= 4.5, `${name} ${colour} on ${background}`);
    }
    // White on Telegram's button blue is 3.6:1: the button gets a little darker, its label stays white.
    const button = await variable(page, "--button");
    assert.equal(await variable(page, "--button-text"), "#ffffff");
    assert.notEqual(button, theme.button_color);
    assert.ok(contrast(button, "#ffffff") >= 4.5, `button ${button}`);
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("outside Telegram the colours follow the system's light and dark, live", async () => {
  const context = await newContext(browser, "phone", { colorScheme: "dark" });
  try {
    const { page, watch } = await launch(context, CUSTOMER, { theme: {} });
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme), "dark");
    const darkBg = await variable(page, "--bg");
    assert.ok(contrast(darkBg, "#000000") < 2, `a dark background: ${darkBg}`);
    await page.emulateMedia({ colorScheme: "light" });
    await eventually(async () => (await variable(page, "--bg")) !== darkBg, "the light palette is applied");
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme), "light");
    assert.ok(contrast(await variable(page, "--bg"), "#ffffff") < 1.2, "a light background");
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

// The ticket list's row for ticket `id`.
const row = (page, id) => page.locator(`.ticket-item[data-id="${id}"]`);

test("every ticket has its address: Back and Forward move between the list and a ticket, and the focus goes to the ticket", async () => {
  const context = await newContext(browser, "phone");
  try {
    const { page, watch } = await launch(context, CUSTOMER);
    const { open, waiting } = desk.tickets;
    assert.equal(new URL(page.url()).hash, "#/tickets", "the launch data has left the address");

    await row(page, open.id).click();
    await page.waitForURL(`**/app/#/tickets/${open.id}`);
    await page.getByRole("heading", { level: 2, name: open.subject }).waitFor();
    await eventually(() => page.evaluate(() => document.activeElement?.tagName === "H2" && document.activeElement.textContent),
                     "the focus is on the ticket's heading");
    // The heading starts with the subject (the ticket view's header may hold its chips too).
    assert.ok((await page.evaluate(() => document.activeElement.textContent)).startsWith(open.subject));

    await page.goBack();
    await page.waitForURL("**/app/#/tickets");
    await row(page, waiting.id).waitFor();
    assert.equal(await page.locator("#view").getAttribute("data-view"), "tickets");

    await page.goForward();
    await page.waitForURL(`**/app/#/tickets/${open.id}`);
    await page.getByRole("heading", { level: 2, name: open.subject }).waitFor();

    // The page's own Back button (no Telegram here) goes back through the same history.
    await page.locator("#back").click();
    await page.waitForURL("**/app/#/tickets");
    await page.goForward();
    await page.getByRole("heading", { level: 2, name: open.subject }).waitFor();

    // A link to another ticket opens it over this one; Back returns to this one.
    await goTo(page, `#/tickets/${waiting.id}`);
    await page.getByRole("heading", { level: 2, name: waiting.subject }).waitFor();
    await page.goBack();
    await page.getByRole("heading", { level: 2, name: open.subject }).waitFor();

    // A reload shows the same ticket, and Back still leads to the list.
    await page.reload();
    await page.getByRole("heading", { level: 2, name: open.subject }).waitFor();
    await page.locator("#back").click();
    await page.waitForURL("**/app/#/tickets");
    await row(page, open.id).waitFor();
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("a ticket's address opened afresh shows that ticket, and Back leads to the list", async () => {
  const context = await newContext(browser, "phone");
  try {
    const { page, watch } = await launch(context, CUSTOMER);
    const { closed } = desk.tickets;
    // As a link from elsewhere: the tab is already signed in, the address is new.
    await page.goto(`${server.baseUrl}/app/#/tickets/${closed.id}`);
    await page.getByRole("heading", { level: 2, name: closed.subject }).waitFor();
    assert.equal(await page.locator("#view").getAttribute("data-view"), "ticket");
    await page.locator("#back").click();
    await page.waitForURL("**/app/#/tickets");
    await row(page, closed.id).waitFor();
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("in Telegram, its BackButton shows on a ticket and goes back through the history", async () => {
  const context = await newContext(browser, "phone");
  try {
    const { page, watch } = await launch(context, CUSTOMER, { platform: "android", telegramApp: true });
    const backVisible = () => page.evaluate(() => window.Telegram.WebApp.BackButton.isVisible);
    assert.equal(await backVisible(), false, "no Back on the first screen: Telegram's own close is there");
    assert.equal(await page.locator("#back").isVisible(), false, "Telegram draws the Back button, not the page");
    const { open } = desk.tickets;
    await row(page, open.id).click();
    await page.getByRole("heading", { level: 2, name: open.subject }).waitFor();
    assert.equal(await backVisible(), true);
    await page.evaluate(() => window.Telegram.WebView.receiveEvent("back_button_pressed"));
    await page.waitForURL("**/app/#/tickets");
    await row(page, open.id).waitFor();
    assert.equal(await backVisible(), false);
    // And the browser's Forward (Telegram Desktop's history) comes back to the ticket.
    await page.goForward();
    await page.getByRole("heading", { level: 2, name: open.subject }).waitFor();
    assert.equal(await backVisible(), true);
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

// A keydown as a Russian layout sends it: the key's place in `code`, the Cyrillic letter in `key`.
function press(page, code, key, { shift = false, ctrl = false, target = "body" } = {}) {
  return page.evaluate(({ code, key, shift, ctrl, target }) => {
    const element = target === "active" ? document.activeElement : document.querySelector(target);
    return element.dispatchEvent(new KeyboardEvent("keydown", {
      code, key, shiftKey: shift, ctrlKey: ctrl, bubbles: true, cancelable: true }));
  }, { code, key, shift, ctrl, target });
}

const focusedRow = (page) => page.evaluate(() => document.activeElement?.closest(".ticket-item")?.dataset.id ?? null);

test("shortcuts go by key position: J and K move through the queue on a Russian layout, / searches, ? lists them", async () => {
  const context = await newContext(browser, "desktop", { locale: "ru-RU" });
  try {
    const { page, watch } = await launch(context, HELPER);
    await page.locator(".ticket-item").first().waitFor();
    const ids = await page.locator(".ticket-item").evaluateAll((rows) => rows.map((element) => element.dataset.id));
    assert.ok(ids.length >= 3, `${ids.length} tickets in the queue`);

    await press(page, "KeyJ", "о");
    assert.equal(await focusedRow(page), ids[0]);
    await press(page, "KeyJ", "о", { target: "active" });
    assert.equal(await focusedRow(page), ids[1]);
    await press(page, "KeyK", "л", { target: "active" });
    assert.equal(await focusedRow(page), ids[0]);

    // "/" is "." on a Russian layout; Ctrl+K as well.
    await press(page, "Slash", ".", { target: "active" });
    assert.equal(await page.evaluate(() => document.activeElement.type), "search");
    // While typing, J is a letter: the focus stays, and Escape leaves the field.
    await press(page, "KeyJ", "о", { target: "active" });
    assert.equal(await page.evaluate(() => document.activeElement.type), "search");
    await page.keyboard.press("Escape");
    assert.notEqual(await page.evaluate(() => document.activeElement.type), "search");
    await press(page, "KeyK", "л", { ctrl: true });
    assert.equal(await page.evaluate(() => document.activeElement.type), "search");
    await page.keyboard.press("Escape");

    // "?" is Shift and the same key: the list of shortcuts, in the person's language.
    await press(page, "Slash", ",", { shift: true });
    const help = page.locator("dialog.shortcuts-help");
    await help.waitFor();
    assert.match(await help.innerText(), /J/);
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "detached" });
    checkPages([watch]);
  } finally {
    await context.close();
  }
});

test("a view's own shortcut (R: reply) runs through the registration API, by key position, until it is removed; Escape leaves a field unless the field uses it", async () => {
  const context = await newContext(browser, "desktop");
  try {
    const { page, watch } = await launch(context, HELPER);
    await page.evaluate(async () => {
      const { shortcuts } = await import(new URL("js/shortcuts.js", document.baseURI).href);
      window.replies = 0;
      window.stopReply = shortcuts.on("reply", () => { window.replies += 1; });
    });
    await press(page, "KeyR", "к");
    assert.equal(await page.evaluate(() => window.replies), 1, "R on a Russian layout (к) replies");
    // Not while typing.
    await page.locator('main input[type="search"]').focus();
    await press(page, "KeyR", "к", { target: "active" });
    assert.equal(await page.evaluate(() => window.replies), 1);
    await page.keyboard.press("Escape");
    assert.notEqual(await page.evaluate(() => document.activeElement.type), "search", "Escape leaves the field");

    // A field that uses Escape itself (a list of suggestions closing) keeps the focus.
    await goTo(page, `#/tickets/${desk.tickets.open.id}`);
    const composer = page.locator(".composer textarea");
    await composer.focus();
    await composer.evaluate((field) => field.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !window.escapeUsed) {
        window.escapeUsed = true;
        event.preventDefault();
      }
    }));
    await page.keyboard.press("Escape");
    assert.equal(await page.evaluate(() => document.activeElement.tagName), "TEXTAREA");
    await page.keyboard.press("Escape");
    assert.notEqual(await page.evaluate(() => document.activeElement.tagName), "TEXTAREA");
    await page.evaluate(() => window.stopReply());
    await press(page, "KeyR", "к");
    assert.equal(await page.evaluate(() => window.replies), 1, "removed: R does nothing");
    checkPages([watch]);
  } finally {
    await context.close();
  }
});
