// A long list read a page at a time into one table: a reset load replaces it, "Show more"
// appends the next page. An answer to a load that a newer one has overtaken (the filters
// changed meanwhile) is dropped.
import { h, replace } from "../../dom.js";
import { dataTable, errorNotice, loadingLine } from "./kit.js";

// `fetchPage(cursor)` → {items, next_cursor}; `onPage(page)` sees each accepted answer
// before `row(item)` makes its rows (a tableRow of `columns`).
export function pagedTable(context, { caption, columns, className, emptyText, fetchPage, onPage, row }) {
  const { t } = context;
  const listRegion = h("div", { class: "admin-list" });
  const moreRegion = h("div", { class: "admin-more" });
  let cursor = null;
  let sequence = 0;
  let rows = null;  // the table shown, once a first page had items

  function showLoading(reset) {
    if (!reset) {
      replace(moreRegion, loadingLine(context));
      return;
    }
    cursor = null;
    rows = null;
    replace(moreRegion);
    listRegion.setAttribute("aria-busy", "true");
    replace(listRegion, loadingLine(context));
  }

  function showPage(items, reset) {
    if (reset) {
      rows = items.length ? dataTable(caption, columns, className) : null;
      replace(listRegion, rows ? rows.table : h("p", { class: "empty" }, emptyText));
    }
    const added = rows ? items.map((item) => row(item)) : [];
    rows?.body.append(...added);
    replace(moreRegion, cursor
      ? h("button", { type: "button", class: "button secondary wide", onclick: () => load(false) }, t("showMore"))
      : null);
    if (!reset && added.length) {  // "Show more" is gone: the focus goes to what it brought
      added[0].tabIndex = -1;
      added[0].focus();
    }
  }

  async function load(reset) {
    const mine = ++sequence;
    showLoading(reset);
    try {
      const page = await fetchPage(reset ? undefined : cursor);
      if (!context.alive || mine !== sequence) return;
      listRegion.removeAttribute("aria-busy");
      cursor = page?.next_cursor ?? null;
      onPage?.(page);
      showPage(page?.items ?? [], reset);
    } catch (error) {
      if (!context.alive || mine !== sequence) return;
      listRegion.removeAttribute("aria-busy");
      if (reset) replace(listRegion, errorNotice(context, error, () => load(true)));
      else replace(moreRegion, errorNotice(context, error, () => load(false)));
    }
  }

  return { nodes: [listRegion, moreRegion], load };
}
