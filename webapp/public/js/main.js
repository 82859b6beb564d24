// Boots the Mini App: the colours, the session, then the view for the address, the deep link
// or the person's role. Telegram's script comes when it comes (telegram.js): the sign-in
// starts without it, from the launch data in the address, and the first view waits for it.
// Views are modules under views/; see router.js for their shape.

import { Api } from "./api.js";
import { Realtime } from "./realtime.js";
import { telegram } from "./telegram.js";
import { i18n } from "./i18n.js";
import { Router } from "./router.js";
import { Session } from "./session.js";
import { Outbox } from "./outbox.js";
import { seen } from "./seen.js";
import { shortcuts } from "./shortcuts.js";
import { theme } from "./theme.js";
import { showConnection } from "./views/connection.js";
import { h } from "./dom.js";

const api = new Api();
const realtime = new Realtime();
const session = new Session(api, realtime);
const router = new Router(document.getElementById("view"), document.getElementById("title"),
                          document.getElementById("back"), document.getElementById("tabs"));
const outbox = new Outbox(api, realtime);
seen.attach(api);  // read marks go to the server (queue: unread counts)

const app = { api, realtime, session, router, outbox, telegram, t: i18n.t };
router.app = app;

theme.start();
telegram.start();
shortcuts.start();
i18n.choose(telegram.language || navigator.language);
document.documentElement.lang = i18n.language;
showConnection(document.getElementById("connection"), realtime);
const languagePicker = setUpLanguagePicker(document.getElementById("language"));
// The settings screen (language; for staff also "away"): for everyone signed in.
const settingsEntry = setUpSettingsEntry(document.getElementById("language"));
app.setLanguage = (language) => {
  languagePicker.choose(language);
};
// After a reload the address no longer carries Telegram's launch data: its script knows the
// person's language (before the first view, which waits for the script too). Its Settings
// menu item exists only once the script is there.
telegram.loaded.then(() => {
  i18n.choose(telegram.language || navigator.language);
  document.documentElement.lang = i18n.language;
  languagePicker.select.value = i18n.language;
  settingsEntry.update(session.user);
});

api.onUnauthorized = () => session.expired();
// A 401 from /auth/me signs out (onUnauthorized); an answer means it was another limit.
realtime.on("policy_closed", () => api.get("/auth/me").then(
  () => realtime.retryLater(),
  (error) => { if (error.status !== 401) realtime.retryLater(); }));
session.onChange = () => {
  outbox.useFor(session.user?.id);
  settingsEntry.update(session.user);
  router.home(session.user, telegram.startParam);
};

session.restore()
  .catch(() => {})  // offline at start: the login view says so and offers a retry
  .finally(() => session.onChange());

function setUpLanguagePicker(select) {
  const choose = (language) => {
    i18n.set(language);
    select.value = i18n.language;
    document.documentElement.lang = i18n.language;
    select.setAttribute("aria-label", i18n.t("language"));
    settingsEntry?.relabel();
    router.rerender();
  };
  select.value = i18n.language;
  select.setAttribute("aria-label", i18n.t("language"));
  select.addEventListener("change", () => choose(select.value));
  return { choose, select };
}

// Telegram's Settings menu item where there is one (Bot API 6.10+), else a button of the
// page's own in the header, beside the language. Either opens the settings screen.
function setUpSettingsEntry(before) {
  const open = () => {
    if (session.user && router.stack.at(-1)?.name !== "settings") router.go("settings");
  };
  const button = h("button", { type: "button", class: "settings-button", hidden: true, onclick: open },
    h("span", { "aria-hidden": "true" }, "⚙"));
  before.before(button);
  let hideNative = null;
  const relabel = () => {
    button.setAttribute("aria-label", i18n.t("settings.open"));
    button.title = i18n.t("settings.open");
  };
  relabel();
  return {
    relabel,
    update(user) {
      if (!user) {
        button.hidden = true;
        if (hideNative) hideNative();
        hideNative = null;
        return;
      }
      if (!hideNative) hideNative = telegram.setSettingsButton(open) || null;
      button.hidden = Boolean(hideNative);
    },
  };
}
