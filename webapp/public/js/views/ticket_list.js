// A list of tickets (the customer's own, or the staff queue), kept live without redrawing:
// each ticket is one keyed row; the next page's rows are appended (when the end of the list
// comes into view, or on "Show more"); a `tickets` push updates, moves, adds or drops only
// its own row. Unread counts come from the server with each page (the person's read marks)
// and follow pushes and reads made here.
import { h, replace } from "../dom.js";
import { i18n } from "../i18n.js";
import { seen } from "../seen.js";
import { isCustomerView } from "../domain.js";

// A customer reads what a status means for them ("Waiting for your reply"), staff its name.
export function statusChip(status, viewer) {
  const key = isCustomerView(viewer) ? `customerStatus.${status}` : `status.${status}`;
  return h("span", { class: `chip status-${status}` }, i18n.t(key));
}

export function priorityChip(priority) {
  return h("span", { class: `chip priority-${priority}` }, i18n.t(`priority.${priority}`));
}

const PRIORITY_RANK = { low: 0, normal: 1, high: 2, critical: 3 };
const time = (iso) => (iso ? Date.parse(iso) : 0);

// When the first response is due, while one is awaited on an unfinished ticket; else nothing
// (the server's sla_due order: these first, by due time, then the rest).
export function pendingDue(ticket) {
  if (!ticket.sla_due_at || ticket.first_response_at || ticket.resolved_at || ticket.closed_at) return null;
  return ticket.sla_due_at;
}

// The server's orders (docs/API.md, GET /tickets `sort`), as [key, descending] to compare rows
// that a push moved. Ties go to the id, in the same direction.
const ORDERS = {
  updated_at: [(t) => time(t.updated_at), true],
  created_at: [(t) => time(t.created_at), true],
  last_activity: [(t) => time(t.last_message_at), true],
  priority: [(t) => PRIORITY_RANK[t.priority] ?? 1, true],
  sla_due: [(t) => { const due = pendingDue(t); return due ? time(due) : Infinity; }, false],
};

function compare(order, a, b) {
  const [key, descending] = ORDERS[order] ?? ORDERS.updated_at;
  const [x, y] = [key(a), key(b)];
  const byKey = x === y ? a.id - b.id : x < y ? -1 : 1;
  return descending ? -byKey : byKey;
}

// The time a row shows: the one its order is by.
function rowTime(ticket, order) {
  const t = i18n.t;
  const at = (iso, key) => ({ iso, text: t(key, { when: i18n.relative(iso) }) });
  switch (order) {
    case "sla_due": {
      const due = pendingDue(ticket);
      if (!due) return { iso: null, text: t("queue.time.noDue") };
      return at(due, time(due) <= Date.now() ? "queue.time.overdue" : "queue.time.due");
    }
    case "last_activity": return at(ticket.last_message_at, "queue.time.last_activity");
    case "created_at":
    case "priority": return at(ticket.created_at, "queue.time.created_at");
    default: return at(ticket.updated_at, "tickets.updated");
  }
}

