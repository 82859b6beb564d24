// Building the page. Everything users wrote goes in as text nodes, never as HTML: `h` has
// no way to set innerHTML, so a message body can never become markup.

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// A form field: the label is tied to its control, and an error shows under it.
let nextFieldId = 0;
export function field(label, control, hint) {
  const id = control.id || `field-${++nextFieldId}`;
  control.id = id;
  const error = h("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });
  control.setAttribute("aria-describedby", error.id);
  const wrapper = h("div", { class: "field" }, h("label", { for: id }, label), control,
                    hint ? h("p", { class: "hint" }, hint) : null, error);
  wrapper.showError = (text) => {
    error.textContent = text ?? "";
    control.toggleAttribute("aria-invalid", Boolean(text));
  };
  return wrapper;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// Puts the keyboard focus on the first heading of `node` (a view), waiting for it while the
// view is still loading (a ticket's subject comes with the ticket), or on `fallback` when it
// has none. The heading gets tabindex=-1: focusable by script, not a stop for Tab. Moved
// without scrolling, so a phone stays where it is. Returns the function that stops waiting.
const HEADING_WAIT_MS = 5000;
export function focusHeading(node, fallback) {
  const heading = () => node.querySelector("h1, h2");
  const focus = (element) => {
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus({ preventScroll: true });
  };
  const found = heading();
  if (found) {
    focus(found);
    return () => {};
  }
  fallback?.focus({ preventScroll: true });
  const observer = new MutationObserver(() => {
    const appeared = heading();
    if (!appeared) return;
    stop();
    // Only if the person has not gone somewhere else meanwhile.
    if (!document.activeElement || document.activeElement === document.body ||
        document.activeElement === fallback) {
      focus(appeared);
    }
  });
  const timer = setTimeout(() => stop(), HEADING_WAIT_MS);
  const stop = () => {
    observer.disconnect();
    clearTimeout(timer);
  };
  observer.observe(node, { childList: true, subtree: true });
  return stop;
}

// The address of one of our files (`path` relative to the app, "vendor/uPlot.min.css"), by
// its fingerprinted name where the server gave it one (the page's import map), so that it
// is cached like the modules; the plain name where import maps are not supported.
export function assetUrl(path) {
  const plain = new URL(path, document.baseURI).href;
  try {
    return import.meta.resolve?.(plain) ?? plain;
  } catch {
    return plain;
  }
}

// From this width (app.css's wide layout) the queue shows the open ticket beside the list,
// and a ticket's details stay open beside the conversation.
export const wideScreen = window.matchMedia?.("(min-width: 960px)") ?? { matches: false };
