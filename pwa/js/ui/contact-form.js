// A customer's contact (担当者), new or edited, saved offline: name, reading, department, title,
// phone, mobile, fax and email, as on a business card. Opened from the customer page, and back
// there once saved, marked as left (退職・異動) or back with the customer, or deleted. The
// フリガナ is suggested from the IME as the name is typed.

import { visitsNaming } from "../contacts.js";
import * as drafts from "../drafts.js";
import { t } from "../i18n.js";
import { newId } from "../ids.js";
import * as outbox from "../outbox.js";
import { customerBundle, getRecord } from "../records.js";
import { h, mount } from "./dom.js";
import {
  actionBar, button, clearErrors, field, guardForm, input, linkButton, notSavedText, showErrors, showRefusal, submitButton,
} from "./form.js";
import { suggestKana } from "./kana-reading.js";

// [field, label, the server's limit (ContactSchema), what the input is]. No `maxlength`: it
// would cut a pasted address short without a word; an over-long value is said instead. The
// browser's autofill stays off: it would offer the rep's own number and address, not the
// contact's.
const TEL = { type: "tel", inputmode: "tel" };
const FIELDS = [
  ["name_kana", "contact.kana", 200, {}],
  ["department", "contact.department", 200, {}],
  ["title", "contact.title", 200, {}],
  ["phone", "contact.phone", 40, TEL],
  ["mobile", "contact.mobile", 40, TEL],
  ["fax", "contact.fax", 40, TEL],
  ["email", "contact.email", 254, { type: "email", inputmode: "email", autocapitalize: "off", spellcheck: "false" }],
];
const NAME_MAX = 200;

/** How long `text` is as the server counts it: in characters, not UTF-16 units. */
const length = (text) => [...text].length;

/** What the user typed, trimmed, each empty field null. */
export function contactValues(typed) {
  const values = {};
  for (const [key, value] of Object.entries(typed)) values[key] = String(value ?? "").trim() || null;
  return values;
}

/** The fields that are too long for the server, as `{field: [message]}`. */
export function tooLong(values) {
  const errors = {};
  for (const [key, , max] of [["name", null, NAME_MAX], ...FIELDS]) {
    const n = length(values[key] || "");
    if (n > max) errors[key] = [t("contact.tooLong", { n: max, count: n })];
  }
  return errors;
}

export async function render(view, { params, query, edit, navigate, address }) {
  const existing = edit ? await getRecord("contacts", params[0]) : null;
  if (edit && (!existing || existing.deleted)) return navigate("#/customers");
  const customerId = existing?.customer_id || query.get("customer");
  const customer = customerId ? await getRecord("customers", customerId) : null;
  if (!customer || customer.deleted) return navigate("#/customers");
  const back = `#/customers/${customer.id}`;
  const fix = existing && query.get("fix") ? Number(query.get("fix")) : null; // from the sync page

  const name = input({ value: existing?.name || "", enterkeyhint: "next", "data-testid": "contact-name" });
  const controls = Object.fromEntries(FIELDS.map(([key, , , props]) => [key, input({
    value: existing?.[key] || "", enterkeyhint: "next", "data-testid": `contact-${key}`, ...props })]));
  suggestKana(name, controls.name_kana);
  const save = submitButton(t("form.save"), { "data-testid": "save-contact" });
  // Someone who left keeps their name on past visits; deleting them takes it away. Marking is
  // offered first, beside the delete, and undone by 「在籍に戻す」.
  const standing = existing ? button(t(existing.left ? "contact.markBack" : "contact.markLeft"),
    { class: "button", "data-testid": existing.left ? "contact-back" : "contact-left" }) : null;
  const remove = existing ? button(t("contact.delete"), { class: "button danger", "data-testid": "delete-contact" }) : null;
  const failed = h("p", { class: "field-error", role: "alert", hidden: true, "data-testid": "contact-not-saved" });
  const form = h("form", { class: "form contact-form" },
    field({ name: "name", label: t("contact.name"), control: name, required: true }),
    FIELDS.map(([key, labelKey]) => field({ name: key, label: t(labelKey), control: controls[key] })),
    actionBar(save, linkButton(t("form.cancel"), back, { onClick: () => kept.discard() })));
  const kept = drafts.keep(form, { address, names: ["name", ...FIELDS.map(([key]) => key)], edit: Boolean(existing) });
  mount(view,
    h("p", { class: "crumbs" }, h("a", { href: back, "data-testid": "contact-customer" }, customer.name)),
    h("h1", { tabindex: "-1" }, t(existing ? "contact.editTitle" : "contact.newTitle")),
    existing?.left ? h("p", { class: "alert info", role: "note", "data-testid": "contact-is-left" }, t("contact.isLeft")) : null,
    kept.notice, form,
    // Away from 保存, below the form: these are rare and should never be the tap meant for saving.
    existing ? h("div", { class: "delete-record" },
      existing.left ? null : h("p", { class: "hint" }, t("contact.leftHint")),
      h("div", { class: "actions inline" }, standing, remove), failed) : null);
  await showRefusal(form, fix);

  /** What the form holds to save: `{errors}` by field, or `{changes}` (none when nothing changed). */
  const typed = () => {
    const values = contactValues({ name: name.value,
      ...Object.fromEntries(FIELDS.map(([key]) => [key, controls[key].value])) });
    // In the form's order, so the focus goes to the first field to fix.
    const errors = { ...(values.name ? {} : { name: [t("contact.nameMissing")] }), ...tooLong(values) };
    if (Object.keys(errors).length) return { errors };
    return { changes: existing
      ? Object.fromEntries(Object.entries(values).filter(([key, value]) => value !== (existing[key] ?? null)))
      : { customer_id: customer.id, ...Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null)) } };
  };

  /** Save `edit` from a button below the form; a refusal of the device's storage is said there. */
  const act = async (control, edit) => {
    control.disabled = true;
    try {
      await outbox.save([edit]);
    } catch (err) {
      control.disabled = false;
      failed.textContent = notSavedText(err, false); // the device's storage refused: said, not thrown away
      failed.hidden = false;
      return;
    }
    kept.discard();
    navigate(back, { replace: true });
  };

  // What was typed goes with the mark, as 保存 would save it: nothing corrected is lost.
  standing?.addEventListener("click", () => {
    clearErrors(form);
    const { errors, changes } = typed();
    if (errors) return showErrors(form, errors);
    return act(standing, { entity: "contacts", id: existing.id, changes: { ...changes, left: !existing.left } });
  });

  remove?.addEventListener("click", async () => {
    const { visits } = await customerBundle(customer.id);
    const n = visitsNaming(visits, existing.id);
    const question = n ? t("contact.confirmDeleteNamed", { name: existing.name, n }) : t("contact.confirmDelete", { name: existing.name });
    if (!confirm(question)) return;
    await act(remove, { entity: "contacts", id: existing.id, changes: {}, op: "delete" });
  });

  guardForm(form, async () => {
    clearErrors(form);
    const { errors, changes } = typed();
    if (errors) return showErrors(form, errors);
    save.disabled = true;
    // The refused change, mended, goes again; if it went meanwhile, the corrections are an edit.
    const mended = fix !== null && await outbox.resend(fix, changes);
    if (!mended && Object.keys(changes).length) await outbox.save([{ entity: "contacts", id: existing?.id || newId(), changes }]);
    kept.discard();
    navigate(back, { replace: true });
  });
  return () => kept.dispose();
}
