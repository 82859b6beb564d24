// Administration: categories, auto-replies, users and their roles, the role permission
// table (developers only) and the audit log. The home of the view lists the sections the
// caller may use; each section is the same view with params.section, pushed on the
// router's stack so that Back returns to the list.
//
// The server decides every right again; the checks here only keep controls that would
// be refused off the screen. Everything a person typed is put in as text (dom.js `h`).
import { debounce, field, h, replace } from "../dom.js";
import { i18n } from "../i18n.js";

const ROLES = ["user", "helper", "moderator", "admin", "developer"];
const LEVEL = { user: 0, helper: 1, moderator: 2, admin: 3, developer: 4 };
const PRIORITIES = ["low", "normal", "high", "critical"];
const ROUTINGS = ["least_loaded", "manual"];
const EVENTS = ["ticket_created", "message"];
const PAGE_SIZE = 50;
const SAVED_VISIBLE_MS = 4000;
const MAX_NAME = 100;
const MAX_BODY = 4096;
const MAX_SLA_MINUTES = 525600;  // a year: the server's upper bound

// The permissions the server has by default (docs/API.md). The table shows them even
// when a developer has taken one away from every role, so that it can be given back.
const KNOWN_PERMISSIONS = [
  "tickets.create", "tickets.view_category", "tickets.take", "tickets.update", "messages.internal",
  "statistics.view", "tickets.view_all", "tickets.assign", "users.view", "users.manage_categories",
  "users.manage_availability", "statistics.view_all", "forecast.view", "tickets.delete",
  "users.manage_roles", "categories.manage", "auto_replies.manage", "reports.export", "audit.view",
  "permissions.manage",
];

const SECTIONS = [
  { id: "categories", key: "categories", allowed: (user) => can(user, "categories.manage"), build: categoriesSection },
  { id: "auto-replies", key: "autoReplies", allowed: (user) => can(user, "auto_replies.manage"), build: autoRepliesSection },
  { id: "users", key: "users", allowed: (user) => can(user, "users.view"), build: usersSection },
  { id: "permissions", key: "permissions", allowed: (user) => user?.role === "developer", build: permissionsSection },
  { id: "audit", key: "audit", allowed: (user) => can(user, "audit.view"), build: auditSection },
];

export default function adminView(app, params = {}) {
  const t = i18n.t;
  const context = createContext(app);
  const available = SECTIONS.filter((section) => section.allowed(context.user));
  const section = available.find((candidate) => candidate.id === params.section);

  if (!section) {
    return { title: t("admin.title"), node: homeNode(context, available), dispose: () => context.dispose() };
  }
  const node = h("section", { class: `admin admin-${section.id}`, "aria-labelledby": "admin-section-title" },
    h("h2", { class: "visually-hidden", id: "admin-section-title" }, t(`admin.section.${section.key}`)),
    section.build(context));
  return { title: t(`admin.section.${section.key}`), node, dispose: () => context.dispose() };
}

// --- the home: the sections this person may open ---

function homeNode(context, available) {
  const { app, t } = context;
  if (!available.length) return h("p", { class: "placeholder card" }, t("admin.noSections"));
  return h("nav", { class: "admin admin-home", "aria-label": t("admin.sections") },
    h("ul", { class: "admin-home-list" }, available.map((section) =>
      h("li", {},
        h("button", {
          type: "button", class: "admin-home-item card", dataset: { section: section.id },
          onclick: () => app.router.go("admin", { section: section.id }),
        },
        h("span", { class: "admin-home-title" }, t(`admin.section.${section.key}`)),
        h("span", { class: "hint" }, t(`admin.sectionHint.${section.key}`)))))));
}

// --- shared pieces ---

function can(user, permission) {
  return Boolean(user?.permissions?.includes(permission));
}

// What a section needs: the app, the caller, and timers that stop when the view leaves,
// so that a late answer never writes into a screen that is gone.
function createContext(app) {
  const timers = new Set();
  const context = {
    app,
    t: i18n.t,
    user: app.session.user,
    alive: true,
    later(callback, ms) {
      const id = setTimeout(() => {
        timers.delete(id);
        if (context.alive) callback();
      }, ms);
      timers.add(id);
      return id;
    },
    cancel(id) {
      clearTimeout(id);
      timers.delete(id);
    },
    dispose() {
      context.alive = false;
      for (const id of timers) clearTimeout(id);
      timers.clear();
    },
  };
  return context;
}

// The short "Saved" line, read out by screen readers, gone after a few seconds.
function statusLine(context) {
  const node = h("p", { class: "admin-status", role: "status", "aria-live": "polite" });
  let timer = null;
  node.say = (text) => {
    if (timer) context.cancel(timer);
    node.textContent = text;
    timer = context.later(() => { node.textContent = ""; }, SAVED_VISIBLE_MS);
  };
  return node;
}

function succeeded(context, status, text) {
  context.app.telegram.haptic("success");
  status.say(text ?? context.t("admin.saved"));
}

function errorNotice(context, error, retry) {
  return h("div", { class: "notice error admin-error", role: "alert" },
    h("p", {}, i18n.error(error)),
    retry ? h("button", { type: "button", class: "button secondary", onclick: retry }, context.t("retry")) : null);
}

// Shows "Loading…", then what `render` makes of the answer, or the error with a retry.
function loadInto(context, region, fetcher, render) {
  const attempt = async () => {
    region.setAttribute("aria-busy", "true");
    replace(region, h("p", { class: "placeholder", role: "status" }, context.t("loading")));
    try {
      const data = await fetcher();
      if (!context.alive) return;
      region.removeAttribute("aria-busy");
      render(data);
    } catch (error) {
      if (!context.alive) return;
      region.removeAttribute("aria-busy");
      replace(region, errorNotice(context, error, attempt));
    }
  };
  return attempt();
}

