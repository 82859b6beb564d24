// The server's vocabulary as the app needs it: roles, ticket statuses and priorities, the
// other enumerations and the limits of docs/API.md. One module, imported by views and the
// router alike, so that a value the server adds is added once, and no view has to import
// the router (which imports the views) to ask who is staff.

// The roles in the order of their strict hierarchy, lowest first.
export const ROLES = ["user", "helper", "moderator", "admin", "developer"];
export const STATUSES = ["open", "in_progress", "waiting", "resolved", "closed"];
export const PRIORITIES = ["low", "normal", "high", "critical"];
export const ROUTINGS = ["least_loaded", "manual"];
export const AUTO_REPLY_EVENTS = ["ticket_created", "message"];

// The permissions the server has by default (docs/API.md). The permission table shows
// them even when a developer has taken one away from every role, so it can be given back.
export const PERMISSIONS = [
  "tickets.create", "tickets.view_category", "tickets.take", "tickets.update", "messages.internal",
  "statistics.view", "tickets.view_all", "tickets.assign", "users.view", "users.manage_categories",
  "users.manage_availability", "statistics.view_all", "forecast.view", "tickets.delete",
  "users.manage_roles", "categories.manage", "auto_replies.manage", "reports.export", "audit.view",
  "canned_replies.use", "canned_replies.manage",
  "settings.manage", "permissions.manage",
];

// The placeholders a canned reply may hold (core/canned_reply.hpp), each written {name}.
export const CANNED_PLACEHOLDERS = ["customer_name", "ticket_id", "ticket_subject", "agent_name"];

// Lengths and ranges the server enforces; the forms check them first to say so sooner.
export const LIMITS = {
  subject: 200,
  message: 4096,  // a message, and so an auto-reply's text
  name: 100,      // a category's or an auto-reply's name
  slaMinutes: 525600,  // a year
};

// A role's place in the hierarchy; undefined for a role this app does not know.
export function roleLevel(role) {
  const index = ROLES.indexOf(role);
  return index < 0 ? undefined : index;
}

export function isKnownRole(role) {
  return roleLevel(role) !== undefined;
}

// Whether `role` is `least` or above; an unknown role is below everything.
export function roleAtLeast(role, least) {
  return (roleLevel(role) ?? -1) >= roleLevel(least);
}

// Helpers and everyone above them work tickets; customers only open them.
export function isStaff(user) {
  return roleAtLeast(user?.role, "helper");
}

export function isAdmin(user) {
  return roleAtLeast(user?.role, "admin");
}

export function can(user, permission) {
  return Boolean(user?.permissions?.includes(permission));
}

// A resolved or closed ticket: its creator may reopen it and rate the answer.
export function isFinished(status) {
  return status === "resolved" || status === "closed";
}

// The roles `caller` may give `target`, as the server decides them: never on one's own
// account; a developer any role; anyone else only below their own level, and only to
// someone below it.
export function grantableRoles(caller, target) {
  if (!caller || !target || caller.id === target.id) return [];
  if (caller.role === "developer") return ROLES.slice();
  const own = roleLevel(caller.role);
  if (own === undefined || !(roleLevel(target.role) < own)) return [];
  return ROLES.filter((role) => roleLevel(role) < own);
}

// --- who sees what (roles: settings, administration, customer views)

// The permissions that open an administration section (views/admin.js): the Admin tab is
// there for whoever has one of them, whatever their role is called.
export const ADMIN_PERMISSIONS = [
  "categories.manage", "auto_replies.manage", "users.view", "settings.manage", "permissions.manage", "audit.view",
];

export function hasAdminSection(user) {
  return ADMIN_PERMISSIONS.some((permission) => can(user, permission));
}

// A customer sees only the tickets they opened (neither tickets.view_all nor
// tickets.view_category), as the server decides what to hide from them: the customer's
// wording of statuses and the priorities the settings allow are for them.
export function isCustomerView(user) {
  return Boolean(user) && !can(user, "tickets.view_all") && !can(user, "tickets.view_category");
}

// Whoever works a queue of tickets (helpers and up by default) starts on the Queue.
export function worksQueue(user) {
  return can(user, "tickets.view_category") || can(user, "tickets.view_all");
}

// What the server answers when GET /settings cannot be read: its defaults.
export const DEFAULT_CUSTOMER_SETTINGS = { show_sla: false, show_assignee: false, priorities: ["low", "normal", "high"] };
