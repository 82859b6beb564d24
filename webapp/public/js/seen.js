// Read marks. The server keeps, per person, how far they have read each ticket (POST
// /tickets/{id}/read) and answers ticket lists with their unread counts, so the marker follows
// the person from phone to desktop. Here: telling the server once a ticket shows something new,
// and telling the lists on this page at once, before any reload.
let api = null;
const marked = new Map();  // ticket id → {state: what was on screen, at: when} at the last mark
// A ticket opened again after this long is marked again even when it looks the same: an
// internal note changes neither its count nor its time, yet is unread for staff. (A mark that
// moves nothing costs the server a read, never a write.)
const REMARK_AFTER_MS = 15_000;
const listeners = new Set();
const inFlight = new Set();  // marks posted and not yet answered

export const seen = {
  // The API client marks go through (main.js hands it over at start).
  attach(client) {
    api = client;
  },

  // The person has the ticket on screen as `ticket` shows it. Marks once per new message
  // (messages_count, or its latest message time, moved), not on every render.
  mark(ticket) {
    if (!ticket?.id) return;
    const state = `${ticket.messages_count}|${ticket.last_message_at}`;
    const last = marked.get(ticket.id);
    if (last?.state === state && Date.now() - last.at < REMARK_AFTER_MS) return;
    marked.set(ticket.id, { state, at: Date.now() });
    for (const listener of listeners) listener(ticket.id);
    if (!api) return;
    const posted = api.post(`/tickets/${ticket.id}/read`)
      .catch(() => {})  // a lost mark costs a badge, no more
      .finally(() => inFlight.delete(posted));
    inFlight.add(posted);
  },

  // Resolves once every mark posted so far is answered, so that a list read after it has them
  // counted; null when none is on its way (nothing to wait for, not even a turn of the loop).
  settled() {
    return inFlight.size > 0 ? Promise.all([...inFlight]) : null;
  },

  // Calls `listener(ticketId)` when a ticket is marked read here; returns the unsubscribe.
  onMark(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
