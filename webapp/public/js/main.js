// Boots the Mini App: Telegram first, then the session, then the view for the deep link
// or the person's role. Views are modules under views/; see router.js for their shape.

import { Api } from "./api.js";
import { Realtime } from "./realtime.js";
import { telegram } from "./telegram.js";
import { i18n } from "./i18n.js";
import { Router } from "./router.js";
import { Session } from "./session.js";
import { Outbox } from "./outbox.js";
import { seen } from "./seen.js";
import { showConnection } from "./views/connection.js";

const api = new Api();
const realtime = new Realtime();
const session = new Session(api, realtime);
const router = new Router(document.getElementById("view"), document.getElementById("title"),
                          document.getElementById("back"), document.getElementById("tabs"));
const outbox = new Outbox(api, realtime);
seen.attach(api);  // read marks go to the server (queue: unread counts)

const app = { api, realtime, session, router, outbox, telegram, t: i18n.t };
router.app = app;

telegram.start();
i18n.choose(telegram.language || navigator.language);
document.documentElement.lang = i18n.language;
showConnection(document.getElementById("connection"), realtime);
setUpLanguagePicker(document.getElementById("language"));

api.onUnauthorized = () => session.expired();
// A 401 from /auth/me signs out (onUnauthorized); an answer means it was another limit.
realtime.on("policy_closed", () => api.get("/auth/me").then(
  () => realtime.retryLater(),
  (error) => { if (error.status !== 401) realtime.retryLater(); }));
session.onChange = () => {
  outbox.useFor(session.user?.id);
  router.home(session.user, telegram.startParam);
};

session.restore()
  .catch(() => {})  // offline at start: the login view says so and offers a retry
  .finally(() => session.onChange());

function setUpLanguagePicker(select) {
  select.value = i18n.language;
  select.setAttribute("aria-label", i18n.t("language"));
  select.addEventListener("change", () => {
    i18n.set(select.value);
    document.documentElement.lang = i18n.language;
    select.setAttribute("aria-label", i18n.t("language"));
    router.rerender();
  });
}
