// Deleting a ticket (tickets.delete, admins by default): a button for the ticket view, asked
// to confirm. The server deletes softly — the ticket leaves every list — and answers 204;
// the view then goes back to the list it came from.
import { h } from "../dom.js";
import { i18n } from "../i18n.js";

// The button, or null when the caller may not delete tickets. `onError(error)` shows a
// refusal where the view shows its errors.
export function deleteTicketControl(app, ticket, onError) {
  if (!app.session.can("tickets.delete")) return null;
  const t = i18n.t;
  const button = h("button", { type: "button", class: "button danger", onclick: async () => {
    if (!(await app.telegram.confirm(t("ticket.deleteConfirm", { id: ticket.id })))) return;
    button.disabled = true;
    try {
      await app.api.delete(`/tickets/${ticket.id}`);
      app.telegram.haptic("success");
      if (app.router.stack.length > 1) app.router.back();
      else app.router.root("queue");
    } catch (error) {
      button.disabled = false;
      app.telegram.haptic("error");
      onError(error);
    }
  } }, t("ticket.delete"));
  return h("div", { class: "field ticket-delete" }, button);
}
