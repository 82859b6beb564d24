// Who is signed in. Inside Telegram the signed initData is exchanged for a session token
// (POST /auth/telegram); the token is kept for the tab's life, so a reload does not sign in
// again. Outside Telegram the login view offers Telegram's Login Widget (staff on a
// desktop browser), which sends the person back here with its signed fields in the query
// string (POST /auth/telegram-login), and the demo roles (demo mode only).
import { telegram } from "./telegram.js";

const TOKEN_KEY = "tb.token";

// What Telegram's Login Widget appends to data-auth-url (redirect mode).
const WIDGET_FIELDS = ["id", "first_name", "last_name", "username", "photo_url", "auth_date", "hash"];

export class Session {
  constructor(api, realtime) {
    this.api = api;
    this.realtime = realtime;
    this.user = null;  // /auth/me: the User plus its permissions
    this.onChange = () => {};
    this.notice = "";  // shown by the login view (e.g. "session ended")
    this.failure = null;  // why the Login Widget's fields were refused (an ApiError), for the login view
  }

  async restore() {
    const widget = takeWidgetFields();
    if (widget) {
      try {
        await this.exchange("/auth/telegram-login", widget);
      } catch (error) {
        this.failure = error;
      }
      return;
    }
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved && (await this.adopt(saved))) return;
    // From the address at once when Telegram just opened the app, else from its script.
    let initData = telegram.initData;
    if (!initData) {
      await telegram.loaded;
      initData = telegram.initData;
    }
    if (initData) await this.exchange("/auth/telegram", { init_data: initData });
  }

  // From the login view: signs in, then the app starts over for that person.
  async signIn(path, body) {
    await this.exchange(path, body);
    this.notice = "";
    this.failure = null;
    this.onChange();
  }

  async exchange(path, body) {
    const answer = await this.api.post(path, body);
    // The login answers with the person and their permissions, as /auth/me does: no second
    // round trip (a server of before this answer had no permissions: ask as before).
    if (Array.isArray(answer.user?.permissions)) {
      this.use(answer.token, answer.user);
      return;
    }
    if (!(await this.adopt(answer.token))) throw new Error("the new session was refused");
  }

  async adopt(token) {
    this.api.token = token;
    let user;
    try {
      user = await this.api.get("/auth/me");
    } catch (error) {
      this.api.token = null;
      this.user = null;
      if (error.offline) throw error;
      sessionStorage.removeItem(TOKEN_KEY);
      return false;
    }
    this.use(token, user);
    return true;
  }

  use(token, user) {
    this.api.token = token;
    this.user = user;
    sessionStorage.setItem(TOKEN_KEY, token);
    this.realtime.start(token);
  }

  can(permission) {
    return this.user?.permissions?.includes(permission) ?? false;
  }

  async logout() {
    await this.api.post("/auth/logout").catch(() => {});
    this.clear("");
  }

  // The server refused our token (expired, revoked): back to the login.
  expired() {
    if (!this.user) return;
    this.clear("login.expired");
  }

  clear(notice) {
    sessionStorage.removeItem(TOKEN_KEY);
    this.failure = null;
    this.api.token = null;
    this.user = null;
    this.notice = notice;
    this.realtime.stop();
    this.onChange();
  }
}

// The Login Widget's fields when Telegram has just sent the person back (id, auth_date and
// hash at least), removed from the address bar at once so that neither a reload nor a
// copied link carries them; other query parameters stay. null when there are none.
function takeWidgetFields() {
  const url = new URL(location.href);
  const query = url.searchParams;
  if (!query.has("id") || !query.has("auth_date") || !query.has("hash")) return null;
  const fields = {};
  for (const name of WIDGET_FIELDS) {
    if (query.has(name)) fields[name] = query.get(name);
    query.delete(name);
  }
  const rest = query.toString();
  history.replaceState(history.state, "", `${url.pathname}${rest ? `?${rest}` : ""}${url.hash}`);
  return fields;
}
