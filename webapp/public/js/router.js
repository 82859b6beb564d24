// A stack of views, shown one at a time, with Back (Telegram's BackButton, or the page's
// own) popping it. A view is a module under views/ whose default export is
//
//   (app, params) => ({ title, node, dispose?, main? })
//
// `node` is the view's element, `dispose()` runs when it leaves the screen, and `main`
// ({ text, run }) is its primary action, put on Telegram's MainButton when there is one.
import { h, replace } from "./dom.js";
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

export class Router {
  constructor(container, title, backButton, tabs) {
    this.container = container;
    this.titleElement = title;
    this.backButton = backButton;
    this.tabs = tabs;
    this.stack = [];  // { name, params }
    this.current = null;  // what the shown view returned, plus its cleanups
    this.navigations = 0;  // counts show() calls, so that a slow module load cannot win late
    this.backButton.addEventListener("click", () => this.back());
    this.app = null;
  }

  // The first screen: the login, or the person's list, and the deep link on top of it.
  async home(user, startParam = "") {
    if (!user) {
      this.tabs.hidden = true;
      return this.show([{ name: "login", params: {} }]);
    }
    this.renderTabs(user);
    const root = { name: worksQueue(user) ? "queue" : "tickets", params: {} };
    const stack = [root];
    const linked = /^ticket_(\d+)$/.exec(startParam ?? "");
    if (linked && !this.linkFollowed) {
      this.linkFollowed = true;  // once: not again after a re-login
      stack.push({ name: "ticket", params: { id: Number(linked[1]) } });
    }
    return this.show(stack);
  }

  go(name, params = {}) {
    return this.show([...this.stack, { name, params }]);
  }

  // Replaces the whole stack with one root view (the tabs).
  root(name, params = {}) {
    return this.show([{ name, params }]);
  }

  back() {
    if (this.stack.length > 1) this.show(this.stack.slice(0, -1));
  }

  rerender() {
    if (this.app.session.user) this.renderTabs(this.app.session.user);
    return this.show(this.stack);
  }

  async show(stack) {
    this.leave();
    this.stack = stack;
    const navigation = ++this.navigations;
    const { name, params } = stack[stack.length - 1];
    const module = await views[name]();
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
    view.focus?.();
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
