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
