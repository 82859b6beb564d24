// The connection indicator in the header: a dot and a word, announced to screen readers.
import { h, replace } from "../dom.js";
import { i18n } from "../i18n.js";

export function showConnection(container, realtime) {
  const render = () => {
    const state = realtime.state;
    container.dataset.state = state;
    replace(container, h("span", { class: "dot", "aria-hidden": "true" }),
            h("span", { class: "connection-text" }, i18n.t(`conn.${state}`)));
  };
  realtime.on("state", render);
  render();
  return render;
}
