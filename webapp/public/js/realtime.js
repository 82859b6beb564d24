// The live channel (/ws): connects, resumes every subscription after a drop from the last
// event-log position seen on it (or, before any live frame, the last message id), so the
// server replays what was missed, and reports its state for the connection indicator:
// "connecting", "connected", "reconnecting" or "offline". A `resync` frame (the log no
// longer reaches back that far) goes to the views, which reload.

const KEEPALIVE_MS = 25_000;  // a ping, so that proxies keep the connection open
const SILENCE_MS = 60_000;    // nothing heard for this long: the connection is dead
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

export class Realtime {
  constructor() {
    this.token = null;
    this.state = "offline";
    this.socket = null;
    this.attempt = 0;
    this.topics = new Map();  // topic → { afterId, position }: the last message id and log position seen
    this.listeners = new Map();  // frame type → Set of callbacks
    this.timers = {};
    window.addEventListener("online", () => this.reconnectNow());
    window.addEventListener("offline", () => this.setState("offline"));
  }

  start(token) {
    this.token = token;
    this.attempt = 0;
    this.open();
  }

  stop() {
    this.token = null;
    this.clearTimers();
    this.socket?.close(1000);
    this.socket = null;
    this.setState("offline");
  }

  // `callback(frame)` for every frame of that type ("state" for state changes); returns
  // the function that removes it.
  on(type, callback) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(callback);
    return () => this.listeners.get(type)?.delete(callback);
  }

  subscribe(topic, afterId = 0) {
    const known = this.topics.get(topic) ?? { afterId: 0, position: 0 };
    this.topics.set(topic, { ...known, afterId: Math.max(known.afterId, afterId) });
    this.send({ type: "subscribe", topic, ...(afterId ? { after_id: afterId } : {}) });
  }

  unsubscribe(topic) {
    this.topics.delete(topic);
    this.send({ type: "unsubscribe", topic });
  }

  typing(ticketId) {
    this.send({ type: "typing", ticket_id: ticketId });
  }

  send(frame) {
    if (this.socket?.readyState === WebSocket.OPEN && this.state === "connected") {
      this.socket.send(JSON.stringify(frame));
    }
  }

  reconnectNow() {
    if (!this.token || this.state === "connected") return;
    this.attempt = 0;
    this.clearTimers();
    this.socket?.close();
    this.open();
  }

  open() {
    if (!this.token) return;
    this.setState(this.attempt === 0 && this.state !== "reconnecting" ? "connecting" : "reconnecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(this.token)}`);
    this.socket = socket;
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      this.heard();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.receive(frame);
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.clearTimers();
      // Refused by policy: the session ended, or too many connections. The owner checks
      // which (policy_closed) and either signs out or calls retryLater.
      if (event.code === 1008) {
        this.setState("offline");
        this.emit("policy_closed", { reason: event.reason });
        return;
      }
      this.scheduleReconnect();
    };
  }

  receive(frame) {
    if (frame.type === "ready") {
      this.attempt = 0;
      this.setState("connected");
      this.timers.keepalive = setInterval(() => this.send({ type: "ping" }), KEEPALIVE_MS);
      for (const [topic, { afterId, position }] of this.topics) {
        const resume = position ? { after_position: position } : afterId ? { after_id: afterId } : {};
        this.send({ type: "subscribe", topic, ...resume });
      }
    }
    const ticketId = frame.ticket_id ?? frame.ticket?.id;
    const known = ticketId && this.topics.get(`ticket:${ticketId}`);
    if (known) {
      if (frame.type === "message.created") known.afterId = Math.max(known.afterId, frame.message.id);
      if (frame.position) known.position = Math.max(known.position, frame.position);
    }
    this.emit(frame.type, frame);
  }

  // Each frame resets the silence timer; if it fires, the socket is given up on.
  heard() {
    clearTimeout(this.timers.silence);
    this.timers.silence = setTimeout(() => this.socket?.close(), SILENCE_MS);
  }

  scheduleReconnect() {
    if (!this.token) return;
    this.setState(navigator.onLine === false ? "offline" : "reconnecting");
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    // Jitter, so that a restarted server is not hit by every client at the same moment.
    this.timers.reconnect = setTimeout(() => this.open(), base / 2 + Math.random() * base);
  }

  retryLater() {
    this.attempt = BACKOFF_MS.length - 1;  // not at once: the limit would refuse us again
    this.scheduleReconnect();
  }

  clearTimers() {
    clearInterval(this.timers.keepalive);
    clearTimeout(this.timers.silence);
    clearTimeout(this.timers.reconnect);
    this.timers = {};
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", { state });
  }

  emit(type, frame) {
    for (const callback of this.listeners.get(type) ?? []) callback(frame);
  }
}
