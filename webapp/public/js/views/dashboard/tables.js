// The agent and category tables: one row each, sortable by any column (a header is a
// button; aria-sort says which way). On a phone each row becomes a card (app.css).
import { h, replace } from "../../dom.js";
import { i18n } from "../../i18n.js";
import { formatDuration, formatPercent, formatRating } from "./format.js";

// The figures agents and categories share (docs/API.md "Statistics").
const FIGURES = [
  { key: "open", label: "dashboard.col.open", format: String },
  { key: "resolved", label: "dashboard.col.resolved", format: String },
  { key: "median_first_response_s", label: "dashboard.col.firstResponse", format: formatDuration },
  { key: "p90_first_response_s", label: "dashboard.col.firstResponseP90", format: formatDuration },
  { key: "median_resolution_s", label: "dashboard.col.resolution", format: formatDuration },
  { key: "reopen_rate", label: "dashboard.col.reopenRate", format: formatPercent },
  { key: "sla_breach_rate", label: "dashboard.col.breachRate", format: formatPercent },
  { key: "csat_avg", label: "dashboard.col.csat", format: (value, row) => formatRating(value, row.csat_count) },
];

export const AGENT_COLUMNS = [
  { key: "name", label: "dashboard.col.agent", value: (row) => row.user.first_name, format: String },
  { key: "assigned", label: "dashboard.col.assigned", format: String },
  ...FIGURES,
];

export const CATEGORY_COLUMNS = [
  { key: "name", label: "dashboard.col.category", format: String },
  { key: "tickets", label: "dashboard.col.tickets", format: String },
  ...FIGURES,
];

// → { node, show(rows) }: the table keeps its sort across updates.
export function sortableTable(caption, columns, { className = "", empty }) {
  const t = i18n.t;
  let sort = { key: columns[1].key, descending: true };
  let rows = [];
  const valueOf = (column, row) => (column.value ? column.value(row) : row[column.key]);
  const head = h("tr", {});
  const body = h("tbody", {});
  const table = h("table", { class: `stats-table ${className}`.trim() },
    h("caption", { class: "visually-hidden" }, caption), h("thead", {}, head), body);
  const note = h("p", { class: "empty", hidden: true }, empty);

  const render = () => {
    replace(head, columns.map((column) => {
      const active = sort.key === column.key;
      return h("th", { scope: "col", "aria-sort": active ? (sort.descending ? "descending" : "ascending") : null },
        h("button", { type: "button", class: "sort", onclick: () => {
          sort = { key: column.key, descending: active ? !sort.descending : column.key !== "name" };
          render();
        } }, t(column.label), active ? (sort.descending ? " ↓" : " ↑") : ""));
    }));
    const column = columns.find((candidate) => candidate.key === sort.key);
    const sorted = rows.slice().sort((a, b) => compare(valueOf(column, a), valueOf(column, b)) * (sort.descending ? -1 : 1));
    replace(body, sorted.map((row) => h("tr", {}, columns.map((each, index) => {
      const value = valueOf(each, row);
      const cell = value === null || value === undefined ? "—" : each.format(value, row);
      return h(index === 0 ? "th" : "td", { scope: index === 0 ? "row" : null, "data-label": t(each.label) }, cell);
    }))));
    table.hidden = rows.length === 0;
    note.hidden = rows.length > 0;
  };

  return {
    node: h("div", { class: "stats-table-wrap" }, table, note),
    show(next) {
      rows = next;
      render();
    },
  };
}

// Missing figures (null) count as the lowest; text goes by the language's order.
function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "string") return a.localeCompare(b, i18n.language);
  return a - b;
}