// Every collection is {items, next_cursor}; the small ones are read to the end.
async function fetchAll(api, path, query = {}) {
  const items = [];
  let cursor;
  for (let page = 0; page < 100; page++) {
    const answer = await api.get(path, { ...query, limit: 200, cursor });
    items.push(...(answer?.items ?? []));
    cursor = answer?.next_cursor;
    if (!cursor) break;
  }
  return items;
}

function selectOf(options, value) {
  const select = h("select", {}, options.map(([optionValue, label]) => h("option", { value: String(optionValue) }, label)));
  select.value = value === null || value === undefined ? "" : String(value);
  return select;
}

function checkboxLabel(input, text, extra = {}) {
  return h("label", { class: "checkbox", ...extra }, input, h("span", {}, text));
}

// The label a key gives, or `fallback` when the strings have none (a permission or an
// audit action added on the server after this app).
function labelOr(t, key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}

function personName(person) {
  return [person?.first_name, person?.last_name].filter(Boolean).join(" ") || `#${person?.id ?? "?"}`;
}

function roleLabel(t, role) {
  return role in LEVEL ? t(`role.${role}`) : String(role);
}

function minutesText(t, minutes) {
  if (minutes === null || minutes === undefined) return t("admin.categories.noSla");
  if (minutes % 1440 === 0) return t("admin.duration.days", { count: minutes / 1440 });
  if (minutes % 60 === 0) return t("admin.duration.hours", { count: minutes / 60 });
  return t("admin.duration.minutes", { count: minutes });
}

function byPosition(a, b) {
  return (a.position ?? 0) - (b.position ?? 0) || String(a.name).localeCompare(String(b.name)) || a.id - b.id;
}

// A table that CSS turns into a stack of cards on narrow screens: each cell carries its
// column's name in data-label, shown before it once the header row is hidden. The
// explicit roles keep the table's meaning for screen readers when its display changes.
function dataTable(caption, columns, className = "") {
  const body = h("tbody", { role: "rowgroup" });
  const table = h("table", { class: `admin-table ${className}`.trim(), role: "table" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", { role: "rowgroup" },
      h("tr", { role: "row" }, columns.map((column) => h("th", { scope: "col", role: "columnheader" }, column)))),
    body);
  return { table, body, columns };
}

function tableRow(columns, cells, props = {}) {
  return h("tr", { role: "row", ...props }, cells.map((cell, index) => {
    const empty = cell === null || cell === undefined || cell === "";
    return h("td", { role: "cell", class: empty ? "admin-cell-empty" : null, "data-label": columns[index] },
      empty ? "—" : cell);
  }));
}

// Puts what the server said about a refused form next to the field it names (its message
// starts with the field, "sla_minutes must be …"), or above the buttons otherwise.
function showServerError(context, error, fields, formError, patterns, conflict) {
  context.app.telegram.haptic("error");
  if (error?.code === "conflict" && conflict && fields[conflict.field]) {
    fields[conflict.field].showError(conflict.text);
    fields[conflict.field].querySelector("input, select, textarea")?.focus();
    return;
  }
  if (error?.code === "invalid_request") {
    for (const [key, pattern] of Object.entries(patterns)) {
      if (pattern.test(error.message ?? "") && fields[key]) {
        fields[key].showError(i18n.error(error));
        fields[key].querySelector("input, select, textarea")?.focus();
        return;
      }
    }
  }
  replace(formError, h("p", { class: "notice error" }, i18n.error(error)));
}

// A field's error goes once the person changes that field.
function clearErrorsOnEdit(fields, formError) {
  for (const wrapper of Object.values(fields)) {
    const control = wrapper.querySelector("input, select, textarea");
    const clear = () => {
      wrapper.showError("");
      replace(formError);
    };
    control.addEventListener("input", clear);
    control.addEventListener("change", clear);
  }
}

// --- 1. categories ---

// Saves `form` on submit, one request at a time: `save(payload)` is the POST or PUT,
// `onSaved(saved)` updates the section; the server's errors go next to the fields
// `patterns` names (a 409 to `conflict`).
function handleSubmit(context, { form, submit, validate, save, onSaved, fields, formError, patterns, conflict }) {
  let saving = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (saving) return;
    const payload = validate();
    if (!payload) {
      context.app.telegram.haptic("error");
      return;
    }
    saving = true;
    submit.disabled = true;
    try {
      const saved = await save(payload);
      if (!context.alive) return;
      onSaved(saved);
    } catch (error) {
      if (!context.alive) return;
      showServerError(context, error, fields, formError, patterns, conflict);
    } finally {
      saving = false;
      submit.disabled = false;
    }
  });
}

// Deletes `item` at `path` once the person confirms; `onRemoved()` updates the section.
// Something deleted elsewhere meanwhile reloads the list; any other failure offers a retry.
async function removeItem(context, options) {
  const { app, t } = context;
  const { path, item, confirmKey, button, actionError, status, onRemoved, reload } = options;
  replace(actionError);
  const confirmed = await app.telegram.confirm(t(confirmKey, { name: item.name }));
  if (!confirmed || !context.alive) return;
  button.disabled = true;
  try {
    await app.api.delete(path);
    if (!context.alive) return;
    onRemoved();
    succeeded(context, status, t("admin.deletedNamed", { name: item.name }));
  } catch (error) {
    if (!context.alive) return;
    button.disabled = false;
    app.telegram.haptic("error");
    if (error?.code === "not_found") {  // deleted elsewhere meanwhile: show the list as it is
      reload();
      replace(actionError, errorNotice(context, error));
    } else {
      replace(actionError, errorNotice(context, error, () => removeItem(context, options)));
    }
  }
}

