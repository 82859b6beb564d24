// The queue's filters: their defaults (the active tickets, by last activity), what each means
// as a GET /tickets query, and keeping them per person across launches — in Telegram's
// CloudStorage (Bot API 6.9) when the app runs inside Telegram, so they follow the person to
// another device, and in localStorage always (outside Telegram, and as the quick copy).
import { PRIORITIES, STATUSES } from "../domain.js";

export const ACTIVE_STATUSES = ["open", "in_progress", "waiting"];
export const SORTS = ["last_activity", "priority", "sla_due", "created_at"];
export const SCOPES = ["mine", "unassigned", "all"];

// CloudStorage keys: 1-128 characters of A-Z a-z 0-9 _ -; values up to 4096 characters.
const CLOUD_KEY = "queue_filters_v1";
const CLOUD_WAIT_MS = 1_500;

export function defaultFilters() {
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

// The person's saved filters: Telegram's copy when it answers in time, else this device's.
export async function loadFilters(userId) {
  let local = null;
  try {
    local = parse(localStorage.getItem(localKey(userId)));
  } catch {
    // Storage refused (private mode, a sandboxed frame): the defaults, or Telegram's copy.
  }
  const cloud = cloudStorage();
  if (cloud) {
    const stored = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), CLOUD_WAIT_MS);
      try {
        cloud.getItem(CLOUD_KEY, (error, value) => {
          clearTimeout(timer);
          resolve(error ? null : parse(value));
        });
      } catch {
        clearTimeout(timer);
        resolve(null);
      }
    });
    if (stored) return cleanFilters(stored);
  }
  return cleanFilters(local);
}

export function saveFilters(userId, filters) {
  const { q, ...kept } = filters;  // the search text is for now, not for the next launch
  const text = JSON.stringify(kept);
  try {
    localStorage.setItem(localKey(userId), text);
  } catch {
    // Storage full or refused (private mode): the filters last this launch only.
  }
  try {
    cloudStorage()?.setItem(CLOUD_KEY, text, () => {});
  } catch {
    // Telegram refused (an old client): this device's copy still holds them.
  }
}
