// Telegram's WebApp object, when the page runs inside Telegram (or was opened with
// #tgWebAppData=… as Telegram opens it). Outside, every call is a harmless no-op, so the
// rest of the app never asks where it runs.
//
// Telegram's script is loaded `async` (below), so that it never holds up the first paint.
// Until it has run, what Telegram put in the address (#tgWebAppData=…, the signed launch
// data) is read from there, so that the sign-in can start at once; `loaded` resolves once
// the script has run (or failed to load), and whatever needs the WebApp object itself (its
// buttons, the theme) waits for that.
import { assetUrl } from "./dom.js";
import { theme } from "./theme.js";

let webApp = window.Telegram?.WebApp;
const closingHolders = new Set();
const swipeHolders = new Set();

// What Telegram appended to the address at launch (#tgWebAppData=…&tgWebAppPlatform=…).
const launch = new URLSearchParams(location.hash.slice(1));
const launchData = new URLSearchParams(launch.get("tgWebAppData") ?? "");
const launchUser = (() => {
  try {
    return JSON.parse(launchData.get("user") ?? "null");
  } catch {
    return null;
  }
})();

// The theme Telegram put in the address (or, after a reload, the copy its script keeps in
// sessionStorage), at once: the first paint already has its colours. start() takes them
// again from the script, with its colour scheme.
if (!webApp) {
  try {
    const saved = launch.get("tgWebAppThemeParams") ?? sessionStorage.getItem("__telegram__themeParams");
    if (saved) theme.useTelegram(JSON.parse(saved));
  } catch {
    // Not JSON, or no storage: the system's colours until the script gives Telegram's.
  }
}

// Telegram's script, added here rather than by a <script> in the page, so that its load or
// error cannot pass before anyone listens (index.html preloads it: it is on its way from the
// start). Async: nothing waits for it but what needs it.
let scriptSettled = Boolean(webApp);
const loaded = new Promise((resolve) => {
  if (webApp) {
    resolve();
    return;
  }
  const done = () => {
    webApp = window.Telegram?.WebApp;
    scriptSettled = true;
    resolve();
  };
  const script = document.createElement("script");
  script.async = true;
  script.src = assetUrl("vendor/telegram-web-app.js");
  script.addEventListener("load", done, { once: true });
  script.addEventListener("error", done, { once: true });
  document.head.append(script);
});

