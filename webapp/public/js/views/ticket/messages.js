// The pieces of a conversation: message bubbles whose links can be followed, a separator
// before the first message of each day, and the full date of a message on hover (title) or
// on a long press (phones have no hover).
import { h } from "../../dom.js";
import { i18n } from "../../i18n.js";

const LONG_PRESS_MS = 500;
const FULL_DATE_SHOWN_MS = 4000;

// Schemes a link in a message may have. Anything else (javascript:, data:, file:, …) stays
// plain text, whatever the text says.
const LINK_SCHEMES = new Set(["http:", "https:", "tg:"]);
// A candidate link: a scheme we allow, then everything up to a space or a character that
// cannot be in a URL unescaped. Trailing punctuation is trimmed off below.
const LINK_PATTERN = /\b(?:https?:\/\/|tg:\/\/)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"»)\]}]+$/;

// Written by hand rather than taken from npm (linkifyjs is ~20 KB for e-mail addresses,
// bare domains and plugins we do not want): the rule is short and the safety is in what it
// makes. `text` becomes text nodes and <a> elements built with the DOM, never HTML: a link's
// href is the URL as the browser parses it, only for LINK_SCHEMES, and it opens in a new
// context with neither the opener nor the referrer.
export function linkify(text, { onOpen } = {}) {
  const nodes = [];
  let at = 0;
  for (const match of text.matchAll(LINK_PATTERN)) {
    let candidate = match[0];
    // "(see https://x.org/a)" ends the link before ")" unless the link opened one itself.
    const trailing = TRAILING.exec(candidate);
    if (trailing) {
      let cut = trailing[0];
      if (cut.startsWith(")") && candidate.includes("(")) cut = cut.slice(1);
      candidate = candidate.slice(0, candidate.length - cut.length);
    }
    const url = parseLink(candidate);
    if (!url) continue;
    if (match.index > at) nodes.push(document.createTextNode(text.slice(at, match.index)));
    const link = h("a", { href: url.href, target: "_blank", rel: "noopener noreferrer" }, candidate);
    if (onOpen) {
      link.addEventListener("click", (event) => {
        if (onOpen(url.href)) event.preventDefault();
      });
    }
    nodes.push(link);
    at = match.index + candidate.length;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

function parseLink(candidate) {
  try {
    const url = new URL(candidate);
    return LINK_SCHEMES.has(url.protocol) ? url : null;
  } catch {
    return null;
  }
}

// "Today", "Yesterday", or the date: the label of a day separator.
export function dayLabel(iso, now = new Date()) {
  const day = startOfDay(new Date(iso));
  const today = startOfDay(now);
  const days = Math.round((today - day) / 86400000);
  if (days === 0) return i18n.t("chat.today");
  if (days === 1) return i18n.t("chat.yesterday");
  const options = { weekday: "short", day: "numeric", month: "long" };
  if (day.getFullYear() !== today.getFullYear()) options.year = "numeric";
  return new Intl.DateTimeFormat(i18n.language, options).format(day);
}

// The local day of a moment, as a key ("2026-12-02") for grouping.
export function dayKey(iso) {
  const date = new Date(iso);
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

function startOfDay(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

// The full date and time, with the weekday and seconds: what hover and long press show.
export function fullDate(iso) {
  return new Intl.DateTimeFormat(i18n.language, { dateStyle: "full", timeStyle: "medium" }).format(new Date(iso));
}

export function daySeparator(iso) {
  return h("div", { class: "day-separator", role: "separator", dataset: { day: dayKey(iso) } },
    h("span", {}, dayLabel(iso)));
}

// Puts a separator before the first message of each day in `chat` (messages carry
// data-created). Drawn again whole after each change, since messages can arrive out of order;
// a few hundred elements, and the heights stay the same, so the scroll position holds.
export function placeDaySeparators(chat) {
  for (const separator of chat.querySelectorAll(".day-separator")) separator.remove();
  let previous = null;
  for (const element of chat.querySelectorAll(".message[data-created]")) {
    const key = dayKey(element.dataset.created);
    if (key !== previous) element.before(daySeparator(element.dataset.created));
    previous = key;
  }
}

// A <time> showing the hour, with the full date as its title (hover) and, after a long press
// on it or its message, in its place for a few seconds.
export function messageTime(iso) {
  const short = i18n.time(iso);
  const time = h("time", { class: "time", datetime: iso, title: fullDate(iso) }, short);
  let timer = null;
  time.showFull = () => {
    time.textContent = fullDate(iso);
    time.classList.add("full");
    clearTimeout(timer);
    timer = setTimeout(() => {
      time.textContent = short;
      time.classList.remove("full");
    }, FULL_DATE_SHOWN_MS);
  };
  return time;
}

// A long press (touch or mouse held still) on `element` calls `onLongPress`.
export function onLongPress(element, onLongPress) {
  let timer = null;
  let start = null;
  const cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  element.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    start = { x: event.clientX, y: event.clientY };
    cancel();
    timer = setTimeout(() => {
      timer = null;
      onLongPress();
    }, LONG_PRESS_MS);
  });
  element.addEventListener("pointermove", (event) => {
    if (timer && start && Math.hypot(event.clientX - start.x, event.clientY - start.y) > 10) cancel();
  });
  for (const name of ["pointerup", "pointercancel", "pointerleave"]) element.addEventListener(name, cancel);
  // A long press on a phone also opens the context menu; the date is what was asked for.
  element.addEventListener("contextmenu", (event) => {
    if (event.pointerType === "touch" || matchMedia("(pointer: coarse)").matches) event.preventDefault();
  });
}
