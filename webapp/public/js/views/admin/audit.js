// The audit log, newest first: who changed what, and from what to what — roles, the
// permission table, categories, auto-replies, what customers see, and the categories and
// availability of staff — each in words (a record's changed fields, "old → new").
import { h } from "../../dom.js";
import { i18n } from "../../i18n.js";
import { pagedTable } from "./paged_table.js";
import { fetchCategories, labelOr, roleLabel, tableRow } from "./kit.js";

const PAGE_SIZE = 50;

export default function auditSection(context) {
  const { app, t } = context;
  const columns = [t("admin.audit.time"), t("admin.audit.actor"), t("admin.audit.action"),
                   t("admin.audit.target"), t("admin.audit.change")];
  let categories = null;  // id → name, for the categories a person handles; read once
  const table = pagedTable(context, {
    caption: t("admin.audit.caption"), columns, className: "admin-audit-table", emptyText: t("admin.audit.empty"),
    fetchPage: async (cursor) => {
      const [page, categoryItems] = await Promise.all([
        app.api.get("/audit", { limit: PAGE_SIZE, cursor }),
        categories ? Promise.resolve(null) : fetchCategories(app.api).catch(() => []),
      ]);
      if (categoryItems) categories = new Map(categoryItems.map((c) => [c.id, c.name]));
      return page;
    },
    row: (entry) => tableRow(columns, [
      h("time", { datetime: entry.created_at, title: entry.created_at }, i18n.date(entry.created_at)),
      personRef(entry.actor),
      labelOr(t, `admin.audit.actions.${entry.action}`, entry.action),
      personRef(entry.target),
      changeNode(t, entry, categories ?? new Map()),
    ], { dataset: { id: entry.id, action: entry.action } }),
  });
  table.load(true);
  return h("div", {}, table.nodes);
}

function personRef(ref) {
  if (!ref) return null;
  return h("span", {}, ref.first_name ?? `#${ref.id}`, ref.username ? h("span", { class: "meta" }, ` @${ref.username}`) : null);
}

// "old → new"; a role by its name; a permission change ("helper: a,b,c", as the server
// writes it) as what was added and what was taken away; a record (an object before and/or
// after) by its name and the fields that changed.
function changeNode(t, entry, categories) {
  if (entry.action === "permissions.changed") {
    const node = permissionChange(t, entry);
    if (node) return node;
  }
  if (isRecord(entry.old) || isRecord(entry.new)) return recordChange(t, entry, categories);
  if (entry.action === "user.categories_changed") return categoriesChange(t, entry, categories);
  if (entry.action === "user.availability_changed") {
    const state = (value) => labelOr(t, `admin.audit.availability.${value}`, String(value ?? "—"));
    return h("div", { class: "admin-change" },
      h("span", { class: "admin-old" }, state(entry.old)), " → ", h("span", { class: "admin-new" }, state(entry.new)));
  }
  const text = (value) => {
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value === "string") return entry.action === "role.changed" ? roleLabel(t, value) : value;
    return JSON.stringify(value);
  };
  return h("div", { class: "admin-change" },
    h("span", { class: "admin-old" }, text(entry.old)), " → ", h("span", { class: "admin-new" }, text(entry.new)));
}

// The difference of one role's permissions, or null when old and new are not both of
// the form "role: a,b,c" for the same role.
function permissionChange(t, entry) {
  const parse = (value) => /^([\w-]+):\s*(.*)$/s.exec(typeof value === "string" ? value : "");
  const before = parse(entry.old);
  const after = parse(entry.new);
  if (!before || !after || before[1] !== after[1]) return null;
  const split = (list) => new Set(list.split(",").map((p) => p.trim()).filter(Boolean));
  const was = split(before[2]);
  const is = split(after[2]);
  const added = [...is].filter((p) => !was.has(p));
  const removed = [...was].filter((p) => !is.has(p));
  return h("div", { class: "admin-change" },
    h("strong", {}, roleLabel(t, after[1])),
    added.map((p) => h("ins", { class: "chip admin-added" },
      h("span", { class: "visually-hidden" }, `${t("admin.audit.added")} `), `+ ${p}`)),
    removed.map((p) => h("del", { class: "chip admin-removed" },
      h("span", { class: "visually-hidden" }, `${t("admin.audit.removed")} `), `− ${p}`)),
    !added.length && !removed.length ? h("span", { class: "meta" }, t("admin.audit.noDifference")) : null);
}

