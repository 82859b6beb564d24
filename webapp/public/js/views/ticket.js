// One ticket: its state, the conversation (live), and what the caller may do with it.
// Messages come from REST, then the `ticket:{id}` topic subscribed with the last id
// loaded, so nothing falls between the two; every message is shown once, by id.
//
// On a phone the conversation gets the screen: the ticket's fields, the staff controls and
// the customer panel fold into a one-line header that opens on a tap. The status control
// offers only the moves the server says this person may make (`allowed_statuses`); a refused
// change puts every control back on the ticket's real state and says why in the person's
// language. The parts: ticket/messages.js (bubbles, links, days), ticket/composer.js (the
// composer, its note mode, drafts and Telegram's buttons), ticket/canned.js (canned replies).
import { field, h, replace, wideScreen } from "../dom.js";
import { i18n } from "../i18n.js";
import { isFinished, isStaff, PRIORITIES } from "../domain.js";
import { seen } from "../seen.js";
import { priorityChip, statusChip } from "./ticket_list.js";
import { createComposer } from "./ticket/composer.js";
import { linkify, messageTime, onLongPress, placeDaySeparators } from "./ticket/messages.js";
import { deleteTicketControl } from "./ticket_delete.js";

const NEAR_BOTTOM_PX = 80;
const TYPING_SHOWN_MS = 5000;
const PAGE = 200;
const OTHER_TICKETS = 10;