export class TicketList {
  // load(cursor) → {items, next_cursor, unread?, unread_tickets?}; matches(ticket) → whether a
  // live update belongs; order() → the sort the list is in; searching() → whether it shows
  // search results (ranked by the server: pushes update rows in place but add none).
  constructor(app, { label, load, matches, onOpen, showAssignee = false,
                     order = () => "updated_at", searching = () => false, isOpen = () => false }) {
    this.app = app;
    this.load = load;
    this.matches = matches;
    this.onOpen = onOpen;
    this.showAssignee = showAssignee;
    this.order = order;
    this.searching = searching;
    this.isOpen = isOpen;
    this.items = [];           // in list order
    this.rows = new Map();     // ticket id → its <li>
    this.unread = new Map();   // ticket id → unread messages (only those above zero)
    this.unreadTotal = null;   // tickets with unread messages in the whole list, when known
    this.cursor = null;
    this.selectedId = null;
    this.generation = 0;       // each reload starts a new one; older answers are dropped
    this.loading = null;       // the generation whose page is being fetched
    this.list = h("ul", { class: "ticket-list", "aria-label": label });
    this.summary = h("p", { class: "ticket-list-summary", "aria-live": "polite", hidden: true });
    this.footer = h("div", { class: "ticket-list-footer" });
    this.node = h("div", { class: "ticket-list-wrap" }, this.summary, this.list, this.footer);
    this.unsubscribe = [
      app.realtime.on("ticket.created", ({ ticket }) => this.upsert(ticket, true)),
      app.realtime.on("ticket.updated", ({ ticket }) => this.upsert(ticket)),
      app.realtime.on("ticket.deleted", ({ ticket }) => this.drop(ticket.id)),
      seen.onMark((id) => this.markRead(id)),
    ];
    app.realtime.subscribe("tickets");
    // The next page comes when the end of the list is near, without a tap.
    this.observer = "IntersectionObserver" in window
      ? new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting) && this.cursor) this.more();
      }, { rootMargin: "400px 0px" })
      : null;
    this.observer?.observe(this.footer);
  }

  dispose() {
    for (const off of this.unsubscribe) off();
    this.observer?.disconnect();
  }

  async reload() {
    const generation = ++this.generation;
    this.items = [];
    this.rows.clear();
    this.unread.clear();
    this.unreadTotal = null;
    this.cursor = null;
    replace(this.list, h("li", { class: "placeholder" }, i18n.t("loading")));
    replace(this.footer);
    await this.fetch(generation, true);
  }

  more() {
    return this.fetch(this.generation, false);
  }

  async fetch(generation, first) {
    if (this.loading === generation) return;
    this.loading = generation;
    this.footer.querySelector("button")?.setAttribute("disabled", "");
    try {
      const marks = seen.settled();  // reads marked here are counted in the answer
      if (marks) await marks;
      const page = await this.load(first ? null : this.cursor);
      if (generation !== this.generation) return;
      if (first) {
        // Pushes that came while the first page was on its way are in it, or older than it.
        replace(this.list);
        this.items = [];
        this.rows.clear();
      }
      for (const [id, count] of Object.entries(page.unread ?? {})) this.unread.set(Number(id), count);
      if (page.unread_tickets !== undefined) this.unreadTotal = page.unread_tickets;
      const rows = document.createDocumentFragment();
      for (const ticket of page.items) {
        if (this.rows.has(ticket.id)) continue;  // moved here by a push since the page before
        this.items.push(ticket);
        rows.append(this.makeRow(ticket));
      }
      this.list.append(rows);
      this.cursor = page.next_cursor;
      this.renderChrome();
    } catch (error) {
      if (generation !== this.generation) return;
      const retry = h("button", { type: "button", class: "button secondary",
                                  onclick: () => (first ? this.reload() : this.more()) }, i18n.t("retry"));
      const notice = h("div", { class: "notice error", role: "alert" }, i18n.error(error), " ", retry);
      if (first) replace(this.list, h("li", {}, notice));
      else replace(this.footer, notice);
    } finally {
      if (this.loading === generation) this.loading = null;
    }
  }

  // The parts around the rows: the empty state, the unread total, "Show more".
  renderChrome() {
    const t = i18n.t;
    const empty = this.list.querySelector(":scope > li.empty");
    if (this.items.length === 0 && !empty) {
      replace(this.list, h("li", { class: "empty" }, this.emptyText ?? t("tickets.empty")));
    } else if (this.items.length > 0) {
      empty?.remove();
    }
    this.renderSummary();
    replace(this.footer, this.cursor
      ? h("button", { type: "button", class: "button secondary wide", onclick: () => this.more() },
          t("showMore"))
      : null);
  }

  makeRow(ticket) {
    const li = h("li", { dataset: { id: ticket.id } }, this.row(ticket));
    this.rows.set(ticket.id, li);
    return li;
  }

  // A ticket created or changed (a push): its row is updated where it is, moved to where the
  // order puts it, added, or dropped — the rest of the list is not touched.
  upsert(ticket, created = false) {
    const at = this.items.findIndex((item) => item.id === ticket.id);
    const before = at >= 0 ? this.items[at] : null;
    if (this.searching()) {
      if (before) this.replaceRow(at, ticket, before);
      return;
    }
    if (!this.matches(ticket)) {
      if (before) this.drop(ticket.id);
      return;
    }
    this.countNew(ticket, before, created);
    if (before) {
      this.items.splice(at, 1);
      this.rows.get(ticket.id)?.remove();
      this.rows.delete(ticket.id);
    }
    let position = this.items.findIndex((item) => compare(this.order(), ticket, item) < 0);
    if (position < 0) {
      // After every loaded row: it belongs on a page not loaded yet, unless this is the last.
      if (this.cursor) {
        this.renderChrome();
        return;
      }
      position = this.items.length;
    }
    const next = this.items[position];
    this.items.splice(position, 0, ticket);
    const li = this.makeRow(ticket);
    if (next) this.rows.get(next.id).before(li);
    else this.list.append(li);
    this.renderChrome();
  }

  replaceRow(at, ticket, before) {
    this.countNew(ticket, before);
    this.items[at] = ticket;
    const li = this.rows.get(ticket.id);
    if (li) replace(li, this.row(ticket));
    this.renderSummary();
  }

  // A public message more than the row had, on a ticket not open here, is unread until read. A
  // ticket new to the list is unread when it is new altogether (someone else's); one that only
  // came into the filters (reopened, reassigned) is left as the server will count it next time.
  countNew(ticket, before, created = false) {
    if (this.isOpen(ticket.id)) return;
    const me = this.app.session.user?.id;
    const added = before ? ticket.messages_count - before.messages_count
      : (created && ticket.creator.id !== me ? ticket.messages_count : 0);
    if (added <= 0) return;
    const had = this.unread.get(ticket.id) ?? 0;
    this.unread.set(ticket.id, had + added);
    if (had === 0 && this.unreadTotal !== null) this.unreadTotal += 1;
  }

  markRead(id) {
    if (!this.unread.has(id)) return;
    this.unread.delete(id);
    if (this.unreadTotal) this.unreadTotal -= 1;
    const at = this.items.findIndex((item) => item.id === id);
    if (at >= 0) replace(this.rows.get(id), this.row(this.items[at]));
    this.renderSummary();
  }

  renderSummary() {
    const total = this.unreadTotal ?? 0;
    this.summary.hidden = total === 0;
    this.summary.textContent = total > 0 ? i18n.plural("queue.unreadTickets", total) : "";
  }

  drop(id) {
    const at = this.items.findIndex((item) => item.id === id);
    if (at < 0) return;
    this.items.splice(at, 1);
    this.rows.get(id)?.remove();
    this.rows.delete(id);
    if (this.unread.delete(id) && this.unreadTotal) this.unreadTotal -= 1;
    this.renderChrome();
  }

  select(id) {
    this.selectedId = id;
    for (const button of this.list.querySelectorAll(".ticket-item")) {
      button.setAttribute("aria-current", String(Number(button.dataset.id) === id));
    }
  }

  // Keyboard: moves the selection by `step` and returns the ticket now selected.
  move(step) {
    if (this.items.length === 0) return null;
    const at = this.items.findIndex((item) => item.id === this.selectedId);
    const next = this.items[Math.min(Math.max(at + step, 0), this.items.length - 1)];
    this.select(next.id);
    this.list.querySelector(`.ticket-item[data-id="${next.id}"]`)?.focus();
    return next;
  }

  row(ticket) {
    const t = i18n.t;
    const unread = this.unread.get(ticket.id) ?? 0;
    const when = rowTime(ticket, this.searching() ? "relevance" : this.order());
    return h("button", {
      type: "button", class: "ticket-item", dataset: { id: ticket.id },
      "aria-current": String(ticket.id === this.selectedId),
      onclick: () => { this.select(ticket.id); this.onOpen(ticket); },
    },
      h("div", { class: "line" },
        h("div", { class: "subject" }, h("span", {}, `#${ticket.id} · ${ticket.subject}`)),
        unread > 0
          ? h("span", { class: "unread-badge" }, h("span", { "aria-hidden": "true" }, String(unread)),
              h("span", { class: "visually-hidden" }, i18n.plural("queue.unreadMessages", unread)))
          : null),
      h("div", { class: "chips" },
        statusChip(ticket.status, this.app.session.user), priorityChip(ticket.priority),
        ticket.breached ? h("span", { class: "chip breached" }, t("ticket.breached")) : null,
        this.showAssignee
          ? h("span", { class: "chip" }, ticket.assignee ? ticket.assignee.first_name : t("ticket.unassigned"))
          : null,
        h("time", { class: "when", datetime: when.iso ?? undefined,
                    title: when.iso ? i18n.date(when.iso) : undefined }, when.text)),
      ticket.last_message_preview ? h("p", { class: "preview" }, ticket.last_message_preview) : null);
  }
}
