// Who is signed in. Inside Telegram the signed initData is exchanged for a session token
// (POST /auth/telegram); the token is kept for the tab's life, so a reload does not sign in
// again. Outside Telegram the login view offers the demo roles (demo mode only).
const TOKEN_KEY = "tb.token";

export class Session {
  constructor(api, realtime) {
    this.api = api;
    this.realtime = realtime;
    this.user = null;  // /auth/me: the User plus its permissions
    this.onChange = () => {};
    this.notice = "";  // shown by the login view (e.g. "session ended")
  }

  async restore() {
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved && (await this.adopt(saved))) return;
    const initData = window.Telegram?.WebApp?.initData;
    if (initData) await this.exchange("/auth/telegram", { init_data: initData });
  }

  // From the login view: signs in, then the app starts over for that person.
  async signIn(path, body) {
    await this.exchange(path, body);
    this.notice = "";
    this.onChange();
  }

  async exchange(path, body) {
    const answer = await this.api.post(path, body);
    if (!(await this.adopt(answer.token))) throw new Error("the new session was refused");
  }

  async adopt(token) {
    this.api.token = token;
    try {
      this.user = await this.api.get("/auth/me");
    } catch (error) {
      this.api.token = null;
      this.user = null;
      if (error.offline) throw error;
      sessionStorage.removeItem(TOKEN_KEY);
      return false;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    this.realtime.start(token);
    return true;
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
    this.api.token = null;
    this.user = null;
    this.notice = notice;
    this.realtime.stop();
    this.onChange();
  }
}