function categoriesSection(context) {
  const { app, t } = context;
  const status = statusLine(context);
  const actionError = h("div", { class: "admin-action-error" });
  const formSlot = h("div", { class: "admin-form-slot" });
  const listRegion = h("div", { class: "admin-list" });
  const addButton = h("button", { type: "button", class: "button", onclick: () => openForm(null) },
    t("admin.categories.add"));
  let categories = [];
  const editButtons = new Map();  // category id → its Edit button, to return focus after saving

  const reload = () => loadInto(context, listRegion, () => fetchAll(app.api, "/categories"), (items) => {
    categories = items.sort(byPosition);
    renderList();
  });

  function renderList() {
    editButtons.clear();
    if (!categories.length) {
      replace(listRegion, h("p", { class: "empty" }, t("admin.categories.empty")));
      return;
    }
    const { table, body, columns } = dataTable(t("admin.categories.caption"), [
      t("admin.categories.name"), t("admin.categories.priority"), t("admin.categories.sla"),
      t("admin.categories.routing"), t("admin.categories.state"), t("admin.categories.position"),
      t("admin.actions"),
    ], "admin-categories-table");
    for (const category of categories) {
      const edit = h("button", {
        type: "button", class: "button secondary", "aria-label": t("admin.editNamed", { name: category.name }),
        onclick: () => openForm(category),
      }, t("admin.edit"));
      const remove = h("button", {
        type: "button", class: "button danger", "aria-label": t("admin.deleteNamed", { name: category.name }),
        onclick: () => removeCategory(category, remove),
      }, t("delete"));
      editButtons.set(category.id, edit);
      body.append(tableRow(columns, [
        h("div", {}, h("strong", {}, category.name),
          category.description ? h("p", { class: "hint admin-description" }, category.description) : null),
        t(`priority.${category.default_priority}`),
        minutesText(t, category.sla_minutes),
        labelOr(t, `admin.routing.${category.routing}`, category.routing),
        h("span", { class: category.active ? "chip" : "chip admin-inactive" },
          category.active ? t("admin.active") : t("admin.inactive")),
        String(category.position ?? 0),
        h("div", { class: "row admin-row-actions" }, edit, remove),
      ], { dataset: { id: category.id } }));
    }
    replace(listRegion, table);
  }

  function closeForm(focusTarget) {
    replace(formSlot);
    addButton.hidden = false;
    (focusTarget ?? addButton).focus();
  }

  function openForm(category) {
    replace(actionError);
    const editing = Boolean(category);
    const name = h("input", { type: "text", maxlength: MAX_NAME, autocomplete: "off", required: true });
    name.value = category?.name ?? "";
    const description = h("textarea", { rows: 2 });
    description.value = category?.description ?? "";
    const priority = selectOf(PRIORITIES.map((p) => [p, t(`priority.${p}`)]), category?.default_priority ?? "normal");
    const sla = h("input", { type: "number", min: 1, max: MAX_SLA_MINUTES, step: 1, inputmode: "numeric" });
    sla.value = category?.sla_minutes ?? "";
    const routing = selectOf(ROUTINGS.map((r) => [r, t(`admin.routing.${r}`)]), category?.routing ?? "least_loaded");
    const active = h("input", { type: "checkbox" });
    active.checked = category ? Boolean(category.active) : true;
    const position = h("input", { type: "number", step: 1, inputmode: "numeric" });
    const nextPosition = categories.reduce((max, c) => Math.max(max, (c.position ?? 0) + 1), 0);
    position.value = String(category?.position ?? nextPosition);

    const fields = {
      name: field(t("admin.categories.name"), name),
      description: field(t("admin.categories.description"), description),
      default_priority: field(t("admin.categories.defaultPriority"), priority),
      sla_minutes: field(t("admin.categories.slaMinutes"), sla, t("admin.categories.slaHint")),
      routing: field(t("admin.categories.routing"), routing, t("admin.categories.routingHint")),
      position: field(t("admin.categories.position"), position, t("admin.categories.positionHint")),
    };
    const formError = h("div", { role: "alert" });
    const submit = h("button", { type: "submit", class: "button" },
      editing ? t("save") : t("admin.categories.create"));
    const headingId = `admin-category-form-${category?.id ?? "new"}`;
    const form = h("form", { class: "card admin-form", novalidate: true, "aria-labelledby": headingId },
      h("h3", { id: headingId }, editing ? t("admin.categories.editTitle", { name: category.name })
        : t("admin.categories.newTitle")),
      h("div", { class: "admin-form-grid" },
        fields.name, fields.default_priority, fields.sla_minutes, fields.routing, fields.position,
        h("div", { class: "field admin-field-check" }, checkboxLabel(active, t("admin.categories.activeLabel")))),
      fields.description,
      formError,
      h("div", { class: "row" }, submit,
        h("button", { type: "button", class: "button secondary",
                      onclick: () => closeForm(editing ? editButtons.get(category.id) : addButton) }, t("cancel"))));

    clearErrorsOnEdit(fields, formError);

    const validate = () => {
      for (const wrapper of Object.values(fields)) wrapper.showError("");
      replace(formError);
      const errors = {};
      const trimmed = name.value.trim();
      if (!trimmed) errors.name = t("admin.error.required");
      else if (trimmed.length > MAX_NAME) errors.name = t("admin.error.tooLong", { max: MAX_NAME });
      let slaValue = null;
      if (sla.validity?.badInput) errors.sla_minutes = t("admin.categories.slaInvalid", { max: MAX_SLA_MINUTES });
      else if (sla.value.trim() !== "") {
        slaValue = Number(sla.value);
        if (!Number.isInteger(slaValue) || slaValue < 1 || slaValue > MAX_SLA_MINUTES) {
          errors.sla_minutes = t("admin.categories.slaInvalid", { max: MAX_SLA_MINUTES });
        }
      }
      let positionValue = 0;
      if (position.validity?.badInput) errors.position = t("admin.error.integer");
      else if (position.value.trim() !== "") {
        positionValue = Number(position.value);
        if (!Number.isInteger(positionValue)) errors.position = t("admin.error.integer");
      }
      for (const [key, text] of Object.entries(errors)) fields[key].showError(text);
      const first = Object.keys(errors)[0];
      if (first) {
        fields[first].querySelector("input, select, textarea").focus();
        return null;
      }
      return {
        name: trimmed,
        description: description.value.trim() || null,
        default_priority: priority.value,
        sla_minutes: slaValue,
        routing: routing.value,
        active: active.checked,
        position: positionValue,
      };
    };

    handleSubmit(context, {
      form, submit, validate, fields, formError,
      save: (payload) => (editing ? app.api.put(`/categories/${category.id}`, payload)
                                  : app.api.post("/categories", payload)),
      onSaved: (saved) => {
        categories = [...categories.filter((c) => c.id !== saved.id), saved].sort(byPosition);
        renderList();
        closeForm(editButtons.get(saved.id));
        succeeded(context, status, t("admin.savedNamed", { name: saved.name }));
      },
      patterns: {
        name: /\bname\b/, description: /\bdescription\b/, default_priority: /\bdefault_priority\b/,
        sla_minutes: /\bsla_minutes\b/, routing: /\brouting\b/, position: /\bposition\b/,
      },
      conflict: { field: "name", text: t("admin.categories.duplicate") },
    });

    addButton.hidden = true;
    replace(formSlot, form);
    name.focus();
  }

  const removeCategory = (category, button) => removeItem(context, {
    path: `/categories/${category.id}`, item: category, confirmKey: "admin.categories.deleteConfirm",
    button, actionError, status, reload,
    onRemoved: () => {
      categories = categories.filter((c) => c.id !== category.id);
      renderList();
      addButton.focus();
    },
  });

  reload();
  return h("div", {},
    h("div", { class: "row admin-toolbar" }, addButton, status),
    actionError, formSlot, listRegion);
}

