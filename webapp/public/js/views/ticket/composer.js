// The composer of a ticket: a text box that grows with its text, a draft kept per ticket
// (a reload or a crash loses nothing), and for staff two modes: a reply to the customer, or
// an internal note. A note is a mode of its own — a tinted composer, its own button label and
// a line saying who will see it — so that a note cannot go to the customer by mistake.
//
// The mode is switched only by the person (two radio buttons), and it stays with the ticket's
// draft, as Zammad and Chatwoot keep it: after a note is sent the composer stays in note mode
// (still tinted and labelled) until they switch back, because the opposite — falling back to
// "reply" after each note — is the way a second note reaches a customer.
//
// In Telegram the send button is the MainButton: hidden on closed tickets, inactive while
// there is nothing to send, with its spinner until the server has the message. While a draft
// is unsent, closing the app asks first (enableClosingConfirmation).
import { h, replace } from "../../dom.js";
import { LIMITS } from "../../domain.js";
import { i18n } from "../../i18n.js";
import { shortcuts } from "../../shortcuts.js";
import { cannedPicker, fillPlaceholders } from "./canned.js";

const TYPING_SEND_EVERY_MS = 3000;
const PROGRESS_AT_MOST_MS = 10000;
const DRAFT_KEY = "tb.draft";

let nextComposerId = 0;

