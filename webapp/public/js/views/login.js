// Nobody is signed in: inside Telegram that means the initData was refused (or the server
// is unreachable); in a plain browser, the demo role picker in demo mode, else a pointer
// to Telegram.
import { h, replace } from "../dom.js";
import { ROLES } from "../domain.js";
import { i18n } from "../i18n.js";

export default function loginView(app) {
  const t = i18n.t;
  const status = h("div", { role: "alert" });
  const body = h("div", {}, h("p", { class: "placeholder" }, t("loading")));
  const node = h("section", { class: "login card" }, status, body);
  if (app.session.notice) replace(status, h("p", { class: "notice" }, t(app.session.notice)));

  const fail = (error) => replace(status, h("p", { class: "notice error" },
    error.offline ? t("error.network") : t("login.failed", { reason: i18n.error(error) })));

  const signInAs = async (role) => {
    try {
      await app.session.signIn("/auth/demo", { role });
      app.telegram.haptic("success");
    } catch (error) {
      fail(error);
    }
  };

  const showDemo = () => replace(body,
    h("h2", {}, t("login.demoTitle")),
    h("p", { class: "hint" }, t("login.demoText")),
    h("div", { class: "role-grid" }, ROLES.map((role) =>
      h("button", { type: "button", class: "button secondary", onclick: () => signInAs(role) },
        t(`role.${role}`)))));

  const showTelegram = () => replace(body,
    h("h2", {}, t("login.openInTelegram")),
    h("p", {}, t("login.openInTelegramText")),
    h("button", { type: "button", class: "button secondary", onclick: () => location.reload() },
      t("retry")));

  app.api.get("/auth/methods")
    .then((methods) => (methods.demo ? showDemo() : showTelegram()))
    .catch((error) => {
      fail(error);
      showTelegram();
    });

  return { title: t("login.title"), node };
}