export default function ticketView(app, { id, embedded = false }) {
  const t = i18n.t;
  const me = app.session.user;
  const staff = isStaff(me);
  const state = { ticket: null, messages: new Map(), lastId: 0, disposed: false };
  const swipeKey = `chat:${id}:${Math.random()}`;

  const detailsId = `ticket-details-${id}-${embedded ? "split" : "page"}`;
  const toggle = h("button", { type: "button", class: "ticket-summary", "aria-expanded": "false",
                               "aria-controls": detailsId, onclick: () => setOpen(toggle.getAttribute("aria-expanded") !== "true") });
  // The disclosure pattern: the heading holds the button that opens the details.
  const heading = h("h2", { class: "ticket-summary-heading" }, toggle);
  const details = h("div", { class: "ticket-details", id: detailsId, hidden: true });
  const head = h("section", { class: "card ticket-head", "aria-live": "polite" },
                 h("p", { class: "placeholder" }, t("loading")));
  const customerPanel = h("section", { class: "customer-panel", hidden: true, "aria-label": t("ticket.customer") });
  const chat = h("div", { class: "chat", role: "log", "aria-label": t("chat.label"), tabindex: "0" });
  const typingLine = h("div", { class: "typing", "aria-live": "polite" });
  const newMessages = h("button", { type: "button", class: "button secondary new-messages", hidden: true,
                                    onclick: () => scrollToEnd() }, t("chat.newMessages"));
  const ratingArea = h("div");
  const status = h("div", { role: "alert" });
  const composer = createComposer(app, {
    ticketId: id, embedded, getTicket: () => state.ticket,
    onQueued: (item) => showPending(item),
  });
  const conversation = h("section", { class: "card conversation" }, chat, composer.node);
  const node = h("div", { class: "ticket-view" }, status, head, ratingArea, conversation);
  // "… is typing" sits at the end of the conversation, as in a messenger, taking no height
  // from it while nobody types.
  chat.append(newMessages, typingLine);
  composer.init();

  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    details.hidden = !open;
    node.classList.toggle("details-open", open);
  };
  setOpen(wideScreen.matches);  // below that width they fold

  // --- the conversation ---------------------------------------------------------------
  const nearBottom = () => chat.scrollHeight - chat.scrollTop - chat.clientHeight < NEAR_BOTTOM_PX;
  const scrollToEnd = () => {
    chat.scrollTop = chat.scrollHeight;
    newMessages.hidden = true;
  };
  // While the chat is scrolled away from its top, Telegram's swipe down would close the app
  // instead of scrolling back: its vertical swipes are off until then, or until the view goes.
  const followScroll = () => {
    if (nearBottom()) newMessages.hidden = true;
    app.telegram.holdVerticalSwipes(swipeKey, chat.scrollTop > 0);
  };
  chat.addEventListener("scroll", followScroll, { passive: true });

  const authorName = (message) => {
    if (message.source === "system") return t("chat.system");
    if (message.author.id === me.id) return t("chat.you");
    return message.author.first_name;
  };
  const openLink = (href) => app.telegram.openLink(href);

  const bubble = (message, pending = false) => {
    const classes = ["message"];
    if (message.author?.id === me.id) classes.push("mine");
    if (message.internal) classes.push("internal");
    if (message.source === "system") classes.push("system");
    if (pending) classes.push("pending");
    const time = pending ? h("span", { class: "time" }, t("chat.pending")) : messageTime(message.created_at);
    const when = pending ? t("chat.pending") : i18n.time(message.created_at);
    const dataset = { id: message.id ?? "", clientId: message.client_id ?? "" };
    if (!pending) dataset.created = message.created_at;  // what the day separators go by
    const element = h("article", { class: classes.join(" "), "aria-label": `${authorName(message)}, ${when}`, dataset },
    h("div", { class: "author" }, authorName(message),
      message.internal ? h("span", { class: "badge" }, t("chat.internalBadge")) : null),
    h("div", { class: "body" }, linkify(message.body, { onOpen: openLink })),
    time);
    if (!pending) onLongPress(element, () => time.showFull());
    return element;
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
    chat.insertBefore(bubble(message), later ?? firstPending() ?? newMessages);
    placeDaySeparators(chat);
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
  // The ticket as the server answered it for this person. A WebSocket frame carries no
  // allowed_statuses (it is shared by everyone watching): the moves are read again when the
  // status changed, and kept when it did not.
  const take = (ticket) => {
    state.ticket = ticket;
    render();
  };
  const refresh = async () => {
    const fresh = await app.api.get(`/tickets/${id}`).catch(() => null);
    if (fresh && !state.disposed) take(fresh);
    return fresh;
  };

  // → whether the server took the change. After any refusal the ticket is read again (it
  // may have changed meanwhile), so that every control shows its real state.
  const update = async (changes) => {
    const before = state.ticket;
    try {
      take(await app.api.put(`/tickets/${id}`, changes));
      app.telegram.haptic("success");
      replace(status);
      return true;
    } catch (error) {
      app.telegram.haptic("error");
      if (state.disposed) return false;
      const fresh = await refresh();
      if (!fresh) render();  // the controls back on what was shown before
      const from = (fresh ?? before).status;
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

  // The current status and the moves this person may make from it, nothing else.
  const statusChoices = (ticket) => [ticket.status, ...(ticket.allowed_statuses ?? [])];

  function staffControls(ticket) {
    const controls = [];
    if (app.session.can("tickets.update")) {
      controls.push(select(t("ticket.status"), statusChoices(ticket), (current) => current.status,
                           (s) => t(`status.${s}`), (value) => ({ status: value })));
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

  // The creator's own buttons, offered only where the server allows the move.
  function customerActions(ticket) {
    if (ticket.creator.id !== me.id) return null;
    const allowed = ticket.allowed_statuses ?? [];
    const actions = [];
    if (isFinished(ticket.status) && allowed.includes("open")) {
      actions.push(h("button", { type: "button", class: "button secondary", onclick: () => update({ status: "open" }) },
                     t("ticket.reopen")));
    }
    if (!isFinished(ticket.status) && allowed.includes("closed")) {
      actions.push(h("button", { type: "button", class: "button danger", onclick: async () => {
        if (await app.telegram.confirm(t("ticket.closeConfirm"))) update({ status: "closed" });
      } }, t("ticket.close")));
    }
    return actions.length ? actions : null;
  }

  function render() {
    const ticket = state.ticket;
    seen.mark(ticket);
    replace(toggle,
      h("span", { class: "ticket-subject" }, ticket.subject),
      h("span", { class: "chips" }, statusChip(ticket.status, me), priorityChip(ticket.priority),
        ticket.breached ? h("span", { class: "chip breached" }, t("ticket.breached")) : null),
      h("span", { class: "ticket-toggle-hint" }, h("span", { class: "visually-hidden" }, t("ticket.details")),
        h("span", { class: "chevron", "aria-hidden": "true" })));
    replace(details,
      h("p", { class: "meta" },
        t("ticket.created", { when: i18n.date(ticket.created_at) }),
        // Absent (not null) when the settings hide who works a customer's ticket.
        "assignee" in ticket
          ? [" · ", t("ticket.assignee"), ": ", ticket.assignee ? ticket.assignee.first_name : t("ticket.unassigned")]
          : null,
        ticket.sla_due_at && !ticket.first_response_at && staff
          ? ` · ${t("ticket.due", { when: i18n.relative(ticket.sla_due_at) })}` : ""),
      staff ? staffControls(ticket) : null,
      h("div", { class: "row" }, customerActions(ticket)),
      customerPanel);
    if (!head.contains(heading)) replace(head, heading, details);
    composer.update(ticket);
    renderRating(ticket);
  }

  // Who a moderator can assign tickets to: every staff member.
  let staffMembers = [];
  if (app.session.can("tickets.assign")) {
    app.api.get("/users", { limit: 200 }).then(({ items }) => {
      staffMembers = items.filter(isStaff);
      if (state.ticket && !state.disposed) render();
    }).catch(() => {});
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
    if (ratingArea.querySelector(".stars")) return;  // keep the stars being chosen
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
        take(await app.api.post(`/tickets/${id}/rating`, { score, comment: comment.value.trim() || undefined }));
        app.telegram.haptic("success");
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

  // --- who the customer is, and their other tickets (staff) ------------------------------
  async function renderCustomer(ticket) {
    if (!staff || ticket.creator.id === me.id) return;
    let person = ticket.creator;
    const [profile, others] = await Promise.all([
      app.session.can("users.view") ? app.api.get(`/users/${ticket.creator.id}`).catch(() => null) : null,
      app.api.get("/tickets", { creator_id: ticket.creator.id, limit: OTHER_TICKETS + 1 }).catch(() => null),
    ]);
    if (state.disposed) return;
    person = profile ?? person;
    const rows = [
      [t("ticket.customer"), person.first_name + (person.last_name ? ` ${person.last_name}` : "")],
      [t("customer.username"), person.username ? `@${person.username}` : "—"],
      person.telegram_id ? [t("customer.telegramId"), String(person.telegram_id)] : null,
      person.language_code ? [t("customer.language"), person.language_code] : null,
      person.created_at ? [t("customer.since"), i18n.date(person.created_at)] : null,
      person.last_seen_at ? [t("customer.lastSeen"), i18n.relative(person.last_seen_at)] : null,
    ].filter(Boolean);
    const otherTickets = (others?.items ?? []).filter((other) => other.id !== id).slice(0, OTHER_TICKETS);
    replace(customerPanel, h("h3", { class: "visually-hidden" }, t("ticket.customer")),
      h("dl", {}, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
      others ? h("div", { class: "other-tickets" },
        h("h4", {}, t("customer.otherTickets")),
        otherTickets.length
          ? h("ul", {}, otherTickets.map((other) => h("li", {},
              h("button", { type: "button", class: "other-ticket", onclick: () => app.router.go("ticket", { id: other.id }) },
                h("span", { class: "other-ticket-subject" }, `#${other.id} · ${other.subject}`),
                statusChip(other.status)))))
          : h("p", { class: "hint" }, t("customer.noOtherTickets"))) : null);
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
      if (frame.ticket.id !== id || state.disposed) return;
      const previous = state.ticket;
      if (previous && previous.status === frame.ticket.status) {
        take({ ...frame.ticket, allowed_statuses: previous.allowed_statuses });
      } else {
        take({ ...frame.ticket, allowed_statuses: [] });  // no moves offered until they are known
        refresh();
      }
    }),
    // The server no longer holds what was missed: read the ticket and its messages again.
    app.realtime.on("resync", async (frame) => {
      if (frame.topic !== `ticket:${id}` || state.disposed) return;
      try {
        take(await app.api.get(`/tickets/${id}`));
        if (state.disposed) return;
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
        composer.settled(item.client_id);
      } else if (kind === "failed") {
        dropPending(item.client_id);
        composer.settled(item.client_id);
        replace(status, h("p", { class: "notice error" }, t("chat.failed", { reason: i18n.error(error) })));
      }
    }),
  ];

  (async () => {
    try {
      const ticket = await app.api.get(`/tickets/${id}`);
      if (state.disposed) return;
      take(ticket);
      renderCustomer(state.ticket);
      await loadMessages();
      if (!state.disposed) app.realtime.subscribe(`ticket:${id}`, state.lastId);
    } catch (error) {
      if (state.disposed) return;
      replace(head);
      showError(error);
    }
  })();
  // The router puts the MainButton up after this returns; its state follows the composer's.
  queueMicrotask(() => { if (!state.disposed) composer.syncMain(); });

  return {
    title: t("ticket.title", { id }),
    node,
    main: embedded ? undefined : { text: t("chat.send"), run: () => composer.submit() },
    dispose: () => {
      state.disposed = true;
      clearTimeout(typingTimer);
      for (const off of offs) off();
      composer.dispose();
      app.telegram.holdVerticalSwipes(swipeKey, false);
      app.realtime.unsubscribe(`ticket:${id}`);
    },
  };
}
