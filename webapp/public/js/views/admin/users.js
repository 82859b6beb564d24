// Users and their roles: a search over everyone, a row per person with the role (a select
// where the caller may change it) and, for staff, the categories they handle and whether
// they are available for new tickets.
import { debounce, field, h } from "../../dom.js";
import { can, grantableRoles, ROLES, roleAtLeast } from "../../domain.js";
import { i18n } from "../../i18n.js";
import { pagedTable } from "./paged_table.js";
import {
  categoryLabel, checkboxLabel, fetchCategories, personName, roleLabel, selectOf, statusLine, succeeded, tableRow,
  valueOptions,
} from "./kit.js";

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 300;

export default function usersSection(context) {
  const { app, t, user: me } = context;
  const status = statusLine(context);
  const mayChangeRoles = can(me, "users.manage_roles");
  const mayAssignCategories = can(me, "users.manage_categories");
  const mayToggleAvailability = can(me, "users.manage_availability");

  const search = h("input", { type: "search", autocomplete: "off", enterkeyhint: "search" });
  const roleFilter = selectOf([["", t("admin.users.anyRole")], ...valueOptions(t, ROLES, "role")], "");
  const filters = h("form", { class: "card filters admin-filters", role: "search", "aria-label": t("admin.users.filters") },
    field(t("admin.users.search"), search, t("admin.users.searchHint")),
    field(t("admin.users.roleFilter"), roleFilter));
  const columns = [t("admin.users.name"), t("admin.users.username"), t("admin.users.role"),
                   t("admin.users.categories"), t("admin.users.availability")];
  let categories = [];

  const table = pagedTable(context, {
    caption: t("admin.users.caption"), columns, className: "admin-users-table", emptyText: t("admin.users.empty"),
    fetchPage: async (cursor) => {
      const [page, categoryItems] = await Promise.all([
        app.api.get("/users", { q: search.value.trim(), role: roleFilter.value, limit: PAGE_SIZE, cursor }),
        cursor === undefined || !categories.length ? fetchCategories(app.api) : Promise.resolve(categories),
      ]);
      return { ...page, categories: categoryItems };
    },
    onPage: (page) => { categories = page.categories; },
    row: userRow,
  });

  // One row per person; a change that alters what the row shows (a new role) draws it anew.
  function userRow(person) {
    const nameId = `admin-user-${person.id}-name`;
    const staff = roleAtLeast(person.role, "helper");
    return tableRow(columns, [
      h("div", {},
        h("strong", { id: nameId }, personName(person)),
        person.id === me?.id ? h("span", { class: "chip admin-self" }, t("admin.users.you")) : null,
        h("p", { class: "meta" }, t("admin.users.telegramId", { id: person.telegram_id }))),
      person.username ? `@${person.username}` : null,
      roleControl(person, nameId),
      staff ? categoriesControl(person, nameId) : null,
      staff ? availabilityControl(person, nameId) : null,
    ], { dataset: { id: person.id } });
  }

  function redraw(oldRow, person, focusSelector) {
    const fresh = userRow(person);
    oldRow.replaceWith(fresh);
    const target = fresh.querySelector(focusSelector);
    if (target) target.focus();
    else {  // the new role took the control away: keep the focus in the row
      fresh.tabIndex = -1;
      fresh.focus();
    }
  }

  // A select of the roles the caller may give, asked to confirm; the role as a chip where
  // they may give none.
  function roleControl(person, nameId) {
    const choices = mayChangeRoles ? grantableRoles(me, person) : [];
    if (!choices.length) return h("span", { class: "chip" }, roleLabel(t, person.role));
    if (!choices.includes(person.role)) choices.unshift(person.role);
    const id = `admin-user-${person.id}-role`;
    const select = selectOf(choices.map((role) => [role, roleLabel(t, role)]), person.role);
    select.id = id;
    select.setAttribute("aria-labelledby", `${id}-label ${nameId}`);
    select.dataset.control = "role";
    const error = h("p", { class: "field-error", role: "alert" });
    select.addEventListener("change", () => changeRole(person, select, error));
    return h("div", { class: "field admin-inline-field" },
      h("label", { for: id, id: `${id}-label` }, t("admin.users.role")), select, error);
  }

  async function changeRole(person, select, error) {
    const wanted = select.value;
    if (wanted === person.role) return;
    error.textContent = "";
    const confirmed = await app.telegram.confirm(t("admin.users.roleConfirm", {
      name: personName(person), from: roleLabel(t, person.role), to: roleLabel(t, wanted) }));
    if (!context.alive) return;
    if (!confirmed) {
      select.value = person.role;
      return;
    }
    select.disabled = true;
    try {
      const updated = await app.api.put(`/users/${person.id}/role`, { role: wanted });
      if (!context.alive) return;
      redraw(select.closest("tr"), updated, "[data-control=role]");
      succeeded(context, status, t("admin.users.roleSaved", { name: personName(updated), role: roleLabel(t, updated.role) }));
    } catch (failure) {
      if (!context.alive) return;
      app.telegram.haptic("error");
      select.disabled = false;
      select.value = person.role;
      error.textContent = i18n.error(failure);
      select.focus();
    }
  }

  // A checkbox per category where the caller may assign them, else the names. Each click
  // saves (saveInTurn), and the boxes stay focusable: a disabled box would drop the focus.
  function categoriesControl(person, nameId) {
    const handled = new Set(person.category_ids ?? []);
    if (!mayAssignCategories) {
      const names = categories.filter((c) => handled.has(c.id)).map((c) => c.name);
      return names.length ? names.join(", ") : t("admin.users.noCategories");
    }
    if (!categories.length) return h("span", { class: "hint" }, t("admin.users.noCategoriesDefined"));
    const legendId = `admin-user-${person.id}-categories`;
    const error = h("p", { class: "field-error", role: "alert" });
    const boxes = categories.map((category) =>
      ({ category, box: h("input", { type: "checkbox", value: String(category.id), checked: handled.has(category.id) }) }));
    const showSaved = () => {
      const chosen = new Set(person.category_ids);
      for (const { box, category } of boxes) box.checked = chosen.has(category.id);
    };
    const fieldset = h("fieldset", { class: "admin-checks", "aria-labelledby": `${legendId} ${nameId}` },
      h("legend", { id: legendId }, t("admin.users.handles")),
      boxes.map(({ box, category }) => checkboxLabel(box, categoryLabel(t, category))),
      error);
    const save = saveInTurn(context, {
      send: async () => {
        const wanted = boxes.filter(({ box }) => box.checked).map(({ category }) => category.id);
        const updated = await app.api.put(`/users/${person.id}/categories`, { category_ids: wanted });
        if (context.alive) person.category_ids = updated.category_ids ?? wanted;
      },
      busy: (busy) => (busy ? fieldset.setAttribute("aria-busy", "true") : fieldset.removeAttribute("aria-busy")),
      saved: () => {
        showSaved();
        succeeded(context, status, t("admin.users.categoriesSaved", { name: personName(person) }));
      },
      failed: (failure) => {
        showSaved();
        error.textContent = i18n.error(failure);
      },
    });
    for (const { box } of boxes) {
      box.addEventListener("change", () => {
        error.textContent = "";
        save();
      });
    }
    return fieldset;
  }

  // The "available for new tickets" switch, for the caller themself or with the right to
  // set anyone's; else the state as text.
  function availabilityControl(person, nameId) {
    if (!mayToggleAvailability && person.id !== me?.id) {
      return person.available ? t("admin.users.available") : t("admin.users.away");
    }
    const id = `admin-user-${person.id}-available`;
    const toggle = h("input", { type: "checkbox", role: "switch", id, checked: Boolean(person.available),
                                "aria-labelledby": `${id}-label ${nameId}` });
    const error = h("p", { class: "field-error", role: "alert" });
    const save = saveInTurn(context, {
      send: async () => {
        const updated = await app.api.put(`/users/${person.id}/availability`, { available: toggle.checked });
        if (context.alive) person.available = Boolean(updated.available);
      },
      saved: () => {
        toggle.checked = person.available;
        const key = person.available ? "admin.users.nowAvailable" : "admin.users.nowAway";
        succeeded(context, status, t(key, { name: personName(person) }));
      },
      failed: (failure) => {
        toggle.checked = Boolean(person.available);
        error.textContent = i18n.error(failure);
      },
    });
    toggle.addEventListener("change", () => {
      error.textContent = "";
      save();
    });
    return h("div", { class: "admin-switch" },
      h("label", { class: "checkbox", for: id, id: `${id}-label` }, toggle, h("span", {}, t("admin.users.availableLabel"))),
      error);
  }

  const reloadSoon = debounce(() => { if (context.alive) table.load(true); }, SEARCH_DELAY_MS);
  search.addEventListener("input", reloadSoon);
  roleFilter.addEventListener("change", () => table.load(true));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    table.load(true);
  });

  table.load(true);
  return h("div", {}, filters, status, table.nodes);
}

// Saves a control's state one request at a time: a change made while a request is out is
// sent when it returns, so quick clicks neither race nor get lost. `send()` puts what
// the control shows; `saved()` or `failed(error)` follows the last one.
function saveInTurn(context, { send, busy: setBusy = () => {}, saved, failed }) {
  let busy = false;
  let again = false;
  return async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    setBusy(true);
    try {
      do {
        again = false;
        await send();
        if (!context.alive) return;
      } while (again);
      saved();
    } catch (failure) {
      if (!context.alive) return;
      context.app.telegram.haptic("error");
      failed(failure);
    } finally {
      busy = false;
      setBusy(false);
    }
  };
}
