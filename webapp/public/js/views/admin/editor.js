// The list-and-form section: a table of items, "New …" and an Edit and a Delete button
// per row, one form at a time above the table. Categories and auto-replies are this
// section with their own declaration:
//
//   path        "/categories": GET lists, POST creates, PUT and DELETE at path/{id}
//   strings     the prefix of their texts: add, empty, caption, create, newTitle,
//               editTitle, deleteConfirm, duplicate (a 409 on the name)
//   formId      the form heading's id is admin-{formId}-form-{id or "new"}
//   tableClass  the table's class beside admin-table
//   load()      the items (and whatever else the section keeps for its cells and fields)
//   order       how the list is sorted, if it is; otherwise a new item goes last
//   waitForList "New" stays disabled until the list has loaded (the form needs it)
//   columns     the column names before the actions column; cells(item) fills them
//   fields      what the form edits, in order (see "the form's fields" below)
import { field, h, replace } from "../../dom.js";
import { LIMITS } from "../../domain.js";
import { i18n } from "../../i18n.js";
import { checkboxLabel, dataTable, errorNotice, loadInto, statusLine, succeeded, tableRow } from "./kit.js";

const FOCUSABLE = "input, select, textarea";

export function editorSection(context, spec) {
  const { app, t } = context;
  const text = (name, params) => t(`${spec.strings}.${name}`, params);
  const status = statusLine(context);
  const actionError = h("div", { class: "admin-action-error" });
  const formSlot = h("div", { class: "admin-form-slot" });
  const listRegion = h("div", { class: "admin-list" });
  const addButton = h("button", { type: "button", class: "button", disabled: Boolean(spec.waitForList),
                                  onclick: () => openForm(null) }, text("add"));
  let items = [];
  const editButtons = new Map();  // item id → its Edit button, where the focus returns after saving

  const reload = () => loadInto(context, listRegion, spec.load, (loaded) => {
    items = spec.order ? loaded.sort(spec.order) : loaded;
    addButton.disabled = false;
    renderList();
  });

  function renderList() {
    editButtons.clear();
    if (!items.length) {
      replace(listRegion, h("p", { class: "empty" }, text("empty")));
      return;
    }
    const { table, body, columns } = dataTable(text("caption"), [...spec.columns, t("admin.actions")], spec.tableClass);
    for (const item of items) {
      const actions = rowActions(item);
      body.append(tableRow(columns, [...spec.cells(item), actions], { dataset: { id: item.id } }));
    }
    replace(listRegion, table);
  }

  function rowActions(item) {
    const edit = h("button", {
      type: "button", class: "button secondary", "aria-label": t("admin.editNamed", { name: item.name }),
      onclick: () => openForm(item),
    }, t("admin.edit"));
    const remove = h("button", {
      type: "button", class: "button danger", "aria-label": t("admin.deleteNamed", { name: item.name }),
      onclick: () => removeItem(context, {
        path: `${spec.path}/${item.id}`, item, confirmKey: `${spec.strings}.deleteConfirm`,
        button: remove, actionError, status, reload, onRemoved: () => removed(item),
      }),
    }, t("delete"));
    editButtons.set(item.id, edit);
    return h("div", { class: "row admin-row-actions" }, edit, remove);
  }

  function saved(item) {
    const index = items.findIndex((candidate) => candidate.id === item.id);
    if (index >= 0) items[index] = item;
    else items.push(item);
    if (spec.order) items.sort(spec.order);
    renderList();
    closeForm(editButtons.get(item.id));
    succeeded(context, status, t("admin.savedNamed", { name: item.name }));
  }

  function removed(item) {
    items = items.filter((candidate) => candidate.id !== item.id);
    renderList();
    addButton.focus();
  }

  function closeForm(focusTarget) {
    replace(formSlot);
    addButton.hidden = false;
    (focusTarget ?? addButton).focus();
  }

  function openForm(item) {
    replace(actionError);
    const editing = Boolean(item);
    const { controls, fields } = makeFields(spec.fields, item, items);
    const formError = h("div", { role: "alert" });
    const submit = h("button", { type: "submit", class: "button" }, editing ? t("save") : text("create"));
    const cancel = h("button", { type: "button", class: "button secondary",
                                 onclick: () => closeForm(editing ? editButtons.get(item.id) : addButton) }, t("cancel"));
    const headingId = `admin-${spec.formId}-form-${item?.id ?? "new"}`;
    const form = h("form", { class: "card admin-form", novalidate: true, "aria-labelledby": headingId },
      h("h3", { id: headingId }, editing ? text("editTitle", { name: item.name }) : text("newTitle")),
      layout(spec.fields, controls, fields),
      formError,
      h("div", { class: "row" }, submit, cancel));

    clearErrorsOnEdit(fields, formError);
    handleSubmit(context, {
      form, submit, fields, formError,
      validate: () => validate(spec.fields, controls, fields, formError),
      save: (payload) => (editing ? app.api.put(`${spec.path}/${item.id}`, payload) : app.api.post(spec.path, payload)),
      onSaved: saved,
      patterns: fieldPatterns(spec.fields),
      conflict: { field: "name", text: text("duplicate") },
    });

    addButton.hidden = true;
    replace(formSlot, form);
    controls[spec.fields[0].key].focus();
  }

  reload();
  return h("div", {},
    h("div", { class: "row admin-toolbar" }, addButton, status),
    actionError, formSlot, listRegion);
}

