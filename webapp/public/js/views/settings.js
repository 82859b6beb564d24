// The person's own settings, opened from Telegram's Settings menu item or the header's gear
// outside Telegram: the language, and for staff whether they are available for new tickets
// (PUT /users/{me}/availability: "away" staff get none routed to them). Whoever may change
// what customers see (settings.manage) finds that form here too.
import { h, replace } from "../dom.js";
import { can, isStaff } from "../domain.js";
import { i18n } from "../i18n.js";
import customerSettingsSection from "./admin/customer_settings.js";
import { createContext, statusLine, succeeded } from "./admin/kit.js";

const LANGUAGES = [["en", "English"], ["ru", "Русский"]];

export default function settingsView(app) {
  const t = i18n.t;
  const context = createContext(app);
  const me = app.session.user;
  const status = statusLine(context);

  const sections = [languageSection()];
  if (isStaff(me)) sections.unshift(availabilitySection());
  if (can(me, "settings.manage")) sections.push(customerSettingsSection(context));

  return {
    title: t("settings.title"),
    node: h("section", { class: "settings" }, status, sections),
    dispose: () => context.dispose(),
  };

  // A switch that saves at once; it shows what the server has after each answer.
  function availabilitySection() {
    const toggle = h("input", { type: "checkbox", role: "switch", id: "settings-available",
                                checked: me.available !== false, "aria-describedby": "settings-available-hint" });
    const state = h("p", { class: "settings-state", id: "settings-available-hint" });
    const error = h("p", { class: "field-error", role: "alert" });
    const showState = () => {
      toggle.checked = me.available !== false;
      state.textContent = me.available !== false ? t("settings.availableNow") : t("settings.awayNow");
    };
    showState();
    let pending = Promise.resolve();
    toggle.addEventListener("change", () => {
      const wanted = toggle.checked;
      error.textContent = "";
      pending = pending.then(async () => {
        toggle.setAttribute("aria-busy", "true");
        try {
          const updated = await app.api.put(`/users/${me.id}/availability`, { available: wanted });
          me.available = Boolean(updated.available);
          if (!context.alive) return;
          showState();
          succeeded(context, status, me.available ? t("settings.availableSaved") : t("settings.awaySaved"));
        } catch (failure) {
          if (!context.alive) return;
          app.telegram.haptic("error");
          showState();
          error.textContent = i18n.error(failure);
        } finally {
          toggle.removeAttribute("aria-busy");
        }
      });
    });
    return h("div", { class: "card settings-card", role: "group", "aria-labelledby": "settings-availability-title" },
      h("h2", { id: "settings-availability-title" }, t("settings.availability")),
      h("label", { class: "checkbox", for: "settings-available" }, toggle, h("span", {}, t("settings.availableLabel"))),
      state, error);
  }

  function languageSection() {
    const choices = LANGUAGES.map(([code, name]) => {
      const input = h("input", { type: "radio", name: "settings-language", value: code, checked: i18n.language === code });
      input.addEventListener("change", () => { if (input.checked) app.setLanguage?.(code); });
      return h("label", { class: "checkbox", lang: code }, input, h("span", {}, name));
    });
    const group = h("fieldset", { class: "settings-languages" }, h("legend", {}, t("language")), choices);
    return replace(h("div", { class: "card settings-card" }), group);
  }
}
