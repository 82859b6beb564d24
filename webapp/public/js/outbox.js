// Messages on their way. Every message the app sends goes through here: it is kept (in
// localStorage, so a reload does not lose it) until the server has it, and posted again
// when the connection is back. Each carries a client_id; the server recognises a retry
// whose first answer was lost, so a message is never posted twice.
const STORAGE_KEY = "tb.outbox";
const RETRY_MS = 5000;

export class Outbox {
  constructor(api, realtime) {
    this.api = api;
    this.key = null;  // per person: what one wrote is never posted as another
    this.items = [];
    this.listeners = new Set();
    this.flushing = false;
    this.retryTimer = null;
    realtime.on("state", ({ state }) => {
      if (state === "connected") this.flush();
    });
    window.addEventListener("online", () => this.flush());
  }

  // Switches to the outbox of the person signed in (null: nobody) and sends what waits.
  useFor(userId) {
    this.key = userId ? `${STORAGE_KEY}.${userId}` : null;
    this.items = this.key ? load(this.key) : [];
    this.flush();
  }

  // callback({ kind: "queued" | "sent" | "failed", item, message?, error? })
  on(callback) {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  add(ticketId, body, internal = false) {
    const item = { client_id: newClientId(), ticket_id: ticketId, body, internal,
                   created_at: new Date().toISOString() };
    this.items.push(item);
    this.save();
    this.emit({ kind: "queued", item });
    this.flush();
    return item;
  }

  waiting(ticketId) {
    return this.items.filter((item) => item.ticket_id === ticketId);
  }

  async flush() {
    if (this.flushing || !this.key) return;
    this.flushing = true;
    clearTimeout(this.retryTimer);
    try {
      while (this.items.length > 0) {
        const item = this.items[0];
        const delay = await this.post(item);
        if (delay !== 0) {
          this.retryTimer = setTimeout(() => this.flush(), delay);
          break;
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  // Posts one item; 0 when it is settled (sent, or refused for good), else how long to
  // wait before the next try.
  async post(item) {
    try {
      const message = await this.api.post(`/tickets/${item.ticket_id}/messages`, {
        body: item.body, internal: item.internal, client_id: item.client_id });
      this.remove(item);
      this.emit({ kind: "sent", item, message });
      return 0;
    } catch (error) {
      if (error.offline || error.status >= 500) return RETRY_MS;
      if (error.code === "rate_limited") return (error.retryAfter ?? 5) * 1000;
      this.remove(item);
      this.emit({ kind: "failed", item, error });
      return 0;
    }
  }

  remove(item) {
    this.items = this.items.filter((other) => other !== item);
    this.save();
  }

  save() {
    if (this.key) localStorage.setItem(this.key, JSON.stringify(this.items));
  }

  emit(event) {
    for (const listener of this.listeners) listener(event);
  }
}

function load(key) {
  try {
    const items = JSON.parse(localStorage.getItem(key) ?? "[]");
    return Array.isArray(items) ? items : [];
  } catch {
    return [];
  }
}

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
