// What customers see of their tickets and which priorities they may choose (settings.manage):
// GET/PUT /settings. The server enforces it (a customer's tickets come without the hidden
// fields, a priority not offered is refused); this form only sets it.
import { h, replace } from "../../dom.js";
import { PRIORITIES } from "../../domain.js";
import { i18n } from "../../i18n.js";
import { checkboxLabel, loadInto, statusLine, succeeded } from "./kit.js";

export default function customerSettingsSection(context) {
  const { app, t } = context;
  const status = statusLine(context);
  const region = h("div", { class: "admin-list" });
  loadInto(context, region, () => app.api.get("/settings"), (settings) => render(settings.customers));
  return h("div", { class: "customer-settings" }, status, region);

  function render(saved) {
    const showSla = h("input", { type: "checkbox", role: "switch", name: "show_sla", checked: Boolean(saved.show_sla) });
    const showAssignee = h("input", { type: "checkbox", role: "switch", name: "show_assignee",
                                      checked: Boolean(saved.show_assignee) });
    const boxes = PRIORITIES.map((priority) => ({
      priority,
      box: h("input", { type: "checkbox", name: "priority", value: priority, checked: saved.priorities.includes(priority) }),
    }));
    const error = h("p", { class: "field-error", role: "alert" });
    const submit = h("button", { type: "submit", class: "button" }, t("save"));
    const form = h("form", { class: "card admin-form", novalidate: true, "aria-labelledby": "customer-settings-title" },
      h("h3", { id: "customer-settings-title" }, t("settings.customers.title")),
      h("p", { class: "hint" }, t("settings.customers.intro")),
      checkboxLabel(showSla, t("settings.customers.showSla")),
      h("p", { class: "hint" }, t("settings.customers.showSlaHint")),
      checkboxLabel(showAssignee, t("settings.customers.showAssignee")),
      h("p", { class: "hint" }, t("settings.customers.showAssigneeHint")),
      h("fieldset", { class: "admin-checks" },
        h("legend", {}, t("settings.customers.priorities")),
        boxes.map(({ box, priority }) => checkboxLabel(box, t(`priority.${priority}`)))),
      error,
      h("div", { class: "row" }, submit));
    form.addEventListener("change", () => { error.textContent = ""; });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const priorities = boxes.filter(({ box }) => box.checked).map(({ priority }) => priority);
      if (!priorities.length) {
        error.textContent = t("settings.customers.needsPriority");
        boxes[0].box.focus();
        return;
      }
      submit.disabled = true;
      try {
        const answer = await app.api.put("/settings", {
          customers: { show_sla: showSla.checked, show_assignee: showAssignee.checked, priorities },
        });
        if (!context.alive) return;
        const now = answer.customers;
        showSla.checked = Boolean(now.show_sla);
        showAssignee.checked = Boolean(now.show_assignee);
        for (const { box, priority } of boxes) box.checked = now.priorities.includes(priority);
        succeeded(context, status, t("settings.customers.saved"));
      } catch (failure) {
        if (!context.alive) return;
        app.telegram.haptic("error");
        error.textContent = i18n.error(failure);
      } finally {
        submit.disabled = false;
      }
    });
    replace(region, form);
  }
}
