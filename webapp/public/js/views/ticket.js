// One ticket: its state, the conversation (live), and what the caller may do with it.
// Messages come from REST, then the `ticket:{id}` topic subscribed with the last id
// loaded, so nothing falls between the two; every message is shown once, by id.
import { field, h, replace } from "../dom.js";
import { i18n } from "../i18n.js";
import { isFinished, isStaff, LIMITS, PRIORITIES, STATUSES } from "../domain.js";
import { seen } from "../seen.js";
import { priorityChip, statusChip } from "./ticket_list.js";
import { deleteTicketControl } from "./ticket_delete.js";

const NEAR_BOTTOM_PX = 80;
const TYPING_SEND_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 5000;
const PAGE = 200;

export default function ticketView(app, { id, embedded = false }) {
  const t = i18n.t;
  const me = app.session.user;
  const staff = isStaff(me);
  const state = { ticket: null, messages: new Map(), lastId: 0, disposed: false };

  const head = h("section", { class: "card ticket-head", "aria-live": "polite" },
                 h("p", { class: "placeholder" }, t("loading")));
  const customerPanel = h("section", { class: "card customer-panel", hidden: true });
  const chat = h("div", { class: "chat", role: "log", "aria-label": t("chat.label"), tabindex: "0" });
  const typingLine = h("div", { class: "typing", "aria-live": "polite" });
  const newMessages = h("button", { type: "button", class: "button secondary new-messages", hidden: true,
                                    onclick: () => scrollToEnd() }, t("chat.newMessages"));
  const composerArea = h("div", { class: "composer-area" });
  const ratingArea = h("div");
  const status = h("div", { role: "alert" });
  const node = h("div", { class: "ticket-view" }, status, head, customerPanel, ratingArea,
                 h("section", { class: "card conversation" }, chat, typingLine, composerArea));
  chat.append(newMessages);

  // --- the conversation ---------------------------------------------------------------
  const nearBottom = () => chat.scrollHeight - chat.scrollTop - chat.clientHeight < NEAR_BOTTOM_PX;
  const scrollToEnd = () => {
    chat.scrollTop = chat.scrollHeight;
    newMessages.hidden = true;
  };
  chat.addEventListener("scroll", () => { if (nearBottom()) newMessages.hidden = true; });

  const authorName = (message) => {
    if (message.source === "system") return t("chat.system");
    if (message.author.id === me.id) return t("chat.you");
    return message.author.first_name;
  };

  const bubble = (message, pending = false) => {
    const classes = ["message"];
    if (message.author?.id === me.id) classes.push("mine");
    if (message.internal) classes.push("internal");
    if (message.source === "system") classes.push("system");
    if (pending) classes.push("pending");
    const when = pending ? t("chat.pending") : i18n.time(message.created_at);
    return h("article", { class: classes.join(" "), "aria-label": `${authorName(message)}, ${when}`,
                          dataset: { id: message.id ?? "", clientId: message.client_id ?? "" } },
      h("div", { class: "author" }, authorName(message),
        message.internal ? h("span", { class: "badge" }, t("chat.internalBadge")) : null),
      h("div", { class: "body" }, message.body),
      h("div", { class: "time" }, when));
  };

  const addMessage = (message) => {
    if (state.messages.has(message.id)) return;
    state.messages.set(message.id, message);
    state.lastId = Math.max(state.lastId, message.id);
    const follow = nearBottom();
    chat.querySelector(".empty")?.remove();
    // Keep id order even when a replayed message arrives after a newer live one.
    const later = [...chat.querySelectorAll(".message[data-id]")]
      .find((element) => Number(element.dataset.id) > message.id);
    const element = bubble(message);
    chat.insertBefore(element, later ?? firstPending() ?? newMessages);
    if (follow || message.author.id === me.id) scrollToEnd();
    else newMessages.hidden = false;
  };
  const firstPending = () => chat.querySelector(".message.pending");

  const showPending = (item) => {
    chat.querySelector(".empty")?.remove();
    chat.insertBefore(bubble({ ...item, author: me, source: "miniapp" }, true), newMessages);
    scrollToEnd();
  };
  const dropPending = (clientId) =>
    chat.querySelector(`.message.pending[data-client-id="${CSS.escape(clientId)}"]`)?.remove();

  async function loadMessages() {
    let after = 0;
    for (;;) {
      const page = await app.api.get(`/tickets/${id}/messages`, { after_id: after || undefined, limit: PAGE });
      for (const message of page.items) addMessage(message);
      if (page.items.length < PAGE) break;
      after = page.items[page.items.length - 1].id;
    }
    if (state.messages.size === 0) chat.insertBefore(h("p", { class: "empty" }, t("chat.empty")), newMessages);
    for (const item of app.outbox.waiting(id)) showPending(item);
    scrollToEnd();
  }

  // --- the ticket's head and controls ---------------------------------------------------
  // → whether the server took the change. After a conflict the ticket is read again (it
  // may have changed meanwhile), so that the controls and the message show its real state.
  const update = async (changes) => {
    try {
      state.ticket = await app.api.put(`/tickets/${id}`, changes);
      app.telegram.haptic("success");
      replace(status);
      render();
      return true;
    } catch (error) {
      app.telegram.haptic("error");
      if (error.code === "conflict") {
        const fresh = await app.api.get(`/tickets/${id}`).catch(() => null);
        if (fresh && !state.disposed && JSON.stringify(fresh) !== JSON.stringify(state.ticket)) {
          state.ticket = fresh;
          render();
        }
      }
      const from = state.ticket.status;
      const refusedMove = changes.status && changes.status !== from;
      showError(error, refusedMove ? { conflict: "ticket.statusRefused" } : {},
                { from: t(`status.${from}`), to: t(`status.${changes.status}`) });
      return false;
    }
  };

  const showError = (error, keys = {}, params = {}) => replace(status, h("p", { class: "notice error" },
    i18n.error(error, { not_found: "ticket.notFound", ...keys }, params)));

  // A select for one field of the ticket: `read(ticket)` is its value, `change(value)` the
  // request body. A refused change puts the select back on the ticket's real value.
  const select = (label, values, read, labelOf, change) => {
    const control = h("select", { onchange: async () => {
      if (!(await update(change(control.value)))) control.value = read(state.ticket);
    } }, values.map((value) => h("option", { value, selected: value === read(state.ticket) }, labelOf(value))));
    return field(label, control);
  };

  function staffControls(ticket) {
    const controls = [];
    if (app.session.can("tickets.update")) {
      controls.push(select(t("ticket.status"), STATUSES, (current) => current.status, (s) => t(`status.${s}`),
                           (value) => ({ status: value })));
      controls.push(select(t("ticket.priority"), PRIORITIES, (current) => current.priority,
                           (p) => t(`priority.${p}`), (value) => ({ priority: value })));
    }
    if (app.session.can("tickets.assign")) {
      const options = [["", t("ticket.unassigned")], ...staffMembers.map((u) => [String(u.id), u.first_name])];
      if (ticket.assignee && !staffMembers.some((u) => u.id === ticket.assignee.id)) {
        options.push([String(ticket.assignee.id), ticket.assignee.first_name]);
      }
      controls.push(select(t("ticket.assignee"), options.map(([value]) => value),
        (current) => String(current.assignee?.id ?? ""), (value) => options.find(([v]) => v === value)[1],
        (value) => ({ assignee_id: value ? Number(value) : null })));
    } else if (ticket.assignee?.id !== me.id && app.session.can("tickets.take")) {
      controls.push(h("div", { class: "field" }, h("span", { class: "hint" }, t("ticket.assignee")),
        h("button", { type: "button", class: "button", onclick: () => update({ assignee_id: me.id }) },
          t("ticket.take"))));
    }
    controls.push(deleteTicketControl(app, ticket, (error) => showError(error)));
    return controls.some(Boolean) ? h("div", { class: "staff-controls" }, controls) : null;
  }

  function customerActions(ticket) {
    if (ticket.creator.id !== me.id) return null;
    if (isFinished(ticket.status)) {
      return h("button", { type: "button", class: "button secondary", onclick: () => update({ status: "open" }) },
               t("ticket.reopen"));
    }
    return h("button", { type: "button", class: "button danger", onclick: async () => {
      if (await app.telegram.confirm(t("ticket.closeConfirm"))) update({ status: "closed" });
    } }, t("ticket.close"));
  }

  function render() {
    const ticket = state.ticket;
    seen.mark(ticket);
    replace(head,
      h("h2", { style: "margin:0;font-size:17px" }, ticket.subject),
      h("div", { class: "chips" }, statusChip(ticket.status, me), priorityChip(ticket.priority),
        ticket.breached ? h("span", { class: "chip breached" }, t("ticket.breached")) : null),
      h("p", { class: "meta" },
        t("ticket.created", { when: i18n.date(ticket.created_at) }),
        // Absent (not null) when the settings hide who works a customer's ticket.
        "assignee" in ticket
          ? [" · ", t("ticket.assignee"), ": ", ticket.assignee ? ticket.assignee.first_name : t("ticket.unassigned")]
          : null,
        ticket.sla_due_at && !ticket.first_response_at && staff
          ? ` · ${t("ticket.due", { when: i18n.relative(ticket.sla_due_at) })}` : ""),
      staff ? staffControls(ticket) : null,
      h("div", { class: "row" }, customerActions(ticket)));
    renderComposer(ticket);
    renderRating(ticket);
  }

  // Who a moderator can assign tickets to: every staff member.
  let staffMembers = [];
  if (app.session.can("tickets.assign")) {
    app.api.get("/users", { limit: 200 }).then(({ items }) => {
      staffMembers = items.filter(isStaff);
      if (state.ticket) render();
    }).catch(() => {});
  }

  // --- writing ------------------------------------------------------------------------
  let composer = null;
  function renderComposer(ticket) {
    if (ticket.status === "closed" && !staff) {
      composer = null;
      replace(composerArea, h("p", { class: "hint" }, t("chat.closedNote")));
      return;
    }
    if (composer) return;  // keep what is being typed across re-renders
    const text = h("textarea", { rows: 1, placeholder: t("chat.placeholder"), maxlength: LIMITS.message,
                                 "aria-label": t("chat.placeholder"), enterkeyhint: "send" });
    const internal = h("input", { type: "checkbox" });
    const send = h("button", { type: "button", class: "button", onclick: () => submit() }, t("chat.send"));
    let lastTyping = 0;
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    text.addEventListener("input", () => {
      const now = Date.now();
      if (now - lastTyping > TYPING_SEND_EVERY_MS && text.value.trim()) {
        lastTyping = now;
        app.realtime.typing(id);
      }
    });
    composer = { text, internal };
    replace(composerArea,
      h("div", { class: "composer" }, text, app.telegram.nativeButtons ? null : send),
      app.session.can("messages.internal")
        ? h("label", { class: "checkbox composer-options" }, internal, t("chat.internal")) : null);
  }

  function submit() {
    if (!composer) return;
    const body = composer.text.value.trim();
    if (!body) return;
    const item = app.outbox.add(id, body, composer.internal.checked);
    showPending(item);
    composer.text.value = "";
    composer.internal.checked = false;
    app.telegram.haptic("light");
  }

  function renderRating(ticket) {
    if (ticket.creator.id !== me.id || !isFinished(ticket.status)) {
      replace(ratingArea);
      return;
    }
    if (ticket.rating) {
      replace(ratingArea, h("p", { class: "card hint" }, t("rating.thanks", { score: ticket.rating.score })));
      return;
    }
    let score = 0;
    const stars = [1, 2, 3, 4, 5].map((value) => h("button", {
      type: "button", "aria-pressed": "false", "aria-label": t("rating.star", { score: value }),
      onclick: () => {
        score = value;
        stars.forEach((star, index) => star.setAttribute("aria-pressed", String(index < value)));
        app.telegram.haptic("light");
      },
    }, "★"));
    const comment = h("textarea", { rows: 2, maxlength: 1000 });
    const sendRating = async () => {
      if (!score) return;
      try {
        state.ticket = await app.api.post(`/tickets/${id}/rating`, { score, comment: comment.value.trim() || undefined });
        app.telegram.haptic("success");
        render();
      } catch (error) {
        showError(error);
      }
    };
    replace(ratingArea, h("section", { class: "card" },
      h("h3", { style: "margin-top:0" }, t("rating.title")),
      h("div", { class: "stars", role: "group", "aria-label": t("rating.title") }, stars),
      field(t("rating.comment"), comment),
      h("button", { type: "button", class: "button", onclick: sendRating }, t("rating.send"))));
  }

  // --- who the customer is (staff) -----------------------------------------------------
  async function renderCustomer(ticket) {
    if (!staff || ticket.creator.id === me.id) return;
    let person = ticket.creator;
    if (app.session.can("users.view")) person = await app.api.get(`/users/${ticket.creator.id}`).catch(() => person);
    const rows = [
      [t("ticket.customer"), person.first_name + (person.last_name ? ` ${person.last_name}` : "")],
      [t("customer.username"), person.username ? `@${person.username}` : "—"],
      person.telegram_id ? [t("customer.telegramId"), String(person.telegram_id)] : null,
      person.language_code ? [t("customer.language"), person.language_code] : null,
      person.created_at ? [t("customer.since"), i18n.date(person.created_at)] : null,
      person.last_seen_at ? [t("customer.lastSeen"), i18n.relative(person.last_seen_at)] : null,
    ].filter(Boolean);
    replace(customerPanel, h("h3", { class: "visually-hidden" }, t("ticket.customer")),
      h("dl", {}, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])));
    customerPanel.hidden = false;
  }

  // --- live ---------------------------------------------------------------------------
  let typingTimer;
  const offs = [
    app.realtime.on("message.created", (frame) => {
      if (frame.ticket_id !== id) return;
      addMessage(frame.message);
      if (state.ticket) {
        state.ticket.messages_count = Math.max(state.ticket.messages_count, state.messages.size);
        seen.mark(state.ticket);
      }
      if (frame.message.author.id !== me.id) replace(typingLine);
    }),
    app.realtime.on("ticket.updated", (frame) => {
      if (frame.ticket.id !== id) return;
      state.ticket = frame.ticket;
      render();
    }),
    // The server no longer holds what was missed: read the ticket and its messages again.
    app.realtime.on("resync", async (frame) => {
      if (frame.topic !== `ticket:${id}` || state.disposed) return;
      try {
        state.ticket = await app.api.get(`/tickets/${id}`);
        if (state.disposed) return;
        render();
        await loadMessages();
      } catch (error) {
        showError(error);
      }
    }),
    app.realtime.on("typing", (frame) => {
      if (frame.ticket_id !== id || frame.user.id === me.id) return;
      replace(typingLine, t("chat.typing", { name: frame.user.first_name }));
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => replace(typingLine), TYPING_SHOWN_MS);
    }),
    app.outbox.on(({ kind, item, message, error }) => {
      if (item.ticket_id !== id) return;
      if (kind === "sent") {
        dropPending(item.client_id);
        addMessage(message);
      } else if (kind === "failed") {
        dropPending(item.client_id);
        replace(status, h("p", { class: "notice error" }, t("chat.failed", { reason: i18n.error(error) })));
      }
    }),
  ];

  (async () => {
    try {
      state.ticket = await app.api.get(`/tickets/${id}`);
      if (state.disposed) return;
      render();
      renderCustomer(state.ticket);
      await loadMessages();
      if (!state.disposed) app.realtime.subscribe(`ticket:${id}`, state.lastId);
    } catch (error) {
      replace(head);
      showError(error);
    }
  })();

  return {
    title: t("ticket.title", { id }),
    node,
    main: embedded ? undefined : { text: t("chat.send"), run: submit },
    dispose: () => {
      state.disposed = true;
      clearTimeout(typingTimer);
      for (const off of offs) off();
      app.realtime.unsubscribe(`ticket:${id}`);
    },
  };
}
