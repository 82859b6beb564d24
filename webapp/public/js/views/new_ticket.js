// Opening a ticket: category, priority, subject and the first message, checked here
// before the server checks them again. A customer is offered only the priorities the
// settings allow (GET /settings; by default no "critical"), as the server refuses others.
import { field, h, replace } from "../dom.js";
import { DEFAULT_CUSTOMER_SETTINGS, isCustomerView, LIMITS, PRIORITIES } from "../domain.js";
import { i18n } from "../i18n.js";

const MAX_SUBJECT = LIMITS.subject;
const MAX_BODY = LIMITS.message;

export default function newTicketView(app) {
  const t = i18n.t;
  const category = h("select", { name: "category" }, h("option", { value: "" }, t("new.noCategory")));
  const customer = isCustomerView(app.session.user);
  const priority = h("select", { name: "priority" });
  const offerPriorities = (allowed) => {
    const chosen = priority.value || "normal";
    replace(priority, allowed.map((p) => h("option", { value: p }, t(`priority.${p}`))));
    priority.value = allowed.includes(chosen) ? chosen : allowed.includes("normal") ? "normal" : allowed[0];
  };
  offerPriorities(customer ? DEFAULT_CUSTOMER_SETTINGS.priorities : PRIORITIES);
  if (customer) {
    app.api.get("/settings").then(({ customers }) => {
      const allowed = PRIORITIES.filter((p) => customers?.priorities?.includes(p));
      if (allowed.length) offerPriorities(allowed);
    }).catch(() => {});  // the defaults stay offered
  }
  const subject = h("input", { type: "text", name: "subject", maxlength: MAX_SUBJECT, autocomplete: "off",
                               enterkeyhint: "next" });
  const body = h("textarea", { name: "body", rows: 5, maxlength: MAX_BODY });
  const fields = {
    category: field(t("new.category"), category),
    priority: field(t("new.priority"), priority),
    subject: field(t("new.subject"), subject, t("new.subjectHint")),
    body: field(t("new.body"), body),
  };
  const status = h("div", { role: "alert" });
  const submit = h("button", { type: "submit", class: "button wide" }, t("new.create"));
  const form = h("form", { class: "card", novalidate: true },
    status, fields.category, fields.priority, fields.subject, fields.body,
    app.telegram.nativeButtons ? null : submit);

  let categories = [];
  app.api.get("/categories").then(({ items }) => {
    categories = items.filter((c) => c.active);
    category.append(...categories.map((c) => h("option", { value: c.id }, c.name)));
  }).catch(() => {});  // without categories the ticket is still created, uncategorised
  category.addEventListener("change", () => {
    const chosen = categories.find((c) => String(c.id) === category.value);
    // A default the customer may not choose leaves the choice as it is (the server would
    // refuse it; without a priority the category's default applies anyway).
    if (chosen && [...priority.options].some((o) => o.value === chosen.default_priority)) {
      priority.value = chosen.default_priority;
    }
  });

  const validate = () => {
    const errors = {
      subject: !subject.value.trim() ? t("new.subjectRequired")
        : subject.value.trim().length > MAX_SUBJECT ? t("new.tooLong", { max: MAX_SUBJECT }) : "",
      body: !body.value.trim() ? t("new.bodyRequired")
        : body.value.trim().length > MAX_BODY ? t("new.tooLong", { max: MAX_BODY }) : "",
    };
    fields.subject.showError(errors.subject);
    fields.body.showError(errors.body);
    if (errors.subject) subject.focus();
    else if (errors.body) body.focus();
    return !errors.subject && !errors.body;
  };

  let sending = false;
  const create = async () => {
    if (sending || !validate()) {
      app.telegram.haptic("error");
      return;
    }
    sending = true;
    submit.disabled = true;
    replace(status);
    try {
      const ticket = await app.api.post("/tickets", {
        subject: subject.value.trim(), body: body.value.trim(), priority: priority.value,
        ...(category.value ? { category_id: Number(category.value) } : {}),
      });
      app.telegram.haptic("success");
      // Back from the new ticket leads to the list, not to this form again.
      const root = app.router.stack[0].name === "new-ticket" ? "tickets" : app.router.stack[0].name;
      app.router.show([{ name: root, params: {} }, { name: "ticket", params: { id: ticket.id } }]);
    } catch (error) {
      app.telegram.haptic("error");
      // forbidden here: the priority is no longer one customers may choose (settings changed).
      replace(status, h("p", { class: "notice error" },
        i18n.error(error, customer ? { forbidden: "new.priorityNotAllowed" } : {})));
    } finally {
      sending = false;
      submit.disabled = false;
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    create();
  });
  // Telegram asks before closing the app while something is typed and not yet sent.
  const unsent = () => app.telegram.needClosingConfirmation("new-ticket",
    Boolean(subject.value.trim() || body.value.trim()));
  subject.addEventListener("input", () => {
    fields.subject.showError("");
    unsent();
  });
  body.addEventListener("input", () => {
    fields.body.showError("");
    unsent();
  });

  return {
    title: t("new.title"),
    node: form,
    main: { text: t("new.create"), run: create },
    focus: () => subject.focus(),
    dispose: () => app.telegram.needClosingConfirmation("new-ticket", false),
  };
}
