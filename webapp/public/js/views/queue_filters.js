// The queue's filters: their defaults (the active tickets, by last activity), what each means
// as a GET /tickets query, and keeping them per person across launches — in Telegram's
// CloudStorage (Bot API 6.9) when the app runs inside Telegram, so they follow the person to
// another device, and in localStorage always (outside Telegram, and as the quick copy).
import { PRIORITIES, STATUSES } from "../domain.js";
import { telegram } from "../telegram.js";

export const ACTIVE_STATUSES = ["open", "in_progress", "waiting"];
export const SORTS = ["last_activity", "priority", "sla_due", "created_at"];
export const SCOPES = ["mine", "unassigned", "all"];

// CloudStorage keys: 1-128 characters of A-Z a-z 0-9 _ -; values up to 4096 characters.
const CLOUD_KEY = "queue_filters_v1";

function defaultFilters() {
  return { scope: "all", assignee: "", statuses: [...ACTIVE_STATUSES], priority: "",
           category_id: "", sort: "last_activity", q: "" };
}

// Whatever was stored (another version, another device, hand-edited) becomes valid filters.
export function cleanFilters(stored) {
  const filters = defaultFilters();
  if (!stored || typeof stored !== "object") return filters;
  if (SCOPES.includes(stored.scope)) filters.scope = stored.scope;
  if (/^\d+$/.test(String(stored.assignee ?? ""))) filters.assignee = String(stored.assignee);
  if (Array.isArray(stored.statuses)) {
    filters.statuses = STATUSES.filter((status) => stored.statuses.includes(status));
  }
  if (PRIORITIES.includes(stored.priority)) filters.priority = stored.priority;
  if (/^\d+$/.test(String(stored.category_id ?? ""))) filters.category_id = String(stored.category_id);
  if (SORTS.includes(stored.sort)) filters.sort = stored.sort;
  return filters;
}

// The GET /tickets query for `filters` (search text aside, which is never saved).
export function listQuery(filters) {
  const searching = filters.q.trim() !== "";
  let assignee;
  if (filters.assignee) assignee = filters.assignee;
  else if (filters.scope === "mine") assignee = "me";
  else if (filters.scope === "unassigned") assignee = "none";
  return {
    assignee_id: assignee,
    // A search looks through every status (the ticket asked about is often closed) and is
    // ranked by the server, best match first.
    status: searching || filters.statuses.length === 0 || filters.statuses.length === STATUSES.length
      ? undefined : filters.statuses.join(","),
    priority: filters.priority, category_id: filters.category_id,
    sort: searching ? undefined : filters.sort,
    q: filters.q.trim(),
  };
}

function cloudStorage() {
  const webApp = window.Telegram?.WebApp;
  if (!webApp?.initData || !webApp.CloudStorage || !webApp.isVersionAtLeast?.("6.9")) return null;
  if ((webApp.platform ?? "unknown") === "unknown") return null;  // a plain browser: no Telegram to ask
  return webApp.CloudStorage;
}

function localKey(userId) {
  return `tb.queue.filters.${userId}`;
}

function parse(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function readLocal(userId) {
  try {
    return parse(localStorage.getItem(localKey(userId)));
  } catch {
    return null;  // storage refused (private mode, a sandboxed frame): the defaults
  }
}

function writeLocal(userId, text) {
  try {
    localStorage.setItem(localKey(userId), text);
  } catch {
    // Storage full or refused (private mode): the filters last this launch only.
  }
}

function readCloud(cloud) {
  return new Promise((resolve) => {
    try {
      cloud.getItem(CLOUD_KEY, (error, value) => resolve(error ? null : parse(value)));
    } catch {
      resolve(null);  // an old client that refuses the call
    }
  });
}

// The person's saved filters. `filters` is this device's copy (or the defaults), at once: the
// first page must not wait on Telegram, which may take a second or never answer. `later`
// resolves to Telegram's copy when it differs (the person chose on another device; it is then
// kept here too), else to null.
export function loadFilters(userId) {
  const filters = cleanFilters(readLocal(userId));
  // The queue may be drawn before Telegram's script has run: its CloudStorage comes with it.
  const later = telegram.loaded.then(() => {
    const cloud = cloudStorage();
    return cloud ? readCloud(cloud) : null;
  }).then((stored) => {
    if (!stored) return null;
    const fromCloud = cleanFilters(stored);
    const text = JSON.stringify(fromCloud);
    if (text === JSON.stringify(filters)) return null;
    writeLocal(userId, text);
    return fromCloud;
  });
  return { filters, later };
}

export function saveFilters(userId, filters) {
  const { q, ...kept } = filters;  // the search text is for now, not for the next launch
  const text = JSON.stringify(kept);
  writeLocal(userId, text);
  try {
    cloudStorage()?.setItem(CLOUD_KEY, text, () => {});
  } catch {
    // Telegram refused (an old client): this device's copy still holds them.
  }
}