// --- 2. auto-replies ---

function autoRepliesSection(context) {
  const { app, t } = context;
  const status = statusLine(context);
  const actionError = h("div", { class: "admin-action-error" });
  const formSlot = h("div", { class: "admin-form-slot" });
  const listRegion = h("div", { class: "admin-list" });
  const addButton = h("button", { type: "button", class: "button", onclick: () => openForm(null) },
    t("admin.autoReplies.add"));
  let replies = [];
  let categories = [];
  const editButtons = new Map();

  const categoryName = (id) => {
    if (id === null || id === undefined) return t("admin.autoReplies.anyCategory");
    return categories.find((c) => c.id === id)?.name ?? t("admin.autoReplies.missingCategory", { id });
  };

  const reload = () => loadInto(context, listRegion,
    () => Promise.all([fetchAll(app.api, "/auto-replies"), fetchAll(app.api, "/categories")]),
    ([items, categoryItems]) => {
      replies = items;
      categories = categoryItems.sort(byPosition);
      addButton.disabled = false;
      renderList();
    });

  function renderList() {
    editButtons.clear();
    if (!replies.length) {
      replace(listRegion, h("p", { class: "empty" }, t("admin.autoReplies.empty")));
      return;
    }
    const { table, body, columns } = dataTable(t("admin.autoReplies.caption"), [
      t("admin.autoReplies.name"), t("admin.autoReplies.trigger"), t("admin.autoReplies.body"),
      t("admin.categories.state"), t("admin.actions"),
    ], "admin-replies-table");
    for (const reply of replies) {
      const edit = h("button", {
        type: "button", class: "button secondary", "aria-label": t("admin.editNamed", { name: reply.name }),
        onclick: () => openForm(reply),
      }, t("admin.edit"));
      const remove = h("button", {
        type: "button", class: "button danger", "aria-label": t("admin.deleteNamed", { name: reply.name }),
        onclick: () => removeReply(reply, remove),
      }, t("delete"));
      editButtons.set(reply.id, edit);
      body.append(tableRow(columns, [
        h("strong", {}, reply.name),
        h("div", { class: "admin-trigger" },
          h("p", { class: "meta" }, labelOr(t, `admin.event.${reply.event}`, reply.event), " · ",
            categoryName(reply.category_id)),
          reply.keywords?.length
            ? h("ul", { class: "admin-keywords", "aria-label": t("admin.autoReplies.keywords") },
                reply.keywords.map((keyword) => h("li", { class: "chip" }, keyword)))
            : null),
        h("p", { class: "admin-body-preview" }, reply.body),
        h("span", { class: reply.active ? "chip" : "chip admin-inactive" },
          reply.active ? t("admin.active") : t("admin.inactive")),
        h("div", { class: "row admin-row-actions" }, edit, remove),
      ], { dataset: { id: reply.id } }));
    }
    replace(listRegion, table);
  }

  function closeForm(focusTarget) {
    replace(formSlot);
    addButton.hidden = false;
    (focusTarget ?? addButton).focus();
  }

  function openForm(reply) {
    replace(actionError);
    const editing = Boolean(reply);
    const name = h("input", { type: "text", maxlength: MAX_NAME, autocomplete: "off", required: true });
    name.value = reply?.name ?? "";
    const keywords = h("input", { type: "text", autocomplete: "off" });
    keywords.value = (reply?.keywords ?? []).join(", ");
    const category = selectOf([["", t("admin.autoReplies.anyCategory")],
      ...categories.map((c) => [c.id, c.active ? c.name : t("admin.inactiveNamed", { name: c.name })])],
      reply?.category_id ?? "");
    if (reply?.category_id && !categories.some((c) => c.id === reply.category_id)) {
      category.append(h("option", { value: String(reply.category_id) }, categoryName(reply.category_id)));
      category.value = String(reply.category_id);
    }
    const eventSelect = selectOf(EVENTS.map((e) => [e, t(`admin.event.${e}`)]), reply?.event ?? "ticket_created");
    const body = h("textarea", { rows: 4, maxlength: MAX_BODY, required: true });
    body.value = reply?.body ?? "";
    const active = h("input", { type: "checkbox" });
    active.checked = reply ? Boolean(reply.active) : true;

    const fields = {
      name: field(t("admin.autoReplies.name"), name),
      keywords: field(t("admin.autoReplies.keywords"), keywords, t("admin.autoReplies.keywordsHint")),
      category_id: field(t("admin.autoReplies.category"), category, t("admin.autoReplies.categoryHint")),
      event: field(t("admin.autoReplies.event"), eventSelect),
      body: field(t("admin.autoReplies.body"), body, t("admin.autoReplies.bodyHint")),
    };
    const formError = h("div", { role: "alert" });
    const submit = h("button", { type: "submit", class: "button" },
      editing ? t("save") : t("admin.autoReplies.create"));
    const headingId = `admin-reply-form-${reply?.id ?? "new"}`;
    const form = h("form", { class: "card admin-form", novalidate: true, "aria-labelledby": headingId },
      h("h3", { id: headingId }, editing ? t("admin.autoReplies.editTitle", { name: reply.name })
        : t("admin.autoReplies.newTitle")),
      h("div", { class: "admin-form-grid" },
        fields.name, fields.event, fields.keywords, fields.category_id,
        h("div", { class: "field admin-field-check" }, checkboxLabel(active, t("admin.autoReplies.activeLabel")))),
      fields.body,
      formError,
      h("div", { class: "row" }, submit,
        h("button", { type: "button", class: "button secondary",
                      onclick: () => closeForm(editing ? editButtons.get(reply.id) : addButton) }, t("cancel"))));

    clearErrorsOnEdit(fields, formError);

    const validate = () => {
      for (const wrapper of Object.values(fields)) wrapper.showError("");
      replace(formError);
      const errors = {};
      const trimmedName = name.value.trim();
      if (!trimmedName) errors.name = t("admin.error.required");
      else if (trimmedName.length > MAX_NAME) errors.name = t("admin.error.tooLong", { max: MAX_NAME });
      const words = [...new Set(keywords.value.split(",").map((word) => word.trim()).filter(Boolean))];
      if (!words.length && !category.value) errors.keywords = t("admin.autoReplies.needsTrigger");
      const trimmedBody = body.value.trim();
      if (!trimmedBody) errors.body = t("admin.error.required");
      else if (trimmedBody.length > MAX_BODY) errors.body = t("admin.error.tooLong", { max: MAX_BODY });
      for (const [key, text] of Object.entries(errors)) fields[key].showError(text);
      const first = Object.keys(errors)[0];
      if (first) {
        fields[first].querySelector("input, select, textarea").focus();
        return null;
      }
      return {
        name: trimmedName,
        keywords: words,
        category_id: category.value ? Number(category.value) : null,
        event: eventSelect.value,
        body: trimmedBody,
        active: active.checked,
      };
    };

    handleSubmit(context, {
      form, submit, validate, fields, formError,
      save: (payload) => (editing ? app.api.put(`/auto-replies/${reply.id}`, payload)
                                  : app.api.post("/auto-replies", payload)),
      onSaved: (saved) => {
        const index = replies.findIndex((r) => r.id === saved.id);
        if (index >= 0) replies[index] = saved;
        else replies.push(saved);
        renderList();
        closeForm(editButtons.get(saved.id));
        succeeded(context, status, t("admin.savedNamed", { name: saved.name }));
      },
      patterns: {
        name: /\bname\b/, keywords: /\bkeywords?\b/, category_id: /\bcategor/, event: /\bevent\b/, body: /\bbody\b/,
      },
      conflict: { field: "name", text: t("admin.autoReplies.duplicate") },
    });

    addButton.hidden = true;
    replace(formSlot, form);
    name.focus();
  }

  const removeReply = (reply, button) => removeItem(context, {
    path: `/auto-replies/${reply.id}`, item: reply, confirmKey: "admin.autoReplies.deleteConfirm",
    button, actionError, status, reload,
    onRemoved: () => {
      replies = replies.filter((r) => r.id !== reply.id);
      renderList();
      addButton.focus();
    },
  });

  addButton.disabled = true;  // the form needs the categories first
  reload();
  return h("div", {},
    h("div", { class: "row admin-toolbar" }, addButton, status),
    actionError, formSlot, listRegion);
}

