// Keyboard shortcuts, by key position (KeyboardEvent.code) rather than by the character
// typed, so that J is J on a Russian layout too, where that key types "о". None fires
// while the focus is in a field (typing "j" in a reply is a "j"), except Escape, which
// leaves the field. `?` lists them.
//
// The keys are fixed here; views supply what an action does:
//
//   const off = shortcuts.on("reply", () => composer.focus());   // off() in dispose()
//
// The latest handler of an action wins (the ticket opened beside the queue takes "reply"
// while the queue keeps "next"); a handler that returns false passes the key on to the one
// before it. "search", "next" and "previous" have defaults: the view's search field, and
// the next or previous row of a ticket list. A handled key goes no further (no other
// keydown listener sees it).
import { h } from "./dom.js";
import { i18n } from "./i18n.js";

export const KEYS = [
  { action: "search", code: "Slash", label: "/" },
  { action: "search", code: "KeyK", ctrl: true, label: "Ctrl+K" },
  { action: "next", code: "KeyJ", label: "J" },
  { action: "previous", code: "KeyK", label: "K" },
  { action: "reply", code: "KeyR", label: "R" },
  { action: "note", code: "KeyN", label: "N" },
  { action: "help", code: "Slash", shift: true, label: "?" },
];

const handlers = new Map();  // action → [handler, …], latest last
let dialog = null;

const defaults = {
  search() {
    const field = visible(document.querySelectorAll('main input[type="search"], main [data-shortcut="search"]'))[0];
    if (!field) return false;
    field.focus();
    field.select?.();
    return true;
  },
  next: () => moveInList(1),
  previous: () => moveInList(-1),
  help() {
    if (dialog) dialog.close();
    else showHelp();
    return true;
  },
};

export const shortcuts = {
  start() {
    // Capture on window: before any view's own keydown listener on the document.
    window.addEventListener("keydown", onKeyDown, true);
    // Escape in a field: after the field's own handlers (a suggestion list closing on
    // Escape calls preventDefault and keeps the focus).
    window.addEventListener("keydown", onEscapeInField);
  },

  on(action, handler) {
    if (!handlers.has(action)) handlers.set(action, []);
    const list = handlers.get(action);
    list.push(handler);
    return () => {
      const at = list.lastIndexOf(handler);
      if (at >= 0) list.splice(at, 1);
    };
  },

  showHelp,
};

function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing) return;
  if (isTyping(event.target)) return;
  // A dialog of someone else's has the keys (ours closes itself on Escape).
  const open = document.querySelector("dialog[open]");
  if (open && open !== dialog) return;
  const key = KEYS.find((candidate) => matches(candidate, event));
  if (!key) return;
  if (open && key.action !== "help") return;
  if (!run(key.action, event)) return;
  event.preventDefault();
  event.stopPropagation();
}

function onEscapeInField(event) {
  if (event.defaultPrevented || event.isComposing || event.key !== "Escape") return;
  if (isTyping(event.target)) event.target.blur();
}

function matches(key, event) {
  const ctrl = event.ctrlKey || event.metaKey;
  return event.code === key.code && Boolean(key.ctrl) === ctrl && Boolean(key.shift) === event.shiftKey &&
    !event.altKey;
}

// → whether a handler (or the default) took the key.
function run(action, event) {
  const list = handlers.get(action) ?? [];
  for (let at = list.length - 1; at >= 0; at -= 1) {
    if (list[at](event) !== false) return true;
  }
  return defaults[action]?.(event) ?? false;
}

function isTyping(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  if (target.matches("textarea, select")) return true;
  if (target.matches("input")) {
    return !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file"].includes(target.type);
  }
  return false;
}

function visible(elements) {
  return [...elements].filter((element) => element.getClientRects().length > 0);
}

// Moves the focus to the next (`step` 1) or previous (-1) row of the ticket list on the
// screen; from outside the list, to its first row.
function moveInList(step) {
  const rows = visible(document.querySelectorAll("main .ticket-item"));
  if (rows.length === 0) return false;
  const at = rows.indexOf(document.activeElement?.closest?.(".ticket-item"));
  const next = at < 0 ? rows[0] : rows[Math.min(Math.max(at + step, 0), rows.length - 1)];
  next.focus();
  next.scrollIntoView({ block: "nearest" });
  return true;
}

// A dialog listing the keys whose actions the screen has now.
function showHelp() {
  const t = i18n.t;
  dialog?.remove();
  const available = KEYS.filter(({ action }) =>
    action === "help" || (handlers.get(action)?.length ?? 0) > 0 || action in defaults);
  const close = h("button", { type: "button", class: "button secondary", onclick: () => dialog.close() },
                  t("shortcuts.close"));
  dialog = h("dialog", { class: "shortcuts-help card", "aria-labelledby": "shortcuts-title" },
    h("h2", { id: "shortcuts-title" }, t("shortcuts.title")),
    h("dl", {}, available.map(({ action, label }) => [
      h("dt", {}, h("kbd", {}, label)), h("dd", {}, t(`shortcuts.${action}`))])),
    h("p", { class: "hint" }, t("shortcuts.layout")),
    close);
  dialog.addEventListener("close", () => {
    dialog.remove();
    dialog = null;
  });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}
