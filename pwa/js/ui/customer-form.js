// New or edited customer (or prospect), saved offline: name, kana, status, source, postal code
// and address, phone, email, url. Before a new one is saved, customers already on the device
// that look the same (folded name without 株式会社 etc., phone digits) are shown. The フリガナ
// is suggested from the reading the IME gave while the name was typed.

import * as drafts from "../drafts.js";
import { label, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { customerIndex, getRecord } from "../records.js";
import { getState } from "../store.js";
import { digits, fold } from "../text.js";
import { h, mount } from "./dom.js";
import {
  actionBar, choices, choiceValue, clearErrors, field, guardForm, input, linkButton, showErrors, showRefusal,
  submitButton,
} from "./form.js";
import { suggestKana } from "./kana-reading.js";
import { newId } from "../ids.js";

const STATUSES = ["prospect", "active", "inactive"];
const FORMS = /株式会社|有限会社|合同会社|\(株\)|\(有\)|㈱|㈲/g;
const FIELDS = [
  ["name_kana", "customer.kana", 200], ["source", "customer.source", 200],
  ["postal_code", "customer.postalCode", 16], ["address", "customer.address", 1000],
  ["phone", "customer.phone", 40], ["email", "customer.email", 254], ["url", "customer.url", 1000],
];

/** The customers on the device that look like `name`/`phone` (never the record itself). */
export function lookAlikes(index, name, phone, selfId = null) {
  const key = fold(name).replace(FORMS, "");
  const number = digits(phone);
  return index.filter((entry) => entry.id !== selfId && (
    (key.length >= 2 && fold(entry.name).replace(FORMS, "") === key)
    || (number.length >= 6 && entry.phone === number)));
}

/** Save a new customer offline, owned by the user who makes it (the server says so too). */
export async function createCustomer(id, changes) {
  const user = getState().user;
  await outbox.save([{ entity: "customers", id, changes, local: { owner_id: user?.id, team: user?.team ?? null } }]);
}

export async function render(view, { params, query, edit, navigate, address }) {
  const existing = edit ? await getRecord("customers", params[0]) : null;
  if (edit && !existing) return navigate("#/customers");
  const fix = existing && query.get("fix") ? Number(query.get("fix")) : null; // from the sync page
  const index = await customerIndex();
  const name = input({ value: existing?.name || query.get("name") || "", maxlength: 200,
    enterkeyhint: "next", "data-testid": "customer-name-input" });
  const controls = Object.fromEntries(FIELDS.map(([key, , max]) => [key, input({
    value: existing?.[key] || "", maxlength: max, enterkeyhint: "next", "data-testid": `customer-${key}`,
    type: key === "email" ? "email" : key === "url" ? "url" : key === "phone" ? "tel" : "text" })]));
  suggestKana(name, controls.name_kana, { dropLegalForms: true });
  const warning = h("div", { class: "notice", role: "status", "data-testid": "duplicates", hidden: true });
  const showLookAlikes = () => {
    const found = lookAlikes(index, name.value, controls.phone.value, existing?.id);
    mount(warning, found.length ? [h("p", {}, t("customer.lookAlikes")),
      h("ul", {}, found.slice(0, 5).map((entry) => h("li", {},
        h("a", { href: `#/customers/${entry.id}` }, entry.name))))] : []);
    warning.hidden = found.length === 0;
  };
  name.addEventListener("change", showLookAlikes);
  controls.phone.addEventListener("change", showLookAlikes);
  const save = submitButton(t("form.save"), { "data-testid": "save-customer" });
  const back = existing ? `#/customers/${existing.id}` : "#/customers";
  const form = h("form", { class: "form customer-form" },
    field({ name: "name", label: t("customer.name"), control: name, required: true }),
    warning,
    choices({ name: "status", legend: t("customer.statusLabel"),
      value: existing?.status || (existing ? "active" : "prospect"),
      options: STATUSES.map((s) => [s, label("customer.status", s)]) }),
    FIELDS.map(([key, labelKey]) => field({ name: key, label: t(labelKey), control: controls[key] })),
    actionBar(save, linkButton(t("form.cancel"), back, { onClick: () => kept.discard() })));
  const kept = drafts.keep(form, { address, names: ["name", "status", ...FIELDS.map(([key]) => key)], edit: Boolean(existing) });
  mount(view, h("h1", { tabindex: "-1" }, t(existing ? "customer.editTitle" : "customer.newTitle")), kept.notice, form);
  await showRefusal(form, fix);

  guardForm(form, async () => {
    clearErrors(form);
    const values = { name: name.value.trim(), status: choiceValue(form, "status") || "active" };
    for (const [key] of FIELDS) values[key] = controls[key].value.trim() || null;
    if (!values.name) return showErrors(form, { name: [t("customer.nameMissing")] });
    const id = existing?.id || newId();
    const changes = existing
      ? Object.fromEntries(Object.entries(values).filter(([key, value]) => value !== (existing[key] ?? null)))
      : Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null));
    save.disabled = true;
    // The refused change, mended, goes again; if it went meanwhile, the corrections are an edit.
    const mended = fix !== null && await outbox.resend(fix, changes);
    if (!mended && existing && Object.keys(changes).length) await outbox.save([{ entity: "customers", id, changes }]);
    else if (!existing) await createCustomer(id, changes);
    kept.discard();
    navigate(`#/customers/${id}`, { replace: true });
  });
  return () => kept.dispose();
}
