// The audit log, newest first: who changed what, and from what to what.
import { h } from "../../dom.js";
import { i18n } from "../../i18n.js";
import { pagedTable } from "./paged_table.js";
import { labelOr, roleLabel, tableRow } from "./kit.js";

const PAGE_SIZE = 50;

export default function auditSection(context) {
  const { app, t } = context;
  const columns = [t("admin.audit.time"), t("admin.audit.actor"), t("admin.audit.action"),
                   t("admin.audit.target"), t("admin.audit.change")];
  const table = pagedTable(context, {
    caption: t("admin.audit.caption"), columns, className: "admin-audit-table", emptyText: t("admin.audit.empty"),
    fetchPage: (cursor) => app.api.get("/audit", { limit: PAGE_SIZE, cursor }),
    row: (entry) => tableRow(columns, [
      h("time", { datetime: entry.created_at, title: entry.created_at }, i18n.date(entry.created_at)),
      personRef(entry.actor),
      labelOr(t, `admin.audit.actions.${entry.action}`, entry.action),
      personRef(entry.target),
      changeNode(t, entry),
    ], { dataset: { id: entry.id } }),
  });
  table.load(true);
  return h("div", {}, table.nodes);
}

function personRef(ref) {
  if (!ref) return null;
  return h("span", {}, ref.first_name ?? `#${ref.id}`, ref.username ? h("span", { class: "meta" }, ` @${ref.username}`) : null);
}

// "old → new"; a role by its name; a permission change ("helper: a,b,c", as the server
// writes it) as what was added and what was taken away.
function changeNode(t, entry) {
  if (entry.action === "permissions.changed") {
    const node = permissionChange(t, entry);
    if (node) return node;
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
