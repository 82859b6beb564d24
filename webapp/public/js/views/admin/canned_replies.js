// Canned replies: texts staff insert into a reply (with "/" at the start of the composer, or
// its button), with placeholders filled in for the ticket at hand (docs/API.md).
import { h } from "../../dom.js";
import { CANNED_PLACEHOLDERS, LIMITS } from "../../domain.js";
import { i18n } from "../../i18n.js";
import { editorSection, holding, nameField, requiredText } from "./editor.js";
import { fetchAll } from "./kit.js";

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

// The placeholders themselves as parameters, so that t() leaves "{customer_name}" in a text.
const LITERAL = Object.fromEntries(CANNED_PLACEHOLDERS.map((name) => [name, `{${name}}`]));

export default function cannedRepliesSection(context) {
  const { app, t } = context;
  const text = (name, params) => t(`admin.cannedReplies.${name}`, { ...LITERAL, ...params });
  const byName = (a, b) => a.name.localeCompare(b.name, i18n.language) || a.id - b.id;

  return editorSection(context, {
    path: "/canned-replies",
    strings: "admin.cannedReplies",
    formId: "canned",
    tableClass: "admin-canned-table",
    load: () => fetchAll(app.api, "/canned-replies"),
    order: byName,
    columns: [text("name"), text("body"), text("updated")],
    cells: (reply) => [
      h("strong", {}, reply.name),
      h("p", { class: "admin-body-preview" }, reply.body),
      h("time", { datetime: reply.updated_at, title: reply.updated_at }, i18n.date(reply.updated_at)),
    ],
    fields: [
      nameField(t, text("name")),
      {
        key: "body", label: text("body"), hint: text("bodyHint"), wide: true,
        read: (control) => {
          const checked = requiredText(t, LIMITS.message)(control);
          if (checked.error) return checked;
          // The server refuses these too; said here first, in the person's words.
          const unknown = [...checked.value.matchAll(PLACEHOLDER)].map((match) => match[1])
            .find((name) => !CANNED_PLACEHOLDERS.includes(name));
          return unknown ? { error: text("unknownPlaceholder", { name: `{${unknown}}` }) } : checked;
        },
        control: (reply) => holding(h("textarea", { rows: 5, maxlength: LIMITS.message, required: true }), reply?.body ?? ""),
      },
    ],
  });
}
