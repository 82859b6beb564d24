// The staff queue: by default the active tickets (open, in progress, waiting) by last
// activity; several statuses at once, the scope (mine / unassigned / all, and for moderators
// any one person), priority, category; sort by last activity, priority, SLA due or age; a
// search (words as prefixes, #number, a customer's name or @username); unread counts. The
// filters are the person's own, kept across launches (queue_filters.js). On a wide screen the
// selected ticket opens beside the list. Keys (by position, so a Russian layout works too):
// "/" search, J/K move, Enter open.
import { debounce, h, replace, wideScreen } from "../dom.js";
import { PRIORITIES, STATUSES } from "../domain.js";
import { i18n } from "../i18n.js";
import { shortcuts } from "../shortcuts.js";
import { TicketList } from "./ticket_list.js";
import { SCOPES, SORTS, listQuery, loadFilters, saveFilters } from "./queue_filters.js";
import ticketView from "./ticket.js";

const STAFF_ROLES = ["helper", "moderator", "admin", "developer"];

export default function queueView(app, params = {}) {
  const t = i18n.t;
  const me = app.session.user;
  const choosesPeople = app.session.can("users.view");  // moderators: the assignee filter
  // This device's copy of the person's filters at once; Telegram's copy comes later (below).
  const saved = loadFilters(me.id);
  let filters = saved.filters;
  let touched = false;  // the person changed a filter in this view: Telegram's copy is stale

  const searching = () => filters.q.trim() !== "";
  const matches = (ticket) => {
    if (filters.assignee) {
      if (String(ticket.assignee?.id ?? "") !== filters.assignee) return false;
    } else if (filters.scope === "mine" && ticket.assignee?.id !== me.id) {
      return false;
    } else if (filters.scope === "unassigned" && ticket.assignee) {
      return false;
    }
    return (filters.statuses.length === 0 || filters.statuses.includes(ticket.status)) &&
      (!filters.priority || ticket.priority === filters.priority) &&
      (!filters.category_id || String(ticket.category_id) === String(filters.category_id));
  };

  const placeholder = () => h("p", { class: "placeholder card" }, t("queue.pick"));
  const detail = h("aside", { class: "queue-detail", "aria-label": t("ticket.details") }, placeholder());
  let shown = null;  // the ticket view in the detail pane
  let shownId = null;
  const showInPane = (id) => {
    if (id === shownId) return;
    shown?.dispose?.();
    shownId = id;
    shown = id === null ? null : ticketView(app, { id, embedded: true });
    replace(detail, shown ? shown.node : placeholder());
    list.select(id);
  };
  // On a wide screen the ticket opens beside the list, with its own address (#/tickets/N) and
  // history entry, so Back, Forward, a reload and a link show it there again.
  const open = (ticket) => {
    if (!wideScreen.matches) {
      app.router.go("ticket", { id: ticket.id });
      return;
    }
    if (ticket.id === shownId) return;
    showInPane(ticket.id);
    app.router.select({ open: ticket.id });
  };

  const list = new TicketList(app, {
    label: t("queue.title"),
    load: (cursor) => app.api.get("/tickets", { ...listQuery(filters), cursor, limit: 50,
                                                 unread_total: cursor ? undefined : "true" }),
    matches, onOpen: open, showAssignee: true,
    order: () => filters.sort, searching,
    isOpen: (id) => wideScreen.matches && id === shownId,
  });
  list.emptyText = t("queue.empty");

  // --- the controls; sync() shows `filters` in them ---------------------------------------
  const changed = () => {
    touched = true;
    saveFilters(me.id, filters);
    sync();
    list.reload();
  };

  const search = h("input", {
    type: "search", class: "queue-search", value: "", placeholder: t("queue.searchHint"),
    "aria-label": t("queue.search"), enterkeyhint: "search", autocomplete: "off",
  });
  // While typing: the list follows once the person pauses, every word a prefix.
  search.addEventListener("input", debounce(() => {
    if (filters.q === search.value) return;
    filters.q = search.value;
    sync();
    list.reload();
  }, 250));

  const sort = h("select", { class: "queue-sort", "aria-label": t("queue.sort"),
                             onchange: () => { filters.sort = sort.value; changed(); } },
    SORTS.map((value) => h("option", { value }, t(`queue.sort.${value}`))));

  const scope = h("div", { class: "segmented", role: "group", "aria-label": t("queue.scope") },
    SCOPES.map((value) => h("button", {
      type: "button", dataset: { scope: value },
      onclick: () => { filters.scope = value; filters.assignee = ""; changed(); },
    }, t(`queue.${value}`))));

  const assignee = choosesPeople
    ? h("select", { class: "queue-assignee", "aria-label": t("queue.assignee"),
                    onchange: () => { filters.assignee = assignee.value; changed(); } },
        h("option", { value: "" }, t("queue.anyAssignee")))
    : null;
  // The choices of the filters come after the first page: on a slow phone the rows come first.
  const firstPage = list.reload();
  if (assignee) {
    firstPage.then(() => Promise.all(STAFF_ROLES.map((role) => app.api.get("/users", { role, limit: 200 }))))
      .then((pages) => {
        const people = pages.flatMap((page) => page.items)
          .sort((a, b) => a.first_name.localeCompare(b.first_name, i18n.language));
        assignee.append(...people.map((person) => h("option", { value: String(person.id) },
          person.username ? `${person.first_name} (@${person.username})` : person.first_name)));
        sync();
      })
      .catch(() => {});  // without the list, the scope buttons still filter
  }

  const statuses = h("div", { class: "status-toggles", role: "group", "aria-label": t("ticket.status") },
    STATUSES.map((status) => h("button", {
      type: "button", class: `status-toggle status-${status}`, dataset: { status },
      onclick: () => {
        const on = filters.statuses.includes(status);
        if (on && filters.statuses.length === 1) return;  // one status at least
        filters.statuses = on ? filters.statuses.filter((s) => s !== status)
          : STATUSES.filter((s) => s === status || filters.statuses.includes(s));
        changed();
      },
    }, t(`status.${status}`))));

  const select = (key, label, anyLabel, values, labelOf) => h("select", {
    "aria-label": label, onchange: (event) => { filters[key] = event.target.value; changed(); },
  }, h("option", { value: "" }, anyLabel), values.map((value) => h("option", { value }, labelOf(value))));
  const priority = select("priority", t("ticket.priority"), t("queue.anyPriority"), PRIORITIES,
                          (p) => t(`priority.${p}`));
  const category = select("category_id", t("ticket.category"), t("queue.anyCategory"), [], String);
  firstPage.then(() => app.api.get("/categories")).then(({ items }) => {
    category.append(...items.map((c) => h("option", { value: String(c.id) }, c.name)));
    sync();
  }).catch(() => {});

  const moreCount = h("span", { class: "filter-count" });
  const more = h("details", { class: "more-filters" },
    h("summary", {}, t("queue.filters"), moreCount),
    h("div", { class: "queue-filter-row" }, priority, category),
    wideScreen.matches ? h("p", { class: "hint" }, t("queue.shortcuts")) : null);

  function sync() {
    if (search.value !== filters.q && document.activeElement !== search) search.value = filters.q;
    sort.value = filters.sort;
    sort.disabled = searching();  // a search comes best match first
    sort.title = searching() ? t("queue.sortedByMatch") : "";
    for (const button of scope.children) {
      button.setAttribute("aria-pressed", String(!filters.assignee && button.dataset.scope === filters.scope));
    }
    if (assignee) {
      if (filters.assignee && !assignee.querySelector(`option[value="${filters.assignee}"]`)) {
        assignee.append(h("option", { value: filters.assignee }, `#${filters.assignee}`));
      }
      assignee.value = filters.assignee;
    }
    for (const button of statuses.children) {
      button.setAttribute("aria-pressed", String(filters.statuses.includes(button.dataset.status)));
      button.disabled = searching();  // a search looks through every status
    }
    priority.value = filters.priority;
    category.value = filters.category_id;
    const active = [filters.priority, filters.category_id].filter(Boolean).length;
    moreCount.textContent = active ? ` (${active})` : "";
    if (active) more.open = true;
  }

  // "/" (or Ctrl+K), J and K by the key's place on the keyboard (shortcuts.js), so the same
  // keys work in any layout and never while typing; Enter opens the selected ticket.
  const offShortcuts = [
    shortcuts.on("search", () => search.focus()),
    shortcuts.on("next", () => { list.move(1); }),
    shortcuts.on("previous", () => { list.move(-1); }),
  ];
  const onKey = (event) => {
    if (event.target.closest("input, textarea, select")) return;
    if (event.key === "Enter" && list.selectedId && document.activeElement === document.body) {
      const ticket = list.items.find((item) => item.id === list.selectedId);
      if (ticket) open(ticket);
    }
  };
  document.addEventListener("keydown", onKey);

  // Telegram's copy of the filters, if another device changed them, replaces them when it
  // comes, unless the person has changed something here meanwhile.
  let disposed = false;
  if (params.open && wideScreen.matches) showInPane(Number(params.open));
  saved.later.then((fromCloud) => {
    if (disposed || touched || !fromCloud) return;
    filters = { ...fromCloud, q: filters.q };
    sync();
    list.reload();
  }).catch(() => {});
  sync();

  const controls = h("div", { class: "card queue-controls" },
    h("div", { class: "queue-filter-row" }, search, sort),
    h("div", { class: "queue-filter-row" }, scope, assignee),
    h("div", { class: "queue-filter-row" }, statuses),
    h("div", { class: "queue-more-row" }, more, list.summary));
  return {
    title: t("queue.title"),
    // On a wide screen: filters and list on the left, the open ticket on the right.
    node: h("section", { class: "queue-layout" },
      h("div", { class: "queue-side" }, controls, list.node), detail),
    // Back or Forward to another ticket beside the list, or to none.
    update: (next) => showInPane(next.open && wideScreen.matches ? Number(next.open) : null),
    dispose: () => {
      disposed = true;
      document.removeEventListener("keydown", onKey);
      for (const off of offShortcuts) off();
      shown?.dispose?.();
      list.dispose();
    },
  };
}
