// How many messages of each ticket this person has seen here, for the unread marker.
const STORAGE_KEY = "tb.seen";

function load() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}") ?? {};
  } catch {
    return {};
  }
}

export const seen = {
  unread(ticket) {
    const count = load()[ticket.id];
    // A ticket never opened here counts as read once: it was created here, or is old news.
    return count !== undefined && ticket.messages_count > count;
  },
  mark(ticket) {
    const counts = load();
    counts[ticket.id] = ticket.messages_count;
    localStorage.setItem(STORAGE_KEY, JSON.stringify(counts));
  },
};
