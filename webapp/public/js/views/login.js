// Nobody is signed in: inside Telegram that means the initData was refused (or the server
// is unreachable). In a plain browser: Telegram's Login Widget for staff on a desktop (when
// the server knows its bot's name), the demo role picker in demo mode, else a pointer to
// Telegram.
import { h, replace } from "../dom.js";
import { ROLES } from "../domain.js";
import { i18n } from "../i18n.js";

// Telegram's own script, the one allowed from another origin (the Content-Security-Policy
// names it): Telegram is the identity provider here, not a CDN for our code.
const WIDGET_SCRIPT = "https://telegram.org/js/telegram-widget.js?22";

// A bot's username as Telegram allows it; anything else is not put into a link or the widget.
const BOT_USERNAME = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;

export default function loginView(app) {
  const t = i18n.t;
  const status = h("div", { role: "alert" });
  const body = h("div", {}, h("p", { class: "placeholder" }, t("loading")));
  const node = h("section", { class: "login card" }, status, body);
  if (app.session.notice) replace(status, h("p", { class: "notice" }, t(app.session.notice)));

  const fail = (error) => replace(status, h("p", { class: "notice error" },
    error.offline ? t("error.network") : t("login.failed", { reason: i18n.error(error) })));
  if (app.session.failure) {
    // The Login Widget's fields came back refused (forged, or older than the server allows).
    const error = app.session.failure;
    if (error.status === 401) replace(status, h("p", { class: "notice error" }, t("login.widgetRefused")));
    else fail(error);
  }

  const signInAs = async (role) => {
    try {
      await app.session.signIn("/auth/demo", { role });
      app.telegram.haptic("success");
    } catch (error) {
      fail(error);
    }
  };

  const demo = () => [
    h("h2", {}, t("login.demoTitle")),
    h("p", { class: "hint" }, t("login.demoText")),
    h("div", { class: "role-grid" }, ROLES.map((role) =>
      h("button", { type: "button", class: "button secondary", onclick: () => signInAs(role) },
        t(`role.${role}`)))),
  ];

  const openInTelegram = () => [
    h("h2", {}, t("login.openInTelegram")),
    h("p", {}, t("login.openInTelegramText")),
    h("button", { type: "button", class: "button secondary", onclick: () => location.reload() },
      t("retry")),
  ];

  const botLink = (bot) =>
    h("p", { class: "hint" }, h("a", { href: `https://t.me/${bot}`, target: "_blank", rel: "noopener" },
      t("login.openBot", { bot })));

  // Telegram's widget script draws its button (an iframe from oauth.telegram.org) in place;
  // after the person confirms, Telegram sends the browser back to data-auth-url with the
  // signed fields in the query string (session.js takes them from there).
  const widget = (bot) => {
    const state = h("p", { class: "hint", "aria-live": "polite" }, t("login.widgetLoading"));
    const script = h("script", {
      src: WIDGET_SCRIPT,
      async: true,
      "data-telegram-login": bot,
      "data-size": "large",
      "data-auth-url": `${location.origin}${location.pathname}`,
      "data-request-access": "write",
      onload: () => state.remove(),
      onerror: () => {
        button.hidden = true;
        state.className = "notice";
        replace(state, t("login.widgetUnavailable"));
      },
    });
    const button = h("div", { class: "telegram-login-button" }, script);
    return h("div", { class: "telegram-login" },
      h("h2", {}, t("login.widgetTitle")),
      h("p", { class: "hint" }, t("login.widgetText")),
      button,
      state,
      botLink(bot));
  };

  const show = (methods) => {
    const bot = BOT_USERNAME.test(methods.bot_username ?? "") ? methods.bot_username : null;
    const desktop = !app.telegram.inside && methods.telegram;
    const parts = [];
    if (desktop && bot) parts.push(widget(bot));
    if (methods.demo) parts.push(demo());
    else if (!(desktop && bot)) parts.push(openInTelegram());
    // Said plainly rather than an empty box: the bot has not started (or is off), so
    // there is no name to give Telegram's widget.
    if (desktop && !bot) parts.push(h("p", { class: "hint" }, t("login.widgetNoBot")));
    replace(body, parts);
  };

  app.api.get("/auth/methods")
    .then(show)
    .catch((error) => {
      fail(error);
      replace(body, openInTelegram());
    });

  return { title: t("login.title"), node };
}
