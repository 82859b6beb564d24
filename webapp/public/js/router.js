// A stack of views, shown one at a time, each stack with its own address, so that the
// browser's Back and Forward, a reload and a link work. A view is a module under views/
// whose default export is
//
//   (app, params) => ({ title, node, dispose?, main?, focus? })
//
// `node` is the view's element, `dispose()` runs when it leaves the screen, `main`
// ({ text, run }) is its primary action, put on Telegram's MainButton when there is one,
// and `focus()` puts the keyboard focus where the view wants it (by default: on a screen
// opened from another, its first heading once it is there, so a screen reader starts at the
// ticket that opened; a tab leaves it on the tab).
//
// Addresses are in the fragment (#/tickets/106), because the page is one file at /app/:
// the server needs no route per screen and relative URLs keep working. Telegram opens the
// app with its launch data in the fragment (#tgWebAppData=…): its script reads it first
// (telegram.loaded), then the first address replaces it, so the launch data does not stay
// in the address bar to be copied with a link. Going deeper pushes a history entry; Back
// (the browser's, Telegram's BackButton or the page's own button) goes back through
// history when the entry below is this app's, and otherwise to the view's parent.
import { focusHeading, h, replace, wideScreen } from "./dom.js";
import { can, hasAdminSection, worksQueue } from "./domain.js";
import { i18n } from "./i18n.js";
import { telegram } from "./telegram.js";

const views = {
  login: () => import("./views/login.js"),
  tickets: () => import("./views/tickets.js"),
  queue: () => import("./views/queue.js"),
  "new-ticket": () => import("./views/new_ticket.js"),
  ticket: () => import("./views/ticket.js"),
  admin: () => import("./views/admin.js"),
  dashboard: () => import("./views/dashboard.js"),
  settings: () => import("./views/settings.js"),
};

// The root screens that need nothing of Telegram's script to be drawn.
const LISTS = new Set(["queue", "tickets"]);

// A stack entry → its address (without "#/"): the top entry names the screen.
export function pathOf({ name, params = {} }) {
  if (name === "ticket") return `tickets/${params.id}`;
  if (name === "queue" && params.open) return `tickets/${params.open}`;  // beside the list
  if (name === "admin" && params.section) return `admin/${encodeURIComponent(params.section)}`;
  if (name === "new-ticket") return "new";
  return name;
}

// A view's module that does not load is most often one that a deploy replaced since this page
// was loaded: the fingerprinted name in the page's import map is gone from the server. The
// page reloads, once, to get the new version at the same address. A second failure within a
// minute is an outage, not a new version, and does not become a loop of reloads.
function reloadForNewVersion() {
  const key = "tb.reloadedForNewVersion";
  try {
    if (Date.now() - Number(sessionStorage.getItem(key) ?? 0) < 60_000) return false;
    sessionStorage.setItem(key, String(Date.now()));
  } catch {
    return false;  // no storage to remember the reload by: no reload, rather than a loop
  }
  location.reload();
  return true;
}

// A ticket that was open beside the queue, shown again on a narrow screen (a restored entry, a
// rotated phone): there is no room beside the list, so the ticket is a screen of its own.
function fitScreen(stack) {
  const top = stack[stack.length - 1];
  if (top?.name !== "queue" || !top.params?.open || wideScreen.matches) return stack;
  return [...stack.slice(0, -1), { name: "queue", params: {} },
          { name: "ticket", params: { id: top.params.open } }];
}

export class Router {
  constructor(container, title, backButton, tabs) {
    this.container = container;
    this.titleElement = title;
    this.backButton = backButton;
    this.tabs = tabs;
    this.stack = [];  // { name, params }
    this.current = null;  // what the shown view returned, plus its cleanups
    this.navigations = 0;  // counts show() calls, so that a slow module load cannot win late
    this.user = null;
    this.depth = 0;  // how many history entries below the current one are this app's
    this.backButton.addEventListener("click", () => this.back());
    window.addEventListener("popstate", (event) => this.restore(event.state));
    this.app = null;
  }

