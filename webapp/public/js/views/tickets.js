// The customer's own tickets ("My tickets"); staff see the tickets they opened themselves.
import { h } from "../dom.js";
import { i18n } from "../i18n.js";
import { TicketList } from "./ticket_list.js";

export default function ticketsView(app) {
  const me = app.session.user;
  const list = new TicketList(app, {
    label: i18n.t("tickets.title"),
    load: (cursor) => app.api.get("/tickets", { creator_id: me.id, cursor, limit: 30 }),
    matches: (ticket) => ticket.creator.id === me.id,
    onOpen: (ticket) => app.router.go("ticket", { id: ticket.id }),
  });
  list.reload();
  const create = h("button", { type: "button", class: "button wide",
                               onclick: () => app.router.go("new-ticket") }, i18n.t("tab.newTicket"));
  return {
    title: i18n.t("tickets.title"),
    // Opening tickets is tickets.create's: without it the list is all there is.
    node: h("section", {}, app.session.can("tickets.create")
      ? h("div", { class: "row", style: "margin-bottom:12px" }, create) : null, list.node),
    dispose: () => list.dispose(),
  };
}