// --- 3. users and roles ---

// The roles the caller may give this person: never on their own account; a developer
// any role; anyone else only below their own level, and only to someone below it.
export function grantableRoles(caller, target) {
  if (!caller || !target || caller.id === target.id) return [];
  if (caller.role === "developer") return ROLES.slice();
  const own = LEVEL[caller.role];
  if (own === undefined || !(LEVEL[target.role] < own)) return [];
  return ROLES.filter((role) => LEVEL[role] < own);
}

function isStaffRole(role) {
  return (LEVEL[role] ?? 0) >= LEVEL.helper;
}

function usersSection(context) {
  const { app, t, user: me } = context;
  const status = statusLine(context);
  const mayChangeRoles = can(me, "users.manage_roles");
  const mayAssignCategories = can(me, "users.manage_categories");
  const mayToggleAvailability = can(me, "users.manage_availability");

  const search = h("input", { type: "search", autocomplete: "off", enterkeyhint: "search" });
  const roleFilter = selectOf([["", t("admin.users.anyRole")], ...ROLES.map((r) => [r, t(`role.${r}`)])], "");
  const filters = h("form", { class: "card filters admin-filters", role: "search", "aria-label": t("admin.users.filters") },
    field(t("admin.users.search"), search, t("admin.users.searchHint")),
    field(t("admin.users.roleFilter"), roleFilter));
  const listRegion = h("div", { class: "admin-list" });
  const moreRegion = h("div", { class: "admin-more" });

  let categories = [];
  let cursor = null;
  let sequence = 0;  // answers to an older query are dropped
  let rows = null;   // { body, columns } of the table shown

  const columns = [t("admin.users.name"), t("admin.users.username"), t("admin.users.role"),
                   t("admin.users.categories"), t("admin.users.availability")];

  async function load(reset) {
    const mine = ++sequence;
    if (reset) {
      cursor = null;
      rows = null;
      replace(moreRegion);
      listRegion.setAttribute("aria-busy", "true");
      replace(listRegion, h("p", { class: "placeholder", role: "status" }, t("loading")));
    } else {
      replace(moreRegion, h("p", { class: "placeholder", role: "status" }, t("loading")));
    }
    try {
      const [page, categoryItems] = await Promise.all([
        app.api.get("/users", { q: search.value.trim(), role: roleFilter.value, limit: PAGE_SIZE,
                                cursor: reset ? undefined : cursor }),
        reset || !categories.length ? fetchAll(app.api, "/categories") : Promise.resolve(categories),
      ]);
      if (!context.alive || mine !== sequence) return;
      categories = categoryItems.sort(byPosition);
      listRegion.removeAttribute("aria-busy");
      cursor = page?.next_cursor ?? null;
      const items = page?.items ?? [];
      if (reset) {
        if (!items.length) {
          replace(listRegion, h("p", { class: "empty" }, t("admin.users.empty")));
        } else {
          const table = dataTable(t("admin.users.caption"), columns, "admin-users-table");
          rows = table;
          replace(listRegion, table.table);
        }
      }
      const firstNew = appendUsers(items);
      replace(moreRegion, cursor
        ? h("button", { type: "button", class: "button secondary wide", onclick: () => load(false) }, t("showMore"))
        : null);
      if (!reset && firstNew) {  // "Show more" is gone: the focus goes to what it brought
        firstNew.tabIndex = -1;
        firstNew.focus();
      }
    } catch (error) {
      if (!context.alive || mine !== sequence) return;
      listRegion.removeAttribute("aria-busy");
      if (reset) replace(listRegion, errorNotice(context, error, () => load(true)));
      else replace(moreRegion, errorNotice(context, error, () => load(false)));
    }
  }

  function appendUsers(items) {
    if (!rows) return null;
    let first = null;
    for (const person of items) {
      const row = userRow(person);
      first ??= row;
      rows.body.append(row);
    }
    return first;
  }

  // One row per person; a change that alters what the row shows (a new role) draws it anew.
  function userRow(person) {
    const nameId = `admin-user-${person.id}-name`;
    const self = person.id === me?.id;
    const row = tableRow(columns, [
      h("div", {},
        h("strong", { id: nameId }, personName(person)),
        self ? h("span", { class: "chip admin-self" }, t("admin.users.you")) : null,
        h("p", { class: "meta" }, t("admin.users.telegramId", { id: person.telegram_id }))),
      person.username ? `@${person.username}` : null,
      roleControl(person, nameId),
      isStaffRole(person.role) ? categoriesControl(person, nameId) : null,
      isStaffRole(person.role) ? availabilityControl(person, nameId) : null,
    ], { dataset: { id: person.id } });
    return row;
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
    select.addEventListener("change", async () => {
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
    });
    return h("div", { class: "field admin-inline-field" },
      h("label", { for: id, id: `${id}-label` }, t("admin.users.role")), select, error);
  }

  function categoriesControl(person, nameId) {
    const handled = new Set(person.category_ids ?? []);
    if (!mayAssignCategories) {
      const names = categories.filter((c) => handled.has(c.id)).map((c) => c.name);
      return names.length ? names.join(", ") : t("admin.users.noCategories");
    }
    if (!categories.length) return h("span", { class: "hint" }, t("admin.users.noCategoriesDefined"));
    const legendId = `admin-user-${person.id}-categories`;
    const error = h("p", { class: "field-error", role: "alert" });
    const boxes = categories.map((category) => {
      const box = h("input", { type: "checkbox", value: String(category.id) });
      box.checked = handled.has(category.id);
      return { box, category };
    });
    // A click while a save is out is sent when it returns: quick clicks neither race
    // nor get lost, and the boxes stay focusable (a disabled box would drop the focus).
    let confirmed = [...handled];
    let busy = false;
    let again = false;
    const save = async () => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      fieldset.setAttribute("aria-busy", "true");
      try {
        do {
          again = false;
          const wanted = boxes.filter(({ box }) => box.checked).map(({ category }) => category.id);
          const updated = await app.api.put(`/users/${person.id}/categories`, { category_ids: wanted });
          if (!context.alive) return;
          confirmed = updated.category_ids ?? wanted;
          person.category_ids = confirmed;
        } while (again);
        const chosen = new Set(confirmed);
        for (const { box, category } of boxes) box.checked = chosen.has(category.id);
        succeeded(context, status, t("admin.users.categoriesSaved", { name: personName(person) }));
      } catch (failure) {
        if (!context.alive) return;
        app.telegram.haptic("error");
        const chosen = new Set(confirmed);
        for (const { box, category } of boxes) box.checked = chosen.has(category.id);
        error.textContent = i18n.error(failure);
      } finally {
        busy = false;
        fieldset.removeAttribute("aria-busy");
      }
    };
    const fieldset = h("fieldset", { class: "admin-checks", "aria-labelledby": `${legendId} ${nameId}` },
      h("legend", { id: legendId }, t("admin.users.handles")),
      boxes.map(({ box, category }) => {
        box.addEventListener("change", () => {
          error.textContent = "";
          save();
        });
        return checkboxLabel(box, category.active ? category.name : t("admin.inactiveNamed", { name: category.name }));
      }),
      error);
    return fieldset;
  }

  function availabilityControl(person, nameId) {
    const maySet = mayToggleAvailability || person.id === me?.id;
    if (!maySet) return person.available ? t("admin.users.available") : t("admin.users.away");
    const id = `admin-user-${person.id}-available`;
    const toggle = h("input", { type: "checkbox", role: "switch", id });
    toggle.checked = Boolean(person.available);
    toggle.setAttribute("aria-labelledby", `${id}-label ${nameId}`);
    const error = h("p", { class: "field-error", role: "alert" });
    let busy = false;
    let again = false;
    toggle.addEventListener("change", async () => {
      error.textContent = "";
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          const updated = await app.api.put(`/users/${person.id}/availability`, { available: toggle.checked });
          if (!context.alive) return;
          person.available = Boolean(updated.available);
        } while (again);
        toggle.checked = person.available;
        succeeded(context, status, person.available
          ? t("admin.users.nowAvailable", { name: personName(person) })
          : t("admin.users.nowAway", { name: personName(person) }));
      } catch (failure) {
        if (!context.alive) return;
        app.telegram.haptic("error");
        toggle.checked = Boolean(person.available);
        error.textContent = i18n.error(failure);
      } finally {
        busy = false;
      }
    });
    return h("div", { class: "admin-switch" },
      h("label", { class: "checkbox", for: id, id: `${id}-label` }, toggle, h("span", {}, t("admin.users.availableLabel"))),
      error);
  }

  const reloadSoon = debounce(() => { if (context.alive) load(true); }, 300);
  search.addEventListener("input", reloadSoon);
  roleFilter.addEventListener("change", () => load(true));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    load(true);
  });

  load(true);
  return h("div", {}, filters, status, listRegion, moreRegion);
}

