// Telegram's WebApp object, when the page runs inside Telegram (or was opened with
// #tgWebAppData=… as Telegram opens it). Outside, every call is a harmless no-op, so the
// rest of the app never asks where it runs.

const webApp = window.Telegram?.WebApp;
const closingHolders = new Set();
const swipeHolders = new Set();

export const telegram = {
  // Signed launch data; empty outside Telegram.
  initData: webApp?.initData ?? "",
  user: webApp?.initDataUnsafe?.user ?? null,
  startParam: webApp?.initDataUnsafe?.start_param ?? new URLSearchParams(location.search).get("startapp") ?? "",
  get inside() {
    return Boolean(this.initData);
  },
  // Telegram draws the Main and Back buttons itself. A plain browser opened with
  // #tgWebAppData (the tests) has the data but no such buttons: the page draws its own.
  nativeButtons: Boolean(webApp) && (webApp.platform ?? "unknown") !== "unknown",
  language: webApp?.initDataUnsafe?.user?.language_code ?? "",

  start() {
    if (!webApp) return;
    webApp.ready();
    webApp.expand();
    applyColorScheme();
    webApp.onEvent("themeChanged", applyColorScheme);
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

  // Calls `callback` after Telegram changed the theme (its colours are in the CSS
  // variables by then); returns the function that stops it.
  onThemeChanged(callback) {
    if (!webApp?.onEvent) return () => {};
    webApp.onEvent("themeChanged", callback);
    return () => webApp.offEvent("themeChanged", callback);
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

// Telegram sets the --tg-theme-* variables itself; the page also needs to know whether
// the scheme is dark (for the few things a variable cannot express).
function applyColorScheme() {
  document.documentElement.dataset.scheme = webApp.colorScheme ?? "light";
}
