// The role permission table (developers): a checkbox per permission and role, saved one
// role at a time, so that a change to one role never carries unsaved ticks of another.
import { h, replace } from "../../dom.js";
import { PERMISSIONS } from "../../domain.js";
import { i18n } from "../../i18n.js";
import { fetchAll, labelOr, loadInto, roleLabel, statusLine, succeeded } from "./kit.js";

export default function permissionsSection(context) {
  const { app } = context;
  const status = statusLine(context);
  const region = h("div", { class: "admin-list" });
  loadInto(context, region, () => fetchAll(app.api, "/roles"), (roleItems) => render(context, region, status, roleItems));
  return h("div", {}, status, region);
}

function render(context, region, status, roleItems) {
  const { t } = context;
  const roles = roleItems.slice().sort((a, b) => a.level - b.level).map((item) => ({
    role: item.role,
    saved: new Set(item.permissions),
    current: new Set(item.permissions),
    boxes: new Map(),  // permission → checkbox
    error: h("p", { class: "field-error", role: "alert" }),
  }));
  // The known ones first, in their order, then any the server has that this app does not.
  const seen = new Set(roles.flatMap((entry) => [...entry.saved]));
  const permissions = [...PERMISSIONS, ...[...seen].filter((p) => !PERMISSIONS.includes(p)).sort()];

  const table = h("table", { class: "admin-table admin-perm-table", role: "table" },
    h("caption", { class: "visually-hidden" }, t("admin.permissions.caption")),
    h("thead", { role: "rowgroup" }, headerRow(t, roles)),
    h("tbody", { role: "rowgroup" }, permissions.map((permission) =>
      h("tr", { role: "row" },
        h("th", { scope: "row", role: "rowheader" },
          h("span", { class: "admin-perm-label" }, labelOr(t, `admin.perm.${permission}`, permission)),
          h("code", { class: "meta admin-perm-code" }, permission)),
        roles.map((entry) => permissionCell(t, entry, permission))))));
  const actions = h("div", { class: "admin-perm-actions" }, roles.map((entry) => {
    entry.button = h("button", { type: "button", class: "button", disabled: true, onclick: () => save(context, status, entry, permissions) },
      t("admin.permissions.saveRole", { role: roleLabel(t, entry.role) }));
    return h("div", { class: "admin-perm-action" }, entry.button, entry.error);
  }));
  for (const entry of roles) refresh(t, entry);

  replace(region,
    h("p", { class: "hint" }, t("admin.permissions.intro")),
    h("div", { class: "admin-table-scroll" }, table),
    h("p", { class: "hint" }, t("admin.permissions.locked")),
    actions);
}

// A column per role; its header says (to screen readers) when the column has unsaved ticks.
function headerRow(t, roles) {
  return h("tr", { role: "row" },
    h("th", { scope: "col", role: "columnheader" }, t("admin.permissions.permission")),
    roles.map((entry) => {
      entry.pending = h("span", { class: "visually-hidden" });
      entry.header = h("th", { scope: "col", role: "columnheader", id: `admin-perm-col-${entry.role}` },
        roleLabel(t, entry.role), entry.pending);
      return entry.header;
    }));
}

// A developer cannot take permissions.manage from developers: nobody could give it back.
function permissionCell(t, entry, permission) {
  const locked = entry.role === "developer" && permission === "permissions.manage";
  const box = h("input", { type: "checkbox", value: permission, disabled: locked });
  box.checked = entry.current.has(permission);
  box.dataset.role = entry.role;
  box.addEventListener("change", () => {
    if (box.checked) entry.current.add(permission);
    else entry.current.delete(permission);
    entry.error.textContent = "";
    refresh(t, entry);
  });
  entry.boxes.set(permission, box);
  return h("td", { role: "cell", class: "admin-perm-cell" },
    h("label", { class: "checkbox", title: locked ? t("admin.permissions.locked") : null },
      box,
      h("span", { class: "admin-perm-role" },
        roleLabel(t, entry.role),
        h("span", { class: "visually-hidden" }, ` — ${labelOr(t, `admin.perm.${permission}`, permission)}`))));
}

function dirty(entry) {
  return entry.saved.size !== entry.current.size || [...entry.current].some((p) => !entry.saved.has(p));
}

// The role's Save button is enabled, and its column marked, while it has unsaved ticks.
function refresh(t, entry) {
  const changed = dirty(entry);
  entry.button.disabled = !changed;
  entry.header.classList.toggle("admin-dirty", changed);
  entry.pending.textContent = changed ? t("admin.permissions.unsaved") : "";
}

async function save(context, status, entry, permissions) {
  const { app, t } = context;
  entry.error.textContent = "";
  entry.button.disabled = true;
  const wanted = permissions.filter((p) => entry.current.has(p));
  try {
    const updated = await app.api.put(`/roles/${encodeURIComponent(entry.role)}/permissions`, { permissions: wanted });
    if (!context.alive) return;
    entry.saved = new Set(updated.permissions ?? wanted);
    entry.current = new Set(entry.saved);
    for (const [permission, box] of entry.boxes) box.checked = entry.current.has(permission);
    refresh(t, entry);
    succeeded(context, status, t("admin.permissions.saved", { role: roleLabel(t, entry.role) }));
  } catch (failure) {
    if (!context.alive) return;
    app.telegram.haptic("error");
    entry.error.textContent = `${roleLabel(t, entry.role)}: ${i18n.error(failure)}`;
    refresh(t, entry);
  }
}