// --- 4. the role permission table (developers) ---

function permissionsSection(context) {
  const { app, t } = context;
  const status = statusLine(context);
  const region = h("div", { class: "admin-list" });

  function render(roleItems) {
    const roles = roleItems.slice().sort((a, b) => a.level - b.level).map((item) => ({
      role: item.role,
      saved: new Set(item.permissions),
      current: new Set(item.permissions),
      boxes: new Map(),  // permission → checkbox
      button: null,
      error: h("p", { class: "field-error", role: "alert" }),
    }));
    const seen = new Set(roles.flatMap((r) => [...r.saved]));
    const permissions = [...KNOWN_PERMISSIONS, ...[...seen].filter((p) => !KNOWN_PERMISSIONS.includes(p)).sort()];

    const dirty = (entry) => entry.saved.size !== entry.current.size ||
      [...entry.current].some((p) => !entry.saved.has(p));
    const refresh = (entry) => {
      const changed = dirty(entry);
      entry.button.disabled = !changed;
      entry.header.classList.toggle("admin-dirty", changed);
      entry.pending.textContent = changed ? t("admin.permissions.unsaved") : "";
    };

    const body = h("tbody", { role: "rowgroup" });
    const headerRow = h("tr", { role: "row" },
      h("th", { scope: "col", role: "columnheader" }, t("admin.permissions.permission")),
      roles.map((entry) => {
        entry.pending = h("span", { class: "visually-hidden" });
        entry.header = h("th", { scope: "col", role: "columnheader", id: `admin-perm-col-${entry.role}` },
          roleLabel(t, entry.role), entry.pending);
        return entry.header;
      }));
    for (const permission of permissions) {
      body.append(h("tr", { role: "row" },
        h("th", { scope: "row", role: "rowheader" },
          h("span", { class: "admin-perm-label" }, labelOr(t, `admin.perm.${permission}`, permission)),
          h("code", { class: "meta admin-perm-code" }, permission)),
        roles.map((entry) => {
          const locked = entry.role === "developer" && permission === "permissions.manage";
          const box = h("input", { type: "checkbox", value: permission, disabled: locked });
          box.checked = entry.current.has(permission);
          box.dataset.role = entry.role;
          box.addEventListener("change", () => {
            if (box.checked) entry.current.add(permission);
            else entry.current.delete(permission);
            entry.error.textContent = "";
            refresh(entry);
          });
          entry.boxes.set(permission, box);
          return h("td", { role: "cell", class: "admin-perm-cell" },
            h("label", { class: "checkbox", title: locked ? t("admin.permissions.locked") : null },
              box,
              h("span", { class: "admin-perm-role" },
                roleLabel(t, entry.role),
                h("span", { class: "visually-hidden" }, ` — ${labelOr(t, `admin.perm.${permission}`, permission)}`))));
        })));
    }
    const table = h("table", { class: "admin-table admin-perm-table", role: "table" },
      h("caption", { class: "visually-hidden" }, t("admin.permissions.caption")),
      h("thead", { role: "rowgroup" }, headerRow),
      body);

    const save = async (entry) => {
      entry.error.textContent = "";
      entry.button.disabled = true;
      const wanted = permissions.filter((p) => entry.current.has(p));
      try {
        const updated = await app.api.put(`/roles/${encodeURIComponent(entry.role)}/permissions`, { permissions: wanted });
        if (!context.alive) return;
        entry.saved = new Set(updated.permissions ?? wanted);
        entry.current = new Set(entry.saved);
        for (const [permission, box] of entry.boxes) box.checked = entry.current.has(permission);
        refresh(entry);
        succeeded(context, status, t("admin.permissions.saved", { role: roleLabel(t, entry.role) }));
      } catch (failure) {
        if (!context.alive) return;
        app.telegram.haptic("error");
        entry.error.textContent = `${roleLabel(t, entry.role)}: ${i18n.error(failure)}`;
        refresh(entry);
      }
    };
    const actions = h("div", { class: "admin-perm-actions" }, roles.map((entry) => {
      entry.button = h("button", { type: "button", class: "button", disabled: true, onclick: () => save(entry) },
        t("admin.permissions.saveRole", { role: roleLabel(t, entry.role) }));
      return h("div", { class: "admin-perm-action" }, entry.button, entry.error);
    }));
    for (const entry of roles) refresh(entry);

    replace(region,
      h("p", { class: "hint" }, t("admin.permissions.intro")),
      h("div", { class: "admin-table-scroll" }, table),
      h("p", { class: "hint" }, t("admin.permissions.locked")),
      actions);
  }

  loadInto(context, region, () => fetchAll(app.api, "/roles"), render);
  return h("div", {}, status, region);
}

