// Choose a customer inside a form: type a few letters (any width, kana or kanji), tap one. A
// customer not on the device yet is created on the spot, offline, from what was searched
// (name, フリガナ suggested from the IME, phone), and comes back chosen.

import { t } from "../i18n.js";
import { cacheCustomerIndex, cachedCustomerIndex, customerIndex, getRecord } from "../records.js";
import { findEntries, prepareQuery } from "../text.js";
import { createCustomer, lookAlikes } from "./customer-form.js";
import { h, mount } from "./dom.js";
import { button, field, input } from "./form.js";
import { suggestKana } from "./kana-reading.js";
import { newId } from "../ids.js";

const SHOWN = 8;
const PHONE_LIKE = /^(?=.*[\d０-９])[\d０-９()（）\-－‐ー\s]{6,}$/;

/** A search over the device's customers; `onPick(id, name)` when one is chosen or created. */
export function customerPicker(onPick) {
  let index = null;
  let loading = null;
  // The index as the customer list last cached it (one read rather than every customer), then
  // the stores' own, shown again once read: a customer made since is found a moment later.
  const load = async () => {
    const cached = await cachedCustomerIndex();
    const fresh = customerIndex().then((latest) => {
      index = latest;
      cacheCustomerIndex(latest);
      return latest;
    });
    if (!cached) return fresh;
    fresh.then(() => { if (results.isConnected) show(); });
    return cached;
  };
  const search = input({ type: "search", enterkeyhint: "search", "data-testid": "customer-picker" });
  const results = h("ul", { class: "list compact picker-results" });
  const none = h("p", { class: "hint", role: "status", "data-testid": "picker-none", hidden: true });
  const offerNew = button(t("picker.new"), { class: "button", "data-testid": "picker-new-customer",
    onClick: () => openCreator() });
  const creator = h("div", { class: "picker-new" });
  const show = async () => {
    // Named from what is typed before the index is read: never an empty button while it loads.
    const named = search.value.trim();
    offerNew.textContent = named ? t("picker.newNamed", { name: named }) : t("picker.new");
    if (!index) {
      loading ||= load();
      const first = await loading;
      index ||= first;
    }
    const q = prepareQuery(search.value);
    const hits = findEntries(index, q).slice(0, SHOWN);
    mount(results, ...hits.map((entry) => h("li", {},
      h("button", { type: "button", class: "row pick", onClick: () => pick(entry) },
        h("span", { class: "row-title" }, entry.name),
        entry.kana ? h("span", { class: "row-sub" }, entry.kana) : null,
        // Two 山田製作所 are told apart by where they are (and a town searched for shows here).
        entry.address ? h("span", { class: "row-meta" }, entry.address) : null))));
    const typed = search.value.trim();
    none.hidden = !(typed && hits.length === 0);
    none.textContent = none.hidden ? "" : t("picker.noneFound", { query: typed });
  };
  // A customer listed from the cached index may have gone since (merged, or out of the user's
  // scope): not chosen, and the list drawn again from the stores.
  const pick = async (entry) => {
    const record = await getRecord("customers", entry.id);
    if (record && !record.deleted) return onPick(entry.id, entry.name);
    index = await customerIndex();
    show();
  };
  const openCreator = () => {
    offerNew.hidden = true;
    mount(creator, newCustomerPanel(index || [], search.value.trim(), {
      onCreated: (id, name) => {
        index = null;
        loading = null;
        onPick(id, name);
      },
      onCancel: () => {
        mount(creator);
        offerNew.hidden = false;
        search.focus();
      },
    }));
  };
  search.addEventListener("input", show);
  show();
  return h("div", { class: "picker" },
    field({ name: "customer_id", label: t("visit.customer"), control: search, required: true,
      hint: t("visit.customerHint") }),
    results, none, offerNew, creator);
}

/**
 * A new customer in a few fields, inside another form (so no <form> of its own): the name as
 * searched, フリガナ, phone; look-alikes on the device are shown before it is saved.
 */
function newCustomerPanel(index, typed, { onCreated, onCancel }) {
  const isPhone = PHONE_LIKE.test(typed);  // a number searched for is the phone, not the name
  const name = input({ value: isPhone ? "" : typed, maxlength: 200, enterkeyhint: "next",
    "data-testid": "picker-new-name" });
  const kana = input({ maxlength: 200, enterkeyhint: "next", "data-testid": "picker-new-kana" });
  const phone = input({ type: "tel", value: isPhone ? typed : "", maxlength: 40, enterkeyhint: "done",
    "data-testid": "picker-new-phone" });
  suggestKana(name, kana, { dropLegalForms: true });
  const warning = h("div", { class: "notice", role: "status", "data-testid": "picker-duplicates", hidden: true });
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const showLookAlikes = () => {
    const found = lookAlikes(index, name.value, phone.value);
    mount(warning, found.length ? [h("p", {}, t("customer.lookAlikes")),
      h("ul", {}, found.slice(0, 5).map((entry) => h("li", {}, entry.name)))] : []);
    warning.hidden = found.length === 0;
  };
  name.addEventListener("change", showLookAlikes);
  phone.addEventListener("change", showLookAlikes);
  showLookAlikes();
  const create = button(t("picker.create"), { class: "button primary", "data-testid": "picker-create",
    onClick: async () => {
      const values = { name: name.value.trim(), name_kana: kana.value.trim(), phone: phone.value.trim() };
      if (!values.name) {
        error.textContent = t("customer.nameMissing");
        error.hidden = false;
        name.focus();
        return;
      }
      create.disabled = true;
      const id = newId();
      const changes = { status: "prospect",
        ...Object.fromEntries(Object.entries(values).filter(([, value]) => value)) };
      await createCustomer(id, changes);
      onCreated(id, values.name);
    } });
  return h("fieldset", { class: "field new-customer", "data-testid": "picker-new" },
    h("legend", {}, t("customer.newTitle")),
    field({ name: "new_customer_name", label: t("customer.name"), control: name, required: true }),
    error,
    warning,
    field({ name: "new_customer_kana", label: t("customer.kana"), control: kana }),
    field({ name: "new_customer_phone", label: t("customer.phone"), control: phone }),
    h("div", { class: "actions inline" }, create, button(t("form.cancel"), { onClick: onCancel })));
}
