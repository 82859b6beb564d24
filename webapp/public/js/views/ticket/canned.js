// The canned-reply picker: a list of saved replies (GET /canned-replies) that filters as one
// types and is worked with the keyboard (↑ ↓ Enter, Esc) or a tap. It opens when the composer
// starts with "/" (the rest of the line filters) or from the composer's button (a search box
// of its own). The chosen reply's placeholders are filled in for the ticket at hand.
import { h, replace } from "../../dom.js";
import { i18n } from "../../i18n.js";

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;
const SHOWN = 8;

// `body` with {customer_name}, {ticket_id}, {ticket_subject} and {agent_name} filled in, as
// core/canned_reply.hpp defines them; any other {word} stays as it is.
export function fillPlaceholders(body, { ticket, me }) {
  const values = {
    customer_name: ticket?.creator?.first_name,
    ticket_id: ticket ? String(ticket.id) : undefined,
    ticket_subject: ticket?.subject,
    agent_name: me?.first_name,
  };
  return body.replace(PLACEHOLDER, (whole, name) =>
    (Object.hasOwn(values, name) && values[name] !== undefined ? values[name] : whole));
}

// The replies whose name (first) or text holds `query`, ignoring case.
export function matchReplies(replies, query) {
  const wanted = query.trim().toLocaleLowerCase(i18n.language);
  if (!wanted) return replies;
  const named = [];
  const told = [];
  for (const reply of replies) {
    if (reply.name.toLocaleLowerCase(i18n.language).includes(wanted)) named.push(reply);
    else if (reply.body.toLocaleLowerCase(i18n.language).includes(wanted)) told.push(reply);
  }
  return [...named, ...told];
}

let nextPickerId = 0;

// → { node, open(query, {search}), close(), isOpen, move(delta), choose(), filter(query) }.
// `load()` gives the replies (once); `onChoose(reply)` inserts one.
export function cannedPicker({ load, onChoose, onClose }) {
  const t = i18n.t;
  const id = `canned-${++nextPickerId}`;
  const search = h("input", { type: "search", class: "canned-search", autocomplete: "off",
                              "aria-label": t("canned.search"), "aria-controls": `${id}-list` });
  const list = h("ul", { class: "canned-list", role: "listbox", id: `${id}-list`, "aria-label": t("canned.title") });
  const note = h("p", { class: "hint canned-note", role: "status" });
  const node = h("div", { class: "canned-picker", hidden: true }, search, list, note);
  const state = { replies: null, loading: null, shown: [], active: 0, open: false, query: "" };

  const picker = {
    node,
    listId: list.id,
    get isOpen() { return state.open; },
    get activeId() { return state.shown.length ? `${id}-option-${state.active}` : ""; },

    async open(query = "", { withSearch = false } = {}) {
      state.open = true;
      node.hidden = false;
      search.hidden = !withSearch;
      search.value = withSearch ? query : "";
      state.query = query;
      if (state.replies === null) {
        replace(note, t("loading"));
        try {
          state.loading ??= load();  // one request, however often it is opened meanwhile
          state.replies = await state.loading;
        } catch (error) {
          state.loading = null;
          replace(list);
          replace(note, i18n.error(error));
          return;
        }
      }
      if (!state.open) return;
      picker.filter(state.query);  // what was typed while the list loaded
      if (withSearch) search.focus();
    },

    close() {
      if (!state.open) return;
      state.open = false;
      node.hidden = true;
      onClose?.();
    },

    filter(query) {
      state.query = query;
      if (!state.open || state.replies === null) return;
      state.shown = matchReplies(state.replies, query).slice(0, SHOWN);
      state.active = 0;
      render();
    },

    move(delta) {
      if (!state.shown.length) return;
      state.active = (state.active + delta + state.shown.length) % state.shown.length;
      render();
    },

    choose(index = state.active) {
      const reply = state.shown[index];
      if (!reply) return false;
      picker.close();
      onChoose(reply);
      return true;
    },

    // Keys for the picker while it is open: true when the key was the picker's.
    handleKey(event) {
      if (!state.open) return false;
      if (event.key === "ArrowDown") picker.move(1);
      else if (event.key === "ArrowUp") picker.move(-1);
      else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        if (!picker.choose()) return false;
      } else if (event.key === "Escape") picker.close();
      else return false;
      event.preventDefault();
      return true;
    },
  };

  function render() {
    if (!state.replies.length) {
      replace(list);
      replace(note, t("canned.none"));
      return;
    }
    replace(note, state.shown.length ? "" : t("canned.noMatch"));
    replace(list, state.shown.map((reply, index) => h("li", {
      id: `${id}-option-${index}`, role: "option", class: "canned-option",
      "aria-selected": String(index === state.active),
      // Chosen on pointerdown, before the composer loses the focus to the list.
      onpointerdown: (event) => {
        event.preventDefault();
        picker.choose(index);
      },
    }, h("strong", {}, reply.name), h("span", { class: "canned-preview" }, reply.body))));
    list.querySelector('[aria-selected="true"]')?.scrollIntoView?.({ block: "nearest" });
    node.dispatchEvent(new CustomEvent("activechange"));
  }

  search.addEventListener("input", () => picker.filter(search.value));
  search.addEventListener("keydown", (event) => picker.handleKey(event));
  return picker;
}