export function createComposer(app, { ticketId, embedded, getTicket, onQueued }) {
  const t = i18n.t;
  const me = app.session.user;
  const mayNote = app.session.can("messages.internal");
  const mayCan = app.session.can("canned_replies.use");
  const draftKey = `${DRAFT_KEY}.${me.id}.${ticketId}`;
  const closingKey = `draft:${ticketId}:${++nextComposerId}`;
  const draft = loadDraft(draftKey);
  const state = { internal: mayNote && draft.internal === true, sending: null, progressTimer: null, closed: false };

  const text = h("textarea", { rows: 1, maxlength: LIMITS.message, "aria-label": t("chat.placeholder"),
                               enterkeyhint: "send", class: "composer-text" });
  text.value = draft.text ?? "";
  const send = h("button", { type: "button", class: "button composer-send", onclick: () => submit() });
  const cannedButton = mayCan
    ? h("button", { type: "button", class: "button secondary composer-canned", "aria-label": t("canned.open"),
                    title: t("canned.open"), onclick: () => openPickerFromButton() }, "/")
    : null;
  const modeName = `composer-mode-${nextComposerId}`;
  // Short words on the screen (the row is narrow on a phone), the whole meaning for the ear.
  const modeInput = (internal) => h("input", { type: "radio", name: modeName, value: internal ? "note" : "reply",
                                              checked: state.internal === internal,
                                              "aria-label": internal ? t("chat.internal") : t("chat.modeReply"),
                                              onchange: () => setMode(internal) });
  const replyRadio = modeInput(false);
  const noteRadio = modeInput(true);
  const modes = mayNote
    ? h("div", { class: "composer-modes", role: "radiogroup", "aria-label": t("chat.mode") },
        h("label", { class: "composer-mode", title: t("chat.modeReply") }, replyRadio,
          h("span", { "aria-hidden": "true" }, t("chat.modeReplyShort"))),
        h("label", { class: "composer-mode note", title: t("chat.internal") }, noteRadio,
          h("span", { "aria-hidden": "true" }, t("chat.modeNoteShort"))))
    : null;
  const indicator = h("p", { class: "composer-indicator", id: `composer-indicator-${nextComposerId}`, "aria-live": "polite" });
  const picker = mayCan ? cannedPicker({
    load: async () => (await app.api.get("/canned-replies")).items,
    onChoose: insertReply,
    onClose: () => {
      syncPickerAria();
      if (picker?.node.contains(document.activeElement)) text.focus();  // back from its search box
    },
  }) : null;
  const ownSend = app.telegram.nativeButtons ? null : send;
  // Staff: the text (and the canned-reply button), and under it the mode switch beside Send,
  // so that the switch costs the conversation little height. Customers: the text and Send
  // side by side.
  const box = mayNote
    ? h("div", { class: "composer stacked" },
        h("div", { class: "composer-line" }, text, cannedButton),
        h("div", { class: "composer-tools" }, modes, ownSend))
    : h("div", { class: "composer" }, text, cannedButton, ownSend);
  const node = h("div", { class: "composer-wrap" }, picker?.node, indicator, box);
  const closedNote = h("p", { class: "hint composer-closed" }, t("chat.closedNote"));
  const area = h("div", { class: "composer-area" });
  if (picker) {
    text.setAttribute("aria-controls", picker.listId);
    // Leaving the picker's search box for anything but the composer closes it.
    picker.node.addEventListener("focusout", (event) => {
      if (!picker.node.contains(event.relatedTarget) && event.relatedTarget !== text) picker.close();
    });
    picker.node.addEventListener("activechange", () => syncPickerAria());
  }

  // --- the text box ---------------------------------------------------------------------
  let lastTyping = 0;
  text.addEventListener("keydown", (event) => {
    if (picker?.handleKey(event)) return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  text.addEventListener("input", () => {
    grow();
    saveDraft();
    followSlash();
    const now = Date.now();
    if (now - lastTyping > TYPING_SEND_EVERY_MS && text.value.trim()) {
      lastTyping = now;
      app.realtime.typing(ticketId);
    }
  });
  text.addEventListener("blur", () => {
    // A tap on the list chooses on pointerdown, before this; anything else closes it.
    if (picker?.isOpen && !picker.node.contains(document.activeElement)) setTimeout(() => {
      if (!picker.node.contains(document.activeElement) && document.activeElement !== text) picker.close();
    }, 0);
  });

  // Grows with the text up to the CSS max-height, then scrolls inside.
  function grow() {
    text.style.height = "auto";
    text.style.height = `${text.scrollHeight + (text.offsetHeight - text.clientHeight)}px`;
  }

  // "/" at the start of the composer opens the picker; the rest of the line filters it.
  function followSlash() {
    if (!picker) return;
    const slash = /^\/([^\n]*)$/.exec(text.value);
    if (slash) {
      if (!picker.isOpen) picker.open(slash[1]);
      else picker.filter(slash[1]);
    } else if (picker.isOpen && !picker.node.contains(document.activeElement)) {
      picker.close();
    }
    syncPickerAria();
  }

  function openPickerFromButton() {
    if (picker.isOpen) {
      picker.close();
      text.focus();
      return;
    }
    picker.open("", { withSearch: true });
  }

  function syncPickerAria() {
    const active = picker?.isOpen ? picker.activeId : "";
    if (active) text.setAttribute("aria-activedescendant", active);
    else text.removeAttribute("aria-activedescendant");
  }

  // The reply replaces the "/filter" that asked for it, or goes in where the cursor was.
  function insertReply(reply) {
    const filled = fillPlaceholders(reply.body, { ticket: getTicket(), me });
    if (/^\/[^\n]*$/.test(text.value)) {
      text.value = filled;
      text.setSelectionRange(filled.length, filled.length);
    } else {
      const start = text.selectionStart ?? text.value.length;
      const end = text.selectionEnd ?? start;
      text.setRangeText(filled, start, end, "end");
    }
    text.focus();
    grow();
    saveDraft();
    syncPickerAria();
    app.telegram.haptic("light");
  }

  // R: reply, N: internal note (shortcuts.js, by the key's place, so any layout): the person
  // switches the mode with the key, and the text box takes the focus.
  const byKey = (internal) => () => {
    if (state.closed) return false;
    setMode(internal);
    text.focus();
    return true;
  };
  const offShortcuts = [shortcuts.on("reply", byKey(false)), mayNote ? shortcuts.on("note", byKey(true)) : null];

  // --- the mode -------------------------------------------------------------------------
  function setMode(internal) {
    state.internal = mayNote && internal;
    replyRadio.checked = !state.internal;
    noteRadio.checked = state.internal;
    renderMode();
    saveDraft();
  }

  function renderMode() {
    const label = state.internal ? t("chat.addNote") : t("chat.send");
    node.classList.toggle("note-mode", state.internal);
    node.dataset.mode = state.internal ? "note" : "reply";
    text.placeholder = state.internal ? t("chat.notePlaceholder") : t("chat.placeholder");
    replace(send, label);
    replace(indicator, state.internal ? t("chat.noteIndicator") : "");
    indicator.hidden = !state.internal;
    if (state.internal) text.setAttribute("aria-describedby", indicator.id);
    else text.removeAttribute("aria-describedby");
    syncMain();
  }

  // --- sending --------------------------------------------------------------------------
  function submit() {
    if (state.closed) return;
    const body = text.value.trim();
    if (!body) return;
    picker?.close();
    const item = app.outbox.add(ticketId, body, state.internal);
    state.sending = item.client_id;
    clearTimeout(state.progressTimer);
    // The message shows as pending in the chat meanwhile; the spinner does not wait forever.
    state.progressTimer = setTimeout(() => settled(item.client_id), PROGRESS_AT_MOST_MS);
    text.value = "";
    grow();
    saveDraft();
    onQueued?.(item);
    app.telegram.haptic("light");
    syncMain();
  }

  function settled(clientId) {
    if (state.sending !== clientId) return;
    state.sending = null;
    clearTimeout(state.progressTimer);
    syncMain();
  }

  // --- drafts, Telegram's buttons and closing --------------------------------------------
  function saveDraft() {
    const body = text.value;
    if (body.trim() || state.internal) {
      localStorage.setItem(draftKey, JSON.stringify({ text: body, internal: state.internal }));
    } else {
      localStorage.removeItem(draftKey);
    }
    app.telegram.needClosingConfirmation(closingKey, Boolean(body.trim()));
    syncMain();
  }

  function syncMain() {
    send.disabled = state.closed || !text.value.trim();
    if (embedded) return;  // the split view's ticket has no MainButton of its own
    app.telegram.updateMainButton({
      text: state.internal ? t("chat.addNote") : t("chat.send"),
      visible: !state.closed && getTicket() !== null,
      enabled: Boolean(text.value.trim()),
      progress: Boolean(state.sending),
    });
  }

  return {
    node: area,
    submit,
    // The ticket as it is now: a closed ticket takes no messages.
    update(ticket) {
      const closed = ticket.status === "closed";
      // Only when it changes: moving the text box out and back would take its focus (and a
      // phone's keyboard) away at every push about the ticket.
      if (closed !== state.closed || !area.firstChild) {
        state.closed = closed;
        replace(area, closed ? closedNote : node);
        if (!closed) grow();
      }
      syncMain();
    },
    // The outbox settled a message (sent, or refused for good).
    settled,
    get internal() { return state.internal; },
    focus: () => text.focus(),
    dispose() {
      clearTimeout(state.progressTimer);
      app.telegram.needClosingConfirmation(closingKey, false);
      for (const off of offShortcuts) off?.();
    },
    // After the router put the MainButton up, or the ticket first loaded.
    syncMain,
    init() {
      renderMode();
      grow();
      app.telegram.needClosingConfirmation(closingKey, Boolean(text.value.trim()));
    },
  };
}

function loadDraft(key) {
  try {
    const draft = JSON.parse(localStorage.getItem(key) ?? "{}");
    return draft && typeof draft === "object" ? draft : {};
  } catch {
    return {};
  }
}