export const telegram = {
  // Resolves once Telegram's script has run (or could not be loaded); `settled` says so at once.
  loaded,
  get settled() {
    return scriptSettled;
  },

  // Signed launch data; empty outside Telegram.
  get initData() {
    return webApp?.initData || launch.get("tgWebAppData") || "";
  },
  get user() {
    return webApp?.initDataUnsafe?.user ?? launchUser;
  },
  get startParam() {
    return webApp?.initDataUnsafe?.start_param ?? launchData.get("start_param") ??
      new URLSearchParams(location.search).get("startapp") ?? "";
  },
  get inside() {
    return Boolean(this.initData);
  },
  // Telegram draws the Main and Back buttons itself. A plain browser opened with
  // #tgWebAppData (the tests) has the data but no such buttons: the page draws its own.
  get nativeButtons() {
    return Boolean(webApp) && (webApp.platform ?? "unknown") !== "unknown";
  },
  get language() {
    return this.user?.language_code ?? "";
  },

  // Once Telegram's script is there: tells Telegram the app is ready, takes the whole
  // height, and takes Telegram's theme (and every later change of it).
  async start() {
    await loaded;
    if (!webApp) return;
    webApp.ready();
    webApp.expand();
    applyTelegramTheme();
    webApp.onEvent("themeChanged", applyTelegramTheme);
  },

  // The primary action of a view (send, create) on Telegram's MainButton; views draw
  // their own button when nativeButtons is false.
  setMainButton(text, onClick) {
    if (!this.nativeButtons || !webApp.MainButton) return () => {};
    const button = webApp.MainButton;
    button.setText(text);
    button.onClick(onClick);
    button.show();
    return () => {
      button.offClick(onClick);
      button.hide();
    };
  },

  // The state of the MainButton that setMainButton put up, as the view's state changes:
  // `visible` (hidden where there is nothing to do), `enabled` (nothing to send yet), and the
  // spinner while the action runs (`progress`). A field left out stays as it is.
  updateMainButton({ text, visible, enabled, progress } = {}) {
    const button = webApp?.MainButton;
    if (!this.nativeButtons || !button) return;
    if (progress === false && button.isProgressVisible) button.hideProgress();
    const params = {};
    if (text !== undefined) params.text = text;
    if (visible !== undefined) params.is_visible = visible;
    if (enabled !== undefined) params.is_active = enabled;
    button.setParams(params);
    if (progress === true && !button.isProgressVisible) button.showProgress(false);
  },

  // Telegram asks before closing the app while any holder (a view with an unsent draft,
  // named by `key`) needs it (Bot API 6.2).
  needClosingConfirmation(key, needed) {
    if (needed) closingHolders.add(key);
    else closingHolders.delete(key);
    if (!this.nativeButtons || !webApp.isVersionAtLeast?.("6.2")) return;
    if (closingHolders.size > 0) webApp.enableClosingConfirmation();
    else webApp.disableClosingConfirmation();
  },

  // Telegram's swipe down to minimise or close is off while any holder (a scrolled chat,
  // named by `key`) keeps it off, so that scrolling back up does not close the app (Bot API 7.7).
  holdVerticalSwipes(key, held) {
    if (held) swipeHolders.add(key);
    else swipeHolders.delete(key);
    if (!this.nativeButtons || !webApp.isVersionAtLeast?.("7.7")) return;
    if (swipeHolders.size > 0) webApp.disableVerticalSwipes();
    else webApp.enableVerticalSwipes();
  },

  // Opens a link the way Telegram wants it: t.me links inside Telegram, other web links in
  // its browser. False when the page should follow the link itself (outside Telegram, or
  // another scheme).
  openLink(url) {
    if (!this.nativeButtons) return false;
    const target = new URL(url, location.href);
    if (target.protocol !== "http:" && target.protocol !== "https:") return false;
    if (target.hostname === "t.me" && webApp.openTelegramLink) webApp.openTelegramLink(target.href);
    else if (webApp.openLink) webApp.openLink(target.href);
    else return false;
    return true;
  },

  setBackButton(onClick) {
    const button = webApp?.BackButton;
    if (!this.nativeButtons || !button) return () => {};
    button.onClick(onClick);
    button.show();
    return () => {
      button.offClick(onClick);
      button.hide();
    };
  },

  // Telegram's Settings item in the Mini App's menu (Bot API 6.10+): shows it and calls
  // `onClick` when chosen; returns the function that hides it again. False outside
  // Telegram or in an older one, where the page shows a control of its own instead.
  setSettingsButton(onClick) {
    const button = webApp?.SettingsButton;
    if (!this.nativeButtons || !button || !webApp.isVersionAtLeast?.("6.10")) return false;
    button.onClick(onClick);
    button.show();
    return () => {
      button.offClick(onClick);
      button.hide();
    };
  },

  // Calls `callback` after the colours changed: Telegram's theme, or outside Telegram the
  // system's light/dark (the CSS variables hold the new colours by then); returns the
  // function that stops it.
  onThemeChanged(callback) {
    return theme.onChange(() => callback());
  },

  // Hands a file download to Telegram (Bot API 8.0's downloadFile), which a Mini App
  // needs for it; false outside Telegram or in an older one, where a link does it.
  downloadFile(url, fileName) {
    if (!this.nativeButtons || !webApp.downloadFile || !webApp.isVersionAtLeast?.("8.0")) return false;
    webApp.downloadFile({ url, file_name: fileName });
    return true;
  },

  haptic(kind = "light") {
    const feedback = webApp?.HapticFeedback;
    if (!feedback) return;
    if (kind === "success" || kind === "error" || kind === "warning") {
      feedback.notificationOccurred(kind);
    } else {
      feedback.impactOccurred(kind);
    }
  },

  confirm(text) {
    if (webApp?.showConfirm && webApp.isVersionAtLeast?.("6.2")) {
      return new Promise((resolve) => webApp.showConfirm(text, resolve));
    }
    return Promise.resolve(window.confirm(text));
  },
};

// Telegram's theme → our colours (theme.js), and Telegram's own header, background and
// bottom bar painted to match the page, so that no strip of another colour shows.
function applyTelegramTheme() {
  theme.useTelegram(webApp.themeParams, webApp.colorScheme);
  const colours = theme.colours;
  const atLeast = (version) => webApp.isVersionAtLeast?.(version) ?? false;
  try {
    // Before 6.9 the header took only the names of two theme colours.
    if (atLeast("6.9")) webApp.setHeaderColor(colours["--header-bg"]);
    else if (atLeast("6.1")) webApp.setHeaderColor("bg_color");
    if (atLeast("6.1")) webApp.setBackgroundColor(colours["--secondary-bg"]);
    if (atLeast("7.10")) webApp.setBottomBarColor(colours["--bottom-bar-bg"]);
  } catch {
    // An odd client refusing a colour leaves its own: nothing is lost but the match.
  }
}