  // The first screen: the login; or the screen the address names (a reload, a link), or the
  // deep link Telegram opened the app with (start_param `ticket_42`), or the person's list.
  //
  // A list (the first screen of almost every launch) is shown at once; a screen that puts its
  // actions on Telegram's own buttons (Back, MainButton) waits for Telegram's script, which
  // says whether there are such buttons. Either way the address is written only once that
  // script has read the launch data in it (record).
  async home(user, startParam = "") {
    this.user = user;
    if (!user) {
      await telegram.loaded;
      this.tabs.hidden = true;
      return this.show([{ name: "login", params: {} }], { history: "keep" });
    }
    this.renderTabs(user);
    const linked = /^ticket_(\d+)$/.exec(startParam ?? "");
    let stack;
    if (linked && !this.linkFollowed) {
      this.linkFollowed = true;  // once: not again after a re-login
      stack = [this.rootEntry(), { name: "ticket", params: { id: Number(linked[1]) } }];
    } else {
      // A reload keeps the entry's stack (and how deep it is); a new address has none.
      const saved = history.state?.stack ? history.state : null;
      this.depth = saved?.depth ?? 0;
      stack = saved?.stack ?? this.stackFor(location.hash);
    }
    if (stack.length > 1 || !LISTS.has(stack[0].name)) await telegram.loaded;
    return this.show(stack, { history: "replace" });
  }

  go(name, params = {}) {
    return this.show([...this.stack, { name, params }], { history: "push" });
  }

  // Replaces the whole stack with one root view (the tabs): no history entry, as a tab is
  // not a step one goes back from.
  root(name, params = {}) {
    return this.show([{ name, params }], { history: "replace" });
  }

  back() {
    if (this.stack.length <= 1) return;
    if (this.depth > 0) {
      history.back();  // popstate shows the entry below, which is this stack's parent
    } else {
      this.show(this.stack.slice(0, -1), { history: "replace" });
    }
  }

  rerender() {
    if (this.app.session.user) this.renderTabs(this.app.session.user);
    return this.show(this.stack, { history: "keep" });
  }

  // Back or Forward: the stack that entry holds. Or a link to #/… (or an edited address):
  // a new entry, over the one it was followed from.
  restore(state) {
    if (!this.user) return;
    if (state?.stack) {
      this.depth = state.depth ?? 0;
      if (!this.updateInPlace(state.stack)) this.show(state.stack, { history: "keep" });
    } else {
      this.depth += 1;
      const stack = this.stackFor(location.hash);
      if (this.updateInPlace(stack)) this.record(stack, "replace");
      else this.show(stack, { history: "replace" });
    }
  }

  // A new history entry for the view on screen with new `params` (the queue's opened ticket),
  // which the view has already shown: the address follows, nothing is drawn again.
  select(params) {
    const top = this.stack[this.stack.length - 1];
    const stack = [...this.stack.slice(0, -1), { ...top, params }];
    this.record(stack, "push");
    this.stack = stack;
  }

  // When `stack` differs from the one on screen only in its top view's params and that view
  // takes new params (update), it gets them, and keeps its state (a list's scroll, a draft).
  updateInPlace(stack) {
    const update = this.current?.view.update;
    if (!update || stack.length !== this.stack.length) return false;
    const same = stack.every((entry, at) => entry.name === this.stack[at].name &&
      (at === stack.length - 1 || JSON.stringify(entry.params) === JSON.stringify(this.stack[at].params)));
    if (!same) return false;
    this.stack = stack;
    update(stack[stack.length - 1].params ?? {});
    return true;
  }

