// Russian and English. Every string the app shows lives in strings/en.js and strings/ru.js
// (the same keys in both); views ask for them by key with t("key", {name: value}).
import en from "./strings/en.js";
import ru from "./strings/ru.js";

const dictionaries = { en, ru };
const STORAGE_KEY = "tb.language";
// The API's error codes (docs/API.md) and "network" (no answer at all); any other code,
// or an exception that is no ApiError, is error.generic.
const ERROR_KEYS = {
  network: "error.network",
  invalid_request: "error.invalid",
  unauthorized: "error.unauthorized",
  forbidden: "error.forbidden",
  not_found: "error.notFound",
  conflict: "error.conflict",
  payload_too_large: "error.tooLarge",
  rate_limited: "error.rateLimited",
  internal: "error.internal",
  method_not_allowed: "error.generic",
  unsupported_media_type: "error.generic",
  not_implemented: "error.generic",
  insufficient_storage: "error.storageFull",
  unavailable: "error.unavailable",
};

export const i18n = {
  language: "en",

  // From an explicit choice made earlier, else Telegram's language_code or the browser's.
  choose(preferred) {
    const saved = localStorage.getItem(STORAGE_KEY);
    const wanted = saved || String(preferred || "en").slice(0, 2).toLowerCase();
    this.language = wanted in dictionaries ? wanted : "en";
  },

  set(language) {
    if (!(language in dictionaries)) return;
    this.language = language;
    localStorage.setItem(STORAGE_KEY, language);
  },

  t(key, params = {}) {
    const text = dictionaries[i18n.language][key] ?? dictionaries.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
  },

  // A failed request in the person's words, chosen by its code (api.js ApiError); the
  // server's own message is English for developers and never shown. `keys` puts a view's
  // own sentence for a code ({not_found: "ticket.notFound"}), `params` fills it in.
  error(error, keys = {}, params = {}) {
    const code = error?.code;
    // Own properties only: a code such as "constructor" is unknown, not Object's.
    const own = (table) => (typeof code === "string" && Object.hasOwn(table, code) ? table[code] : undefined);
    const key = own(keys) ?? own(ERROR_KEYS) ?? "error.generic";
    return i18n.t(key, { seconds: error?.retryAfter ?? 5, ...params });
  },

  // "3 messages" / "3 сообщения": keys end in .one/.few/.many (Russian) or .one/.other.
  plural(key, count) {
    const rule = formatter(Intl.PluralRules).select(count);
    const forms = dictionaries[i18n.language];
    const form = `${key}.${rule}` in forms ? rule : "other";
    return i18n.t(`${key}.${form}`, { count });
  },

  date(iso) {
    if (!iso) return "";
    return formatter(Intl.DateTimeFormat, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
  },

  time(iso) {
    if (!iso) return "";
    return formatter(Intl.DateTimeFormat, { timeStyle: "short" }).format(new Date(iso));
  },

  // "5 min ago", "yesterday".
  relative(iso) {
    if (!iso) return "";
    const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
    const format = formatter(Intl.RelativeTimeFormat, { numeric: "auto" });
    const units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600],
                   ["minute", 60]];
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
    }
    return format.format(0, "minute");
  },
};

// One Intl formatter per kind, language and options, made once: making one costs far more
// than using it (a list of 50 tickets asked for 100 of them, a tenth of a second on a slow
// phone).
const formatters = new Map();
function formatter(Kind, options = {}) {
  const key = `${Kind.name} ${i18n.language} ${JSON.stringify(options)}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Kind(i18n.language, options);
    formatters.set(key, made);
  }
  return made;
}
