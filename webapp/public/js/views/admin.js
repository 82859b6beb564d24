// Administration: categories, auto-replies, users and their roles, what customers see, the
// role permission table and the audit log, one module each under admin/. The home of the
// view lists the sections the caller may use — by permission, never by role name, so a
// moderator (users.view) manages helpers' categories and availability here, and a role
// given a permission gets its screen; each section is the same view with params.section,
// pushed on the router's stack so that Back returns to the list.
//
// The server decides every right again; the checks here only keep controls that would
// be refused off the screen. Everything a person typed is put in as text (dom.js `h`).
import { h } from "../dom.js";
import { can } from "../domain.js";
import { i18n } from "../i18n.js";
import auditSection from "./admin/audit.js";
import autoRepliesSection from "./admin/auto_replies.js";
import cannedRepliesSection from "./admin/canned_replies.js";
import categoriesSection from "./admin/categories.js";
import customerSettingsSection from "./admin/customer_settings.js";
import { createContext } from "./admin/kit.js";
import permissionsSection from "./admin/permissions.js";
import usersSection from "./admin/users.js";

const SECTIONS = [
  { id: "categories", key: "categories", allowed: (user) => can(user, "categories.manage"), build: categoriesSection },
  { id: "auto-replies", key: "autoReplies", allowed: (user) => can(user, "auto_replies.manage"), build: autoRepliesSection },
  { id: "canned-replies", key: "cannedReplies", allowed: (user) => can(user, "canned_replies.manage"), build: cannedRepliesSection },
  { id: "users", key: "users", allowed: (user) => can(user, "users.view"), build: usersSection },
  { id: "customers", key: "customers", allowed: (user) => can(user, "settings.manage"), build: customerSettingsSection },
  { id: "permissions", key: "permissions", allowed: (user) => can(user, "permissions.manage"), build: permissionsSection },
  { id: "audit", key: "audit", allowed: (user) => can(user, "audit.view"), build: auditSection },
];

export default function adminView(app, params = {}) {
  const t = i18n.t;
  const context = createContext(app);
  const available = SECTIONS.filter((section) => section.allowed(context.user));
  const section = available.find((candidate) => candidate.id === params.section);
  const dispose = () => context.dispose();

  if (!section) return { title: t("admin.title"), node: homeNode(context, available), dispose };
  const title = t(`admin.section.${section.key}`);
  const node = h("section", { class: `admin admin-${section.id}`, "aria-labelledby": "admin-section-title" },
    h("h2", { class: "visually-hidden", id: "admin-section-title" }, title),
    section.build(context));
  return { title, node, dispose };
}

// The home: a button for each section this person may open.
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