  // `history`: "push" a new entry (deeper), "replace" this one, or "keep" it as it is.
  async show(stack, { history: mode = "replace" } = {}) {
    stack = fitScreen(stack);
    this.leave();
    if (mode === "push" || mode === "replace") this.record(stack, mode);
    this.stack = stack;
    const navigation = ++this.navigations;
    const { name, params } = stack[stack.length - 1];
    let module;
    try {
      module = await views[name]();
    } catch (error) {
      if (reloadForNewVersion()) return;
      throw error;
    }
    // Another navigation began while this view's module loaded: that one wins.
    if (navigation !== this.navigations) return;
    const view = module.default(this.app, params);
    const cleanups = [];
    this.current = { view, cleanups };
    document.title = view.title;
    this.titleElement.textContent = view.title;
    replace(this.container, view.node);
    this.container.dataset.view = name;
    const canGoBack = stack.length > 1;
    this.backButton.hidden = !canGoBack || telegram.nativeButtons;
    this.backButton.setAttribute("aria-label", i18n.t("back"));
    if (canGoBack) cleanups.push(telegram.setBackButton(() => this.back()));
    if (view.main) cleanups.push(telegram.setMainButton(view.main.text, view.main.run));
    this.markTab(stack[0].name);
    if (view.focus) {
      view.focus();
    } else if (canGoBack) {
      cleanups.push(focusHeading(view.node, this.container));
    }  // a tab leaves the focus where it is: on the tab pressed, or nowhere at the start
  }

  record(stack, mode) {
    if (stack[0]?.name === "login") return;
    if (mode === "push") this.depth += 1;
    const url = `${location.pathname}${location.search}#/${pathOf(stack[stack.length - 1])}`;
    const state = { stack, depth: this.depth };
    const write = () => {
      if (mode === "push") history.pushState(state, "", url);
      else history.replaceState(state, "", url);
    };
    // Telegram's script reads its launch data from the first address: it stays until then.
    if (telegram.settled) write();
    else telegram.loaded.then(write);
  }

  // The person's first tab.
  rootEntry() {
    return { name: worksQueue(this.user) ? "queue" : "tickets", params: {} };
  }

  // An address (#/tickets/106, #/admin/users, …) → the stack for it: the screen, over the
  // tab it belongs to. An address this person has no screen for gives their first tab.
  stackFor(hash) {
    const parts = String(hash ?? "").replace(/^#\/?/, "").split("/").filter(Boolean)
      .map((part) => decodeURIComponent(part));
    const user = this.user;
    const home = this.rootEntry();
    const [first, second] = parts;
    if (first === "tickets" && /^\d+$/.test(second ?? "")) {
      return home.name === "queue" && wideScreen.matches
        ? [{ name: "queue", params: { open: Number(second) } }]
        : [home, { name: "ticket", params: { id: Number(second) } }];
    }
    if (first === "admin" && hasAdminSection(user)) {
      return second ? [{ name: "admin", params: {} }, { name: "admin", params: { section: second } }]
                    : [{ name: "admin", params: {} }];
    }
    if (first === "dashboard" && can(user, "statistics.view")) return [{ name: "dashboard", params: {} }];
    if (first === "queue" && worksQueue(user)) return [{ name: "queue", params: {} }];
    if (first === "settings") return [home, { name: "settings", params: {} }];
    if (first === "tickets") return [{ name: "tickets", params: {} }];
    if (first === "new") {
      return worksQueue(user) ? [{ name: "tickets", params: {} }, { name: "new-ticket", params: {} }]
                           : [{ name: "new-ticket", params: {} }];
    }
    return [home];
  }

  leave() {
    if (!this.current) return;
    for (const cleanup of this.current.cleanups) cleanup();
    this.current.view.dispose?.();
    this.current = null;
  }

  renderTabs(user) {
    const t = i18n.t;
    const tabs = worksQueue(user)
      ? [["queue", t("tab.queue")], ["tickets", t("tab.myTickets")]]
      : [["tickets", t("tab.myTickets")], ...(can(user, "tickets.create") ? [["new-ticket", t("tab.newTicket")]] : [])];
    if (can(user, "statistics.view")) tabs.push(["dashboard", t("tab.dashboard")]);
    if (hasAdminSection(user)) tabs.push(["admin", t("tab.admin")]);
    this.tabs.hidden = false;
    replace(this.tabs, tabs.map(([name, label]) =>
      h("button", { type: "button", class: "tab", dataset: { tab: name },
                    onclick: () => this.root(name) }, label)));
  }

  markTab(name) {
    for (const tab of this.tabs.querySelectorAll(".tab")) {
      const active = tab.dataset.tab === name;
      tab.classList.toggle("active", active);
      if (active) tab.setAttribute("aria-current", "page");
      else tab.removeAttribute("aria-current");
    }
  }
}
