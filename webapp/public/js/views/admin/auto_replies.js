// Auto-replies: a text the server posts into a ticket, at most once, when the ticket is
// created or a customer writes, matching keywords and/or a category (docs/API.md).
import { h } from "../../dom.js";
import { AUTO_REPLY_EVENTS, LIMITS } from "../../domain.js";
import { activeField, editorSection, holding, nameField, requiredText } from "./editor.js";
import { activeChip, categoryLabel, fetchAll, fetchCategories, labelOr, selectOf, valueOptions } from "./kit.js";

export default function autoRepliesSection(context) {
  const { app, t } = context;
  const text = (name, params) => t(`admin.autoReplies.${name}`, params);
  let categories = [];  // for the trigger's description and the form's category select

  const categoryName = (id) => {
    if (id === null || id === undefined) return text("anyCategory");
    return categories.find((c) => c.id === id)?.name ?? text("missingCategory", { id });
  };

  return editorSection(context, {
    path: "/auto-replies",
    strings: "admin.autoReplies",
    formId: "reply",
    tableClass: "admin-replies-table",
    load: async () => {
      const [replies, categoryItems] = await Promise.all([fetchAll(app.api, "/auto-replies"), fetchCategories(app.api)]);
      categories = categoryItems;
      return replies;
    },
    waitForList: true,
    columns: [text("name"), text("trigger"), text("body"), t("admin.categories.state")],
    cells: (reply) => [
      h("strong", {}, reply.name),
      h("div", { class: "admin-trigger" },
        h("p", { class: "meta" }, labelOr(t, `admin.event.${reply.event}`, reply.event), " · ",
          categoryName(reply.category_id)),
        reply.keywords?.length
          ? h("ul", { class: "admin-keywords", "aria-label": text("keywords") },
              reply.keywords.map((keyword) => h("li", { class: "chip" }, keyword)))
          : null),
      h("p", { class: "admin-body-preview" }, reply.body),
      activeChip(t, reply.active),
    ],
    fields: [
      nameField(t, text("name")),
      {
        key: "event", label: text("event"),
        control: (reply) => selectOf(valueOptions(t, AUTO_REPLY_EVENTS, "admin.event"), reply?.event ?? "ticket_created"),
      },
      {
        key: "keywords", label: text("keywords"), hint: text("keywordsHint"), pattern: /\bkeywords?\b/,
        read: (input, controls) => {
          const words = [...new Set(input.value.split(",").map((word) => word.trim()).filter(Boolean))];
          // Without a keyword or a category the reply would answer every ticket.
          return !words.length && !controls.category_id.value ? { error: text("needsTrigger") } : { value: words };
        },
        control: (reply) => holding(h("input", { type: "text", autocomplete: "off" }), (reply?.keywords ?? []).join(", ")),
      },
      {
        key: "category_id", label: text("category"), hint: text("categoryHint"), pattern: /\bcategor/,
        read: (select) => ({ value: select.value ? Number(select.value) : null }),
        control: (reply) => categorySelect(reply?.category_id),
      },
      activeField(text("activeLabel")),
      {
        key: "body", label: text("body"), hint: text("bodyHint"), wide: true, read: requiredText(t, LIMITS.message),
        control: (reply) => holding(h("textarea", { rows: 4, maxlength: LIMITS.message, required: true }), reply?.body ?? ""),
      },
    ],
  });

  // Any category, or one of them; a category deleted since the reply was saved stays
  // chosen (shown as missing) so that saving the reply does not change it unasked.
  function categorySelect(chosen) {
    const select = selectOf([["", text("anyCategory")], ...categories.map((c) => [c.id, categoryLabel(t, c)])],
      chosen ?? "");
    if (chosen && !categories.some((c) => c.id === chosen)) {
      select.append(h("option", { value: String(chosen) }, categoryName(chosen)));
      select.value = String(chosen);
    }
    return select;
  }
}