function isRecord(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// A record's fields as the audit shows them, in this order; others the server may add later
// show under their own name.
const RECORD_FIELDS = ["name", "description", "default_priority", "sla_minutes", "routing", "position", "event",
                       "keywords", "category_id", "body", "active", "show_sla", "show_assignee", "priorities"];

// Created: what it was made with. Deleted: what it was. Changed: each field "old → new".
function recordChange(t, entry, categories) {
  const before = isRecord(entry.old) ? entry.old : null;
  const after = isRecord(entry.new) ? entry.new : null;
  const name = (after ?? before)?.name;
  const fields = [...RECORD_FIELDS, ...Object.keys({ ...before, ...after }).filter((key) => !RECORD_FIELDS.includes(key) && key !== "id")]
    .filter((key) => (before && key in before) || (after && key in after));
  const shown = (key, value) => fieldValue(t, key, value, categories);
  let items;
  if (before && after) {
    items = fields.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).map((key) =>
      h("li", {}, h("span", { class: "admin-field" }, fieldLabel(t, key)), ": ",
        h("span", { class: "admin-old" }, shown(key, before[key])), " → ", h("span", { class: "admin-new" }, shown(key, after[key]))));
  } else {
    const record = after ?? before;
    items = fields.filter((key) => key !== "name").map((key) =>
      h("li", {}, h("span", { class: "admin-field" }, fieldLabel(t, key)), ": ", shown(key, record[key])));
  }
  return h("div", { class: "admin-change admin-record-change" },
    name ? h("strong", {}, `«${name}»`) : null,
    items.length ? h("ul", { class: "admin-fields" }, items) : h("span", { class: "meta" }, t("admin.audit.noDifference")));
}

function fieldLabel(t, key) {
  return labelOr(t, `admin.audit.field.${key}`, key);
}

function fieldValue(t, key, value, categories) {
  if (value === null || value === undefined || value === "") return t("admin.audit.none");
  if (typeof value === "boolean") return value ? t("admin.audit.yes") : t("admin.audit.no");
  switch (key) {
    case "default_priority": return labelOr(t, `priority.${value}`, String(value));
    case "routing": return labelOr(t, `admin.routing.${value}`, String(value));
    case "event": return labelOr(t, `admin.event.${value}`, String(value));
    case "sla_minutes": return t("admin.duration.minutes", { count: value });
    case "category_id": return categories.get(value) ?? `#${value}`;
    case "priorities": return value.map((p) => labelOr(t, `priority.${p}`, p)).join(", ");
    case "keywords": return value.join(", ");
    default: {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      return text.length > 120 ? `${text.slice(0, 119)}…` : text;
    }
  }
}

// A person's categories, "1,4" before and after: the names added and taken away.
function categoriesChange(t, entry, categories) {
  const ids = (value) => new Set(String(value ?? "").split(",").filter(Boolean).map(Number));
  const was = ids(entry.old);
  const is = ids(entry.new);
  const name = (id) => categories.get(id) ?? `#${id}`;
  const added = [...is].filter((id) => !was.has(id));
  const removed = [...was].filter((id) => !is.has(id));
  return h("div", { class: "admin-change" },
    added.map((id) => h("ins", { class: "chip admin-added" },
      h("span", { class: "visually-hidden" }, `${t("admin.audit.added")} `), `+ ${name(id)}`)),
    removed.map((id) => h("del", { class: "chip admin-removed" },
      h("span", { class: "visually-hidden" }, `${t("admin.audit.removed")} `), `− ${name(id)}`)),
    !added.length && !removed.length ? h("span", { class: "meta" }, t("admin.audit.noDifference")) : null);
}
