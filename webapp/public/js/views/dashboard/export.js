// Export (admin+, `reports.export`): the tickets of the period on the screen as CSV, XLSX
// or PDF from GET /reports/tickets (docs/API.md "Ticket reports"). A download cannot send
// our Authorization header, so the link carries the session token (`?token=`, which that
// route accepts); it is built at the click and handed to the download only.
import { h } from "../../dom.js";
import { i18n } from "../../i18n.js";

const FORMATS = ["csv", "xlsx", "pdf"];

// `statistics()` is the Statistics shown (its from/to are the period, in UTC);
// `category()` the category filter ("" for all).
export function exportControl(app, statistics, category) {
  const t = i18n.t;
  const buttons = FORMATS.map((format) => h("button", {
    type: "button", class: "button secondary", dataset: { format }, disabled: true,
    onclick: () => download(format),
  }, format.toUpperCase()));

  const download = (format) => {
    const shown = statistics();
    if (!shown) return;
    const url = exportUrl(format, shown, category(), app.api.token);
    const fileName = `tickets-${shown.from.slice(0, 10)}-${shown.to.slice(0, 10)}.${format}`;
    if (app.telegram.downloadFile(new URL(url, location.href).href, fileName)) return;
    const link = h("a", { href: url, download: fileName, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  };

  return {
    node: h("div", { class: "dashboard-export", role: "group", "aria-label": t("dashboard.export") },
      h("span", { class: "hint" }, t("dashboard.export")), buttons),
    refresh() {
      for (const button of buttons) button.disabled = !statistics();
    },
  };
}

export function exportUrl(format, shown, categoryId, token) {
  const query = new URLSearchParams({ format, from: shown.from, to: shown.to });
  if (categoryId) query.set("category_id", categoryId);
  query.set("token", token);
  return `/reports/tickets?${query}`;
}