// --- 5. the audit log ---

function auditSection(context) {
  const { app, t } = context;
  const listRegion = h("div", { class: "admin-list" });
  const moreRegion = h("div", { class: "admin-more" });
  const columns = [t("admin.audit.time"), t("admin.audit.actor"), t("admin.audit.action"),
                   t("admin.audit.target"), t("admin.audit.change")];
  let cursor = null;
  let rows = null;

  const person = (ref) => ref
    ? h("span", {}, ref.first_name ?? `#${ref.id}`, ref.username ? h("span", { class: "meta" }, ` @${ref.username}`) : null)
    : null;

  async function load(reset) {
    if (reset) {
      cursor = null;
      rows = null;
      replace(moreRegion);
      listRegion.setAttribute("aria-busy", "true");
      replace(listRegion, h("p", { class: "placeholder", role: "status" }, t("loading")));
    } else {
      replace(moreRegion, h("p", { class: "placeholder", role: "status" }, t("loading")));
    }
    try {
      const page = await app.api.get("/audit", { limit: PAGE_SIZE, cursor: reset ? undefined : cursor });
      if (!context.alive) return;
      listRegion.removeAttribute("aria-busy");
      cursor = page?.next_cursor ?? null;
      const items = page?.items ?? [];
      if (reset) {
        if (!items.length) {
          replace(listRegion, h("p", { class: "empty" }, t("admin.audit.empty")));
        } else {
          rows = dataTable(t("admin.audit.caption"), columns, "admin-audit-table");
          replace(listRegion, rows.table);
        }
      }
      let first = null;
      for (const entry of items) {
        const row = tableRow(rows.columns, [
          h("time", { datetime: entry.created_at, title: entry.created_at }, i18n.date(entry.created_at)),
          person(entry.actor),
          labelOr(t, `admin.audit.actions.${entry.action}`, entry.action),
          person(entry.target),
          changeNode(t, entry),
        ], { dataset: { id: entry.id }, tabindex: reset ? null : "-1" });
        first ??= row;
        rows?.body.append(row);
      }
      replace(moreRegion, cursor
        ? h("button", { type: "button", class: "button secondary wide", onclick: () => load(false) }, t("showMore"))
        : null);
      if (!reset) first?.focus();
    } catch (error) {
      if (!context.alive) return;
      listRegion.removeAttribute("aria-busy");
      if (reset) replace(listRegion, errorNotice(context, error, () => load(true)));
      else replace(moreRegion, errorNotice(context, error, () => load(false)));
    }
  }

  load(true);
  return h("div", {}, listRegion, moreRegion);
}

