// The small pieces every administration section uses: the section's context, the status
// line, error notices, loading, tables that turn into cards, selects and labels.
import { h, replace } from "../../dom.js";
import { isKnownRole } from "../../domain.js";
import { i18n } from "../../i18n.js";

const SAVED_VISIBLE_MS = 4000;

// What a section needs: the app, the caller, and timers that stop when the view leaves,
// so that a late answer never writes into a screen that is gone.
export function createContext(app) {
  const timers = new Set();
  const context = {
    app,
    t: i18n.t,
    user: app.session.user,
    alive: true,
    later(callback, ms) {
      const id = setTimeout(() => {
        timers.delete(id);
        if (context.alive) callback();
      }, ms);
      timers.add(id);
      return id;
    },
    cancel(id) {
      clearTimeout(id);
      timers.delete(id);
    },
    dispose() {
      context.alive = false;
      for (const id of timers) clearTimeout(id);
      timers.clear();
    },
  };
  return context;
}

// The short "Saved" line, read out by screen readers, gone after a few seconds.
export function statusLine(context) {
  const node = h("p", { class: "admin-status", role: "status", "aria-live": "polite" });
  let timer = null;
  node.say = (text) => {
    if (timer) context.cancel(timer);
    node.textContent = text;
    timer = context.later(() => { node.textContent = ""; }, SAVED_VISIBLE_MS);
  };
  return node;
}

export function succeeded(context, status, text) {
  context.app.telegram.haptic("success");
  status.say(text ?? context.t("admin.saved"));
}

export function errorNotice(context, error, retry) {
  return h("div", { class: "notice error admin-error", role: "alert" },
    h("p", {}, i18n.error(error)),
    retry ? h("button", { type: "button", class: "button secondary", onclick: retry }, context.t("retry")) : null);
}

export function loadingLine(context) {
  return h("p", { class: "placeholder", role: "status" }, context.t("loading"));
}

// Shows "Loading…", then what `render` makes of the answer, or the error with a retry.
export function loadInto(context, region, fetcher, render) {
  const attempt = async () => {
    region.setAttribute("aria-busy", "true");
    replace(region, loadingLine(context));
    try {
      const data = await fetcher();
      if (!context.alive) return;
      region.removeAttribute("aria-busy");
      render(data);
    } catch (error) {
      if (!context.alive) return;
      region.removeAttribute("aria-busy");
      replace(region, errorNotice(context, error, attempt));
    }
  };
  return attempt();
}

// Every collection is {items, next_cursor}; the small ones are read to the end.
export async function fetchAll(api, path, query = {}) {
  const items = [];
  let cursor;
  for (let page = 0; page < 100; page++) {
    const answer = await api.get(path, { ...query, limit: 200, cursor });
    items.push(...(answer?.items ?? []));
    cursor = answer?.next_cursor;
    if (!cursor) break;
  }
  return items;
}

// The categories in the order the server's lists use.
export async function fetchCategories(api) {
  return (await fetchAll(api, "/categories")).sort(byPosition);
}

export function byPosition(a, b) {
  return (a.position ?? 0) - (b.position ?? 0) || String(a.name).localeCompare(String(b.name)) || a.id - b.id;
}

// `options` are [value, label] pairs.
export function selectOf(options, value) {
  const select = h("select", {}, options.map(([optionValue, label]) => h("option", { value: String(optionValue) }, label)));
  select.value = value === null || value === undefined ? "" : String(value);
  return select;
}

// The options of a select of server values, each labelled by the string `${prefix}.${value}`.
export function valueOptions(t, values, prefix) {
  return values.map((value) => [value, t(`${prefix}.${value}`)]);
}

export function checkboxLabel(input, text, extra = {}) {
  return h("label", { class: "checkbox", ...extra }, input, h("span", {}, text));
}

// The label a key gives, or `fallback` when the strings have none (a permission or an
// audit action added on the server after this app).
export function labelOr(t, key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}

export function personName(person) {
  return [person?.first_name, person?.last_name].filter(Boolean).join(" ") || `#${person?.id ?? "?"}`;
}

export function roleLabel(t, role) {
  return isKnownRole(role) ? t(`role.${role}`) : String(role);
}

// "Active" or "Inactive", for a category or an auto-reply.
export function activeChip(t, active) {
  return h("span", { class: active ? "chip" : "chip admin-inactive" }, active ? t("admin.active") : t("admin.inactive"));
}

// A category by name, marked when it is switched off.
export function categoryLabel(t, category) {
  return category.active ? category.name : t("admin.inactiveNamed", { name: category.name });
}

// A table that CSS turns into a stack of cards on narrow screens: each cell carries its
// column's name in data-label, shown before it once the header row is hidden. The
// explicit roles keep the table's meaning for screen readers when its display changes.
export function dataTable(caption, columns, className = "") {
  const body = h("tbody", { role: "rowgroup" });
  const table = h("table", { class: `admin-table ${className}`.trim(), role: "table" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", { role: "rowgroup" },
      h("tr", { role: "row" }, columns.map((column) => h("th", { scope: "col", role: "columnheader" }, column)))),
    body);
  return { table, body, columns };
}

export function tableRow(columns, cells, props = {}) {
  return h("tr", { role: "row", ...props }, cells.map((cell, index) => {
    const empty = cell === null || cell === undefined || cell === "";
    return h("td", { role: "cell", class: empty ? "admin-cell-empty" : null, "data-label": columns[index] },
      empty ? "—" : cell);
  }));
}
