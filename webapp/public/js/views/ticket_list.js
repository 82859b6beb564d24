// A list of tickets (the customer's own, or the staff queue), kept live: `tickets` topic
// events update, add or drop rows without reloading.
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

export class TicketList {
  // load(cursor) → {items, next_cursor}; matches(ticket) → whether a live update belongs.
  constructor(app, { label, load, matches, onOpen, showAssignee = false }) {
    this.app = app;
    this.load = load;
    this.matches = matches;
    this.onOpen = onOpen;
    this.showAssignee = showAssignee;
    this.items = [];
    this.cursor = null;
    this.selectedId = null;
    this.list = h("ul", { class: "ticket-list", "aria-label": label });
    this.footer = h("div");
    this.node = h("div", { class: "ticket-list-wrap" }, this.list, this.footer);
    this.unsubscribe = [
      app.realtime.on("ticket.created", ({ ticket }) => this.upsert(ticket)),
      app.realtime.on("ticket.updated", ({ ticket }) => this.upsert(ticket)),
      app.realtime.on("ticket.deleted", ({ ticket }) => this.drop(ticket.id)),
    ];
    app.realtime.subscribe("tickets");
  }

  dispose() {
    for (const off of this.unsubscribe) off();
  }

  async reload() {
    this.items = [];
    this.cursor = null;
    replace(this.list, h("li", { class: "placeholder" }, i18n.t("loading")));
    await this.more();
  }

  async more() {
    try {
      const page = await this.load(this.cursor);
      this.items.push(...page.items);
      this.cursor = page.next_cursor;
      this.render();
    } catch (error) {
      replace(this.list, h("li", { class: "notice error", role: "alert" },
        i18n.error(error),
        " ", h("button", { type: "button", class: "button secondary", onclick: () => this.reload() },
               i18n.t("retry"))));
    }
  }

  upsert(ticket) {
    const at = this.items.findIndex((item) => item.id === ticket.id);
    if (!this.matches(ticket)) {
      if (at >= 0) this.drop(ticket.id);
      return;
    }
    if (at >= 0) this.items.splice(at, 1);
    this.items.unshift(ticket);  // the list is ordered by last change
    this.render();
  }

  drop(id) {
    this.items = this.items.filter((item) => item.id !== id);
    this.render();
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
    this.list.querySelector(`[data-id="${next.id}"]`)?.focus();
    return next;
  }

  render() {
    const t = i18n.t;
    if (this.items.length === 0) {
      replace(this.list, h("li", { class: "empty" }, this.emptyText ?? t("tickets.empty")));
    } else {
      replace(this.list, this.items.map((ticket) => h("li", {}, this.row(ticket))));
    }
    replace(this.footer, this.cursor
      ? h("button", { type: "button", class: "button secondary wide", onclick: () => this.more() },
          t("showMore"))
      : null);
  }

  row(ticket) {
    const t = i18n.t;
    const unread = seen.unread(ticket);
    return h("button", {
      type: "button", class: "ticket-item", dataset: { id: ticket.id },
      "aria-current": String(ticket.id === this.selectedId),
      onclick: () => { this.select(ticket.id); this.onOpen(ticket); },
    },
      h("div", { class: "subject" },
        unread ? h("span", { class: "unread-dot", title: t("tickets.unread") },
                   h("span", { class: "visually-hidden" }, t("tickets.unread"))) : null,
        h("span", {}, `#${ticket.id} · ${ticket.subject}`)),
      h("div", { class: "chips" },
        statusChip(ticket.status, this.app.session.user), priorityChip(ticket.priority),
        ticket.breached ? h("span", { class: "chip breached" }, t("ticket.breached")) : null,
        this.showAssignee
          ? h("span", { class: "chip" }, ticket.assignee ? ticket.assignee.first_name : t("ticket.unassigned"))
          : null),
      ticket.last_message_preview ? h("p", { class: "preview" }, ticket.last_message_preview) : null,
      h("p", { class: "meta" },
        i18n.plural("tickets.messages", ticket.messages_count), " · ",
        t("tickets.updated", { when: i18n.relative(ticket.last_message_at ?? ticket.updated_at) })));
  }
}
