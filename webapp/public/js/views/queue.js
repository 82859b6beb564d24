// The staff queue: filters (mine / unassigned / all, category, status, priority, search),
// a live list, and on a wide screen the selected ticket beside it. Keys: "/" search,
// j/k move, Enter open.
import { debounce, field, h, replace } from "../dom.js";
import { PRIORITIES, STATUSES } from "../domain.js";
import { i18n } from "../i18n.js";
import { TicketList } from "./ticket_list.js";
import ticketView from "./ticket.js";

const SCOPES = ["mine", "unassigned", "all"];
const WIDE = window.matchMedia("(min-width: 960px)");
const FILTERS_KEY = "tb.queue.filters";

export default function queueView(app) {
  const t = i18n.t;
  const me = app.session.user;
  const filters = { scope: "all", status: "", priority: "", category_id: "", q: "",
                    ...JSON.parse(sessionStorage.getItem(FILTERS_KEY) ?? "{}") };

  const query = (cursor) => ({
    assignee_id: filters.scope === "mine" ? "me" : filters.scope === "unassigned" ? "none" : undefined,
    status: filters.status, priority: filters.priority, category_id: filters.category_id,
    q: filters.q.trim(), cursor, limit: 50,
  });
  const matches = (ticket) =>
    (filters.scope !== "mine" || ticket.assignee?.id === me.id) &&
    (filters.scope !== "unassigned" || !ticket.assignee) &&
    (!filters.status || ticket.status === filters.status) &&
    (!filters.priority || ticket.priority === filters.priority) &&
    (!filters.category_id || String(ticket.category_id) === String(filters.category_id)) &&
    !filters.q.trim();  // a search is not re-run for live changes: they would not match it reliably

  const detail = h("aside", { class: "queue-detail", "aria-label": t("ticket.details") },
                   h("p", { class: "placeholder card" }, t("queue.pick")));
  let shown = null;  // the ticket view in the detail pane
  const open = (ticket) => {
    if (!WIDE.matches) {
      app.router.go("ticket", { id: ticket.id });
      return;
    }
    shown?.dispose?.();
    shown = ticketView(app, { id: ticket.id, embedded: true });
    replace(detail, shown.node);
  };

  const list = new TicketList(app, {
    label: t("queue.title"),
    load: (cursor) => app.api.get("/tickets", query(cursor)), matches, onOpen: open, showAssignee: true,
  });
  list.emptyText = t("queue.empty");

  const activeFilters = () => [filters.status, filters.priority, filters.category_id].filter(Boolean).length;

  const changed = () => {
    sessionStorage.setItem(FILTERS_KEY, JSON.stringify(filters));
    list.reload();
  };

  const scope = h("div", { class: "segmented", role: "group", "aria-label": t("queue.scope") },
    SCOPES.map((value) => h("button", {
      type: "button", "aria-pressed": String(filters.scope === value), dataset: { scope: value },
      onclick: (event) => {
        filters.scope = value;
        for (const button of scope.children) button.setAttribute("aria-pressed", String(button === event.currentTarget));
        changed();
      },
    }, t(`queue.${value}`))));

  const choice = (key, label, anyLabel, values, labelOf) => {
    const control = h("select", { onchange: (event) => { filters[key] = event.target.value; changed(); } },
      h("option", { value: "" }, anyLabel),
      values.map((value) => h("option", { value, selected: String(filters[key]) === String(value) }, labelOf(value))));
    return { control, wrapper: field(label, control) };
  };
  const status = choice("status", t("ticket.status"), t("queue.anyStatus"), STATUSES, (s) => t(`status.${s}`));
  const priority = choice("priority", t("ticket.priority"), t("queue.anyPriority"), PRIORITIES, (p) => t(`priority.${p}`));
  const category = choice("category_id", t("ticket.category"), t("queue.anyCategory"), [], String);
  app.api.get("/categories").then(({ items }) => {
    category.control.append(...items.map((c) =>
      h("option", { value: c.id, selected: String(filters.category_id) === String(c.id) }, c.name)));
  }).catch(() => {});

  const search = h("input", { type: "search", value: filters.q, placeholder: t("queue.search"), enterkeyhint: "search" });
  search.addEventListener("input", debounce(() => { filters.q = search.value; changed(); }, 300));

  const onKey = (event) => {
    if (event.target.closest("input, textarea, select")) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (event.key === "/") {
      event.preventDefault();
      search.focus();
    } else if (event.key === "j" || event.key === "k") {
      list.move(event.key === "j" ? 1 : -1);
    } else if (event.key === "Enter" && list.selectedId && document.activeElement === document.body) {
      const ticket = list.items.find((item) => item.id === list.selectedId);
      if (ticket) open(ticket);
    }
  };
  document.addEventListener("keydown", onKey);

  list.reload();
  return {
    title: t("queue.title"),
    // On a wide screen: filters and list on the left, the open ticket on the right.
    node: h("section", { class: "queue-layout" }, h("div", { class: "queue-side" },
      h("div", { class: "card" },
        scope,
        h("div", { class: "filters", style: "margin-top:10px" }, field(t("queue.search"), search)),
        // On a phone the other filters fold away; on a desktop they stay open.
        h("details", { class: "more-filters", open: WIDE.matches || activeFilters() > 0 },
          h("summary", {}, t("queue.filters")),
          h("div", { class: "filters" }, status.wrapper, priority.wrapper, category.wrapper)),
        WIDE.matches ? h("p", { class: "hint" }, t("queue.shortcuts")) : null),
      list.node), detail),
    dispose: () => {
      document.removeEventListener("keydown", onKey);
      shown?.dispose?.();
      list.dispose();
    },
  };
}
