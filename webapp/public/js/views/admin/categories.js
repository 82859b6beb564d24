// Ticket categories: name, default priority, first-reply SLA, routing, order and whether
// new tickets may choose it.
import { h } from "../../dom.js";
import { LIMITS, PRIORITIES, ROUTINGS } from "../../domain.js";
import { activeField, editorSection, holding, integerIn, nameField } from "./editor.js";
import { activeChip, byPosition, fetchAll, labelOr, selectOf, valueOptions } from "./kit.js";

export default function categoriesSection(context) {
  const { app, t } = context;
  const text = (name, params) => t(`admin.categories.${name}`, params);
  const slaRange = { min: 1, max: LIMITS.slaMinutes };
  return editorSection(context, {
    path: "/categories",
    strings: "admin.categories",
    formId: "category",
    tableClass: "admin-categories-table",
    load: () => fetchAll(app.api, "/categories"),
    order: byPosition,
    columns: [text("name"), text("priority"), text("sla"), text("routing"), text("state"), text("position")],
    cells: (category) => [
      h("div", {}, h("strong", {}, category.name),
        category.description ? h("p", { class: "hint admin-description" }, category.description) : null),
      t(`priority.${category.default_priority}`),
      minutesText(t, category.sla_minutes),
      labelOr(t, `admin.routing.${category.routing}`, category.routing),
      activeChip(t, category.active),
      String(category.position ?? 0),
    ],
    fields: [
      nameField(t, text("name")),
      {
        key: "default_priority", label: text("defaultPriority"),
        control: (category) => selectOf(valueOptions(t, PRIORITIES, "priority"), category?.default_priority ?? "normal"),
      },
      {
        key: "sla_minutes", label: text("slaMinutes"), hint: text("slaHint"),
        read: integerIn({ ...slaRange, empty: null, error: text("slaInvalid", slaRange) }),
        control: (category) => wholeNumberInput(slaRange, category?.sla_minutes ?? ""),
      },
      {
        key: "routing", label: text("routing"), hint: text("routingHint"),
        control: (category) => selectOf(valueOptions(t, ROUTINGS, "admin.routing"), category?.routing ?? "least_loaded"),
      },
      {
        key: "position", label: text("position"), hint: text("positionHint"),
        read: integerIn({ empty: 0, error: t("admin.error.integer") }),
        control: (category, categories) => wholeNumberInput({}, String(category?.position ?? nextPosition(categories))),
      },
      activeField(text("activeLabel")),
      {
        key: "description", label: text("description"), wide: true,
        read: (textarea) => ({ value: textarea.value.trim() || null }),
        control: (category) => holding(h("textarea", { rows: 2 }), category?.description ?? ""),
      },
    ],
  });
}

function wholeNumberInput(range, value) {
  return holding(h("input", { type: "number", ...range, step: 1, inputmode: "numeric" }), value);
}

// A new category goes last.
function nextPosition(categories) {
  return categories.reduce((max, c) => Math.max(max, (c.position ?? 0) + 1), 0);
}

function minutesText(t, minutes) {
  if (minutes === null || minutes === undefined) return t("admin.categories.noSla");
  if (minutes % 1440 === 0) return t("admin.duration.days", { count: minutes / 1440 });
  if (minutes % 60 === 0) return t("admin.duration.hours", { count: minutes / 60 });
  return t("admin.duration.minutes", { count: minutes });
}