// --- the form's fields ---
//
// A field is {key, label, hint?, control(item, items), read?(control, controls), wide?,
// checkbox?, pattern?}: `control` makes the input holding the item's value (or a new
// item's), `read` turns it into {value} for the payload or {error} to show beside it
// (default: the control's value). Narrow fields and checkboxes share the grid; wide ones
// follow it. `pattern` finds the field in a server error (default: its key as a word).

// → {controls, fields}: key → control, and key → field wrapper (label, hint, showError)
// for all but the checkboxes, which sit in the grid with their own label.
function makeFields(declaredFields, item, items) {
  const controls = {};
  const fields = {};
  for (const declared of declaredFields) {
    controls[declared.key] = declared.control(item, items);
    if (!declared.checkbox) fields[declared.key] = field(declared.label, controls[declared.key], declared.hint);
  }
  return { controls, fields };
}

function layout(declaredFields, controls, fields) {
  const node = (declared) => (declared.checkbox
    ? h("div", { class: "field admin-field-check" }, checkboxLabel(controls[declared.key], declared.label))
    : fields[declared.key]);
  return [
    h("div", { class: "admin-form-grid" }, declaredFields.filter((declared) => !declared.wide).map(node)),
    declaredFields.filter((declared) => declared.wide).map(node),
  ];
}

function fieldPatterns(declaredFields) {
  return Object.fromEntries(declaredFields.filter((declared) => !declared.checkbox).map((declared) =>
    [declared.key, declared.pattern ?? new RegExp(`\\b${declared.key}\\b`)]));
}

// --- fields both sections have, and readers for the others ---

// The name every item has: required, at most LIMITS.name long, unique (a 409 names it).
export function nameField(t, label) {
  return {
    key: "name", label, read: requiredText(t, LIMITS.name),
    control: (item) => holding(h("input", { type: "text", maxlength: LIMITS.name, autocomplete: "off", required: true }),
                               item?.name ?? ""),
  };
}

// Whether the item is in use; a new one is.
export function activeField(label) {
  return {
    key: "active", label, checkbox: true,
    control: (item) => holding(h("input", { type: "checkbox" }), item ? Boolean(item.active) : true, "checked"),
  };
}

// The trimmed text, required and at most `max` characters long.
export function requiredText(t, max) {
  return (control) => {
    const value = control.value.trim();
    if (!value) return { error: t("admin.error.required") };
    if (value.length > max) return { error: t("admin.error.tooLong", { max }) };
    return { value };
  };
}

// A whole number in [min, max], or `empty` when nothing is typed. A number input holding
// something that is no number at all has an empty value, so badInput tells it from blank.
export function integerIn({ min = -Infinity, max = Infinity, empty, error }) {
  return (control) => {
    if (control.validity?.badInput) return { error };
    if (control.value.trim() === "") return { value: empty };
    const value = Number(control.value);
    return Number.isInteger(value) && value >= min && value <= max ? { value } : { error };
  };
}

// A control already holding `value` (a property, so it must be set after creation).
export function holding(control, value, property = "value") {
  control[property] = value;
  return control;
}

// --- validation, saving and deleting ---

function read(declared, control, controls) {
  if (declared.read) return declared.read(control, controls);
  return { value: declared.checkbox ? control.checked : control.value };
}

// Every field's error beside it, the focus on the first → the payload, or null.
function validate(declaredFields, controls, fields, formError) {
  for (const wrapper of Object.values(fields)) wrapper.showError("");
  replace(formError);
  const payload = {};
  const refused = [];
  for (const declared of declaredFields) {
    const { value, error } = read(declared, controls[declared.key], controls);
    if (error) {
      fields[declared.key].showError(error);
      refused.push(declared.key);
    } else {
      payload[declared.key] = value;
    }
  }
  if (!refused.length) return payload;
  fields[refused[0]].querySelector(FOCUSABLE).focus();
  return null;
}

// A field's error goes once the person changes that field.
function clearErrorsOnEdit(fields, formError) {
  for (const wrapper of Object.values(fields)) {
    const control = wrapper.querySelector(FOCUSABLE);
    const clear = () => {
      wrapper.showError("");
      replace(formError);
    };
    control.addEventListener("input", clear);
    control.addEventListener("change", clear);
  }
}

// Saves `form` on submit, one request at a time: `save(payload)` is the POST or PUT,
// `onSaved(saved)` updates the section; the server's errors go next to the fields
// `patterns` names (a 409 to `conflict`).
function handleSubmit(context, { form, submit, validate: check, save, onSaved, fields, formError, patterns, conflict }) {
  let saving = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (saving) return;
    const payload = check();
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
      showServerError(context, error, { fields, formError, patterns, conflict });
    } finally {
      saving = false;
      submit.disabled = false;
    }
  });
}

// Puts what the server said about a refused form next to the field it names (its message
// starts with the field, "sla_minutes must be …"), or above the buttons otherwise.
function showServerError(context, error, { fields, formError, patterns, conflict }) {
  context.app.telegram.haptic("error");
  const blame = (key, text) => {
    fields[key].showError(text);
    fields[key].querySelector(FOCUSABLE)?.focus();
  };
  if (error?.code === "conflict" && conflict && fields[conflict.field]) {
    blame(conflict.field, conflict.text);
    return;
  }
  if (error?.code === "invalid_request") {
    const named = Object.keys(patterns).find((key) => patterns[key].test(error.message ?? "") && fields[key]);
    if (named) {
      blame(named, i18n.error(error));
      return;
    }
  }
  replace(formError, h("p", { class: "notice error" }, i18n.error(error)));
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