// "old → new"; a role by its name; a permission change ("helper: a,b,c", as the server
// writes it) as what was added and what was taken away.
function changeNode(t, entry) {
  const text = (value) => {
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value === "string") return entry.action === "role.changed" ? roleLabel(t, value) : value;
    return JSON.stringify(value);
  };
  const setOf = (value) => /^([\w-]+):\s*(.*)$/s.exec(typeof value === "string" ? value : "");
  if (entry.action === "permissions.changed") {
    const before = setOf(entry.old);
    const after = setOf(entry.new);
    if (before && after && before[1] === after[1]) {
      const split = (list) => new Set(list.split(",").map((p) => p.trim()).filter(Boolean));
      const was = split(before[2]);
      const is = split(after[2]);
      const added = [...is].filter((p) => !was.has(p));
      const removed = [...was].filter((p) => !is.has(p));
      return h("div", { class: "admin-change" },
        h("strong", {}, roleLabel(t, after[1])),
        added.map((p) => h("ins", { class: "chip admin-added" },
          h("span", { class: "visually-hidden" }, `${t("admin.audit.added")} `), `+ ${p}`)),
        removed.map((p) => h("del", { class: "chip admin-removed" },
          h("span", { class: "visually-hidden" }, `${t("admin.audit.removed")} `), `− ${p}`)),
        !added.length && !removed.length ? h("span", { class: "meta" }, t("admin.audit.noDifference")) : null);
    }
  }
  return h("div", { class: "admin-change" },
    h("span", { class: "admin-old" }, text(entry.old)), " → ", h("span", { class: "admin-new" }, text(entry.new)));
}
