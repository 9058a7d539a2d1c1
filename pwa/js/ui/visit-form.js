// New visit (sales meeting or aftercare) and its edit: customer, kind, date and time (now by
// default), contacts met (pick, or add one on the spot; those who left the customer only when
// the visit named them already), purpose, what was discussed and done,
// next action and due date, and for a new visit photos taken before it is saved. Saved in one
// tap to IndexedDB and the outbox (the visit and its photos' records in one transaction); never
// waits for the network.

import { offered } from "../contacts.js";
import * as drafts from "../drafts.js";
import { addMonths, instantFromLocal, localInput } from "../format.js";
import { label, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { parseMinutes, parseNumber } from "../text.js";
import { customerBundle, getRecord } from "../records.js";
import { shiftDay, today } from "../reports.js";
import { getState } from "../store.js";
import { customerPicker } from "./customer-picker.js";
import { dealMover } from "./deal-picker.js";
import { h, mount } from "./dom.js";
import { draftPhotos } from "./photos.js";
import {
  actionBar, button, choices, choiceValue, clearErrors, field, guardForm, input, linkButton, outOfYears, showErrors, showRefusal,
  submitButton, textarea,
} from "./form.js";
import { suggestKana } from "./kana-reading.js";
import { newId } from "../ids.js";

export const KINDS = ["sales", "aftercare", "phone", "email", "fax", "event"];
const TEXTS = ["purpose", "notes", "handling", "next_action"];
// The fields a draft keeps: the customer picked in the form too, as the id in a hidden field,
// and, as JSON in hidden fields, the people (those added here too), the parts and the photos.
const KEPT = ["chosen_customer", "kind", "visited_at", ...TEXTS, "next_action_due", "work_minutes",
  "kept_contacts", "kept_parts", "draft_photos"];

export async function render(view, { params, query, edit, navigate, address }) {
  const user = getState().user;
  const visit = edit ? await getRecord("visits", params[0]) : null;
  if (edit && !visit) return navigate("#/customers");
  // A visit recorded as the follow-up of another's next action (`?after=`): its purpose.
  const after = !visit && query.get("after") ? await getRecord("visits", query.get("after")) : null;
  const fix = query.get("fix") ? Number(query.get("fix")) : null;
  const state = { customer: null, contacts: [], selected: new Set(visit?.contact_ids || []), added: [] };
  // The people the visit named already (as saved, or as a draft kept them): offered even if they
  // have left the customer since, so an edit does not drop them unseen.
  const named = new Set(state.selected);

  const customerSlot = h("div", { class: "customer-slot" });
  // Put back from a draft, the chosen customer is chosen again.
  const chosen = drafts.keptChoice("chosen_customer", "", (id) => {
    if (id && id !== state.customer?.id) setCustomer(id);
  });
  const contactSlot = h("fieldset", { class: "field contacts", dataset: { field: "contact_ids" } });
  // The people chosen and added, for the draft; a draft puts them back.
  const keptContacts = drafts.keptChoice("kept_contacts", "", (json) => {
    const kept = parsed(json, {});
    state.added = [].concat(kept.added || []).filter((c) => c?.id && c.name);
    state.selected = new Set([].concat(kept.selected || []));
    for (const id of state.selected) named.add(id);
    drawContacts();
  });
  const noteContacts = () => keptContacts.set(JSON.stringify({ added: state.added, selected: [...state.selected] }));
  const dealSlot = h("div", { class: "deal-slot" });
  let mover = null;
  const visitedAt = input({ type: "datetime-local", value: localInput(visit?.visited_at || new Date()) });
  const controls = {
    purpose: input({ value: visit?.purpose || after?.next_action || "", maxlength: 1000, enterkeyhint: "next" }),
    notes: textarea({ value: visit?.notes || "", maxlength: 10000 }),
    handling: textarea({ value: visit?.handling || "", maxlength: 10000 }),
    next_action: input({ value: visit?.next_action || "", maxlength: 1000, enterkeyhint: "next" }),
  };
  const due = input({ type: "date", value: visit?.next_action_due || "" });
  // Text, not a number field, which would drop what it cannot read (「1時間30分」): parseMinutes.
  const minutes = input({ inputmode: "numeric", value: visit?.work_minutes ?? "", "data-testid": "work-minutes" });
  const parts = partsEditor(visit?.parts || []);
  const draft = visit ? null : draftPhotos(); // an edited visit's page adds photos itself
  // Aftercare's work time and parts: in view on an aftercare visit or once filled, folded on the
  // other kinds (a phone call may still ship a part), so a sales meeting's form stays short.
  const work = h("details", { class: "work-fold", "data-testid": "work-fold" },
    h("summary", {}, t("visit.workFold")),
    field({ name: "work_minutes", label: t("visit.workMinutes"), control: minutes }),
    parts.el);
  const workFilled = () => minutes.value.trim() !== "" || parts.value().length > 0;
  const save = submitButton(t("form.save"), { "data-testid": "save-visit" });
  const form = h("form", { class: "form visit-form" },
    chosen.el, customerSlot,
    choices({ name: "kind", legend: t("visit.kind"), required: true,
      value: visit?.kind || (user?.role === "technician" ? "aftercare" : "sales"),
      options: KINDS.map((k) => [k, label("visit.kind", k)]) }),
    field({ name: "visited_at", label: t("visit.when"), control: visitedAt, required: true }),
    contactSlot,
    dealSlot,
    field({ name: "purpose", label: t("visit.purpose"), control: controls.purpose }),
    field({ name: "notes", label: t("visit.notes"), control: controls.notes, hint: t("visit.notesHint") }),
    field({ name: "handling", label: t("visit.handling"), control: controls.handling, hint: t("visit.handlingHint") }),
    draft?.el,
    work,
    field({ name: "next_action", label: t("visit.nextAction"), control: controls.next_action }),
    withQuickDues(field({ name: "next_action_due", label: t("visit.due"), control: due }), due, visitedAt),
    actionBar(save, linkButton(t("form.cancel"),
      visit ? `#/visits/${visit.id}` : query.get("customer") ? `#/customers/${query.get("customer")}` : "#/customers",
      { onClick: () => { kept.discard(); draft?.abandon(); } })));

  const drawContacts = () => {
    const all = [...offered(state.contacts, named), ...state.added];
    const adder = addContactPanel((contact) => {
      state.added.push(contact);
      state.selected.add(contact.id);
      drawContacts();
    });
    mount(contactSlot,
      h("legend", {}, t("visit.contacts")), keptContacts.el,
      all.length ? h("div", { class: "checks" }, all.map((c) => h("label", { class: "check" },
        h("input", { type: "checkbox", value: c.id, checked: state.selected.has(c.id),
          onChange: (e) => {
            if (e.target.checked) state.selected.add(c.id);
            else state.selected.delete(c.id);
            noteContacts();
          } }),
        h("span", {}, contactText(c))))) : h("p", { class: "hint" }, t("visit.noContacts")),
      adder);
    noteContacts();
  };
  const setCustomer = async (id) => {
    const bundle = await customerBundle(id);
    if (!bundle.customer || bundle.customer.deleted) return pickCustomer(); // not on the device (any more)
    state.customer = bundle.customer;
    chosen.set(id);
    state.contacts = [...bundle.contacts, ...bundle.deletedContacts]; // offered() picks
    if (!visit && !state.selected.size && bundle.visits.length) {
      const last = bundle.visits.reduce((a, b) => (Date.parse(a.visited_at) > Date.parse(b.visited_at) ? a : b));
      // The last visit's people, but not those who have left since.
      for (const cid of last.contact_ids || []) if (bundle.contacts.some((c) => c.id === cid && !c.left)) state.selected.add(cid);
    }
    mount(customerSlot, h("div", { class: "field", dataset: { field: "customer_id" } },
      h("p", { class: "label-like" }, t("visit.customer")),
      h("p", { class: "chosen", "data-testid": "chosen-customer" }, state.customer?.name || ""),
      visit ? null : button(t("visit.changeCustomer"), { onClick: () => pickCustomer() })));
    drawContacts();
    mover = dealMover(bundle.deals, visit?.deal_id || query.get("deal"));
    mount(dealSlot, mover.el);
  };
  const pickCustomer = () => {
    chosen.el.value = ""; // none yet: not a choice the draft keeps
    state.customer = null;
    state.contacts = [];
    state.selected.clear();
    state.added = [];
    noteContacts();
    mount(customerSlot, customerPicker(setCustomer));
    mount(contactSlot, h("legend", {}, t("visit.contacts")), keptContacts.el,
      h("p", { class: "hint" }, t("visit.pickCustomerFirst")));
    mover = null;
    mount(dealSlot);
  };
  const customerId = visit?.customer_id || query.get("customer");
  if (customerId) await setCustomer(customerId);
  else pickCustomer();

  const foldWork = (kind) => { work.open = kind === "aftercare" || workFilled(); };
  foldWork(choiceValue(form, "kind"));
  // Only a change of kind folds them again (when empty); a draft put back with them opens them.
  form.addEventListener("change", (event) => {
    const name = event.target.name;
    if (name === "kind") foldWork(choiceValue(form, "kind"));
    else if ((name === "work_minutes" || name === "kept_parts") && workFilled()) work.open = true;
  });
  const kept = drafts.keep(form, { address, names: KEPT, edit: Boolean(visit) });
  mount(view, h("h1", { tabindex: "-1" }, t(visit ? "visit.editTitle" : "visit.newTitle")), kept.notice, form);
  await showRefusal(form, fix);

  guardForm(form, async () => {
    clearErrors(form);
    const errors = {};
    const kind = choiceValue(form, "kind");
    if (!state.customer) errors.customer_id = [t("visit.customerMissing")];
    if (!kind) errors.kind = [t("visit.kindMissing")];
    if (!visitedAt.value) errors.visited_at = [t("visit.whenMissing")];
    else if (outOfYears(visitedAt.value)) errors.visited_at = [t("form.yearOutOfRange")];
    if (outOfYears(due.value)) errors.next_action_due = [t("form.yearOutOfRange")];
    const workMinutes = parseMinutes(minutes.value);
    if (Number.isNaN(workMinutes)) errors.work_minutes = [t("visit.workMinutesInvalid")];
    const partList = parts.value();
    if (partList.some((part) => Number.isNaN(part.quantity))) errors.parts = [t("visit.partQuantityInvalid")];
    Object.assign(errors, mover?.errors() || {});
    if (showErrors(form, errors)) return;
    const values = {
      kind,
      visited_at: visit && visitedAt.value === localInput(visit.visited_at) ? visit.visited_at : instantFromLocal(visitedAt.value),
      contact_ids: [...state.selected],
      next_action_due: due.value || null,
      deal_id: mover?.dealId() || null,
      work_minutes: workMinutes,
      parts: partList,
    };
    for (const name of TEXTS) values[name] = controls[name].value.trim() || null;
    const id = visit?.id || newId();
    let changes;
    if (visit) {
      changes = Object.fromEntries(Object.entries(values)
        .filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(visit[name] ?? null)));
    } else {
      changes = { customer_id: state.customer.id, ...Object.fromEntries(Object.entries(values)
        .filter(([, value]) => value !== null && !(Array.isArray(value) && !value.length))) };
    }
    const contacts = state.added.filter((c) => state.selected.has(c.id)).map((c) => ({
      entity: "contacts", id: c.id,
      changes: { customer_id: state.customer.id, name: c.name, ...(c.name_kana ? { name_kana: c.name_kana } : {}),
        ...(c.department ? { department: c.department } : {}) },
    }));
    // The deal moves and its events are recorded in the same save: one outbox transaction.
    const dealEdits = mover?.edits(values.visited_at) || [];
    save.disabled = true;
    if (contacts.length) await outbox.save(contacts);
    const mended = fix !== null && await outbox.resend(fix, changes);
    if (mended && dealEdits.length) await outbox.save(dealEdits); // the deal moved while mending
    else if (!mended && (Object.keys(changes).length || dealEdits.length)) {
      const edits = Object.keys(changes).length
        ? [{ entity: "visits", id, changes, local: visit ? {} : { author_id: user?.id } }] : [];
      const photoEdits = draft?.edits({ entity: "visits", id, customer_id: state.customer.id }) || [];
      await outbox.save([...edits, ...photoEdits, ...dealEdits]);
      draft?.saved();
    }
    kept.discard();
    navigate(`#/visits/${id}`, { replace: true });
  });
  return () => { kept.dispose(); draft?.dispose(); };
}

// The due dates a person sets most, counted from the visit's day: a week for a quote or a part,
// months for the next 定期点検. A tap fills the date, which stays editable.
const QUICK_DUES = [["week", (ymd) => shiftDay(ymd, 7)], ["month", (ymd) => addMonths(ymd, 1)],
  ["months3", (ymd) => addMonths(ymd, 3)], ["months6", (ymd) => addMonths(ymd, 6)], ["year", (ymd) => addMonths(ymd, 12)]];

/** The due date's field with buttons under its input that set it a week to a year from the
 * visit's day (`visitedAt`'s, or today's while it is empty). */
function withQuickDues(dueField, due, visitedAt) {
  const set = (shift) => {
    due.value = shift(/^\d{4}-\d{2}-\d{2}/.test(visitedAt.value) ? visitedAt.value.slice(0, 10) : today());
    due.dispatchEvent(new Event("input", { bubbles: true })); // the date's echo and the draft
    due.dispatchEvent(new Event("change", { bubbles: true }));
  };
  dueField.insertBefore(h("div", { class: "quick-dues", role: "group", "aria-label": t("visit.dueQuick"),
    "data-testid": "quick-dues" }, QUICK_DUES.map(([key, shift]) => button(t(`visit.dueIn.${key}`),
    { class: "button small", onClick: () => set(shift) }))), dueField.querySelector(".field-error"));
  return dueField;
}

/** Parts used: rows of name and quantity, one added per tap; the rows as typed are kept in the
 * hidden field `kept_parts` for the form's draft, which puts them back. */
function partsEditor(initial) {
  const list = h("div", { class: "parts", "data-testid": "parts" });
  const rows = [];
  const kept = drafts.keptChoice("kept_parts", "", (json) => {
    for (const entry of rows.splice(0)) entry.row.remove();
    for (const [name, quantity] of [].concat(parsed(json, []))) addRow({ name, quantity });
  });
  const note = () => kept.set(JSON.stringify(rows.map((r) => [r.name.value, r.quantity.value])));
  list.addEventListener("input", note);
  const addRow = (part = {}) => {
    const name = input({ value: part.name || "", maxlength: 200, "aria-label": t("visit.partName"),
      "data-testid": "part-name" });
    const quantity = input({ inputmode: "decimal", value: part.quantity ?? 1,
      "aria-label": t("visit.partQuantity"), class: "quantity", "data-testid": "part-quantity" });
    const row = h("div", { class: "part-row" }, name, quantity,
      button("×", { "aria-label": t("visit.removePart"), onClick: () => {
        rows.splice(rows.indexOf(entry), 1);
        row.remove();
        note();
      } }));
    const entry = { name, quantity, row };
    rows.push(entry);
    list.append(row);
    note();
    return entry;
  };
  for (const part of initial) addRow(part);
  const el = h("fieldset", { class: "field", dataset: { field: "parts" } },
    h("legend", {}, t("visit.parts")), kept.el,
    h("div", { class: "part-row part-head", "aria-hidden": "true" },
      h("span", {}, t("visit.partName")), h("span", {}, t("visit.partQuantity"))),
    list,
    button(t("visit.addPart"), { "data-testid": "add-part", onClick: () => addRow().name.focus() }),
    h("p", { class: "field-error", hidden: true }));
  const value = () => rows.filter((r) => r.name.value.trim()).map((r) => ({
    name: r.name.value.trim(), quantity: parseNumber(r.quantity.value, { decimal: true }) }));
  return { el, value };
}

/**
 * "Add a contact": name (required), フリガナ (suggested from the IME) and department, added
 * to the visit's contacts on save.
 */
function addContactPanel(onAdd) {
  const name = input({ maxlength: 200, enterkeyhint: "next" });
  const kana = input({ maxlength: 200, enterkeyhint: "next" });
  suggestKana(name, kana);
  const department = input({ maxlength: 200, enterkeyhint: "done" });
  const error = h("p", { class: "field-error", hidden: true });
  const panel = h("div", { class: "add-contact", hidden: true },
    field({ name: "new_contact_name", label: t("contact.name"), control: name, required: true }),
    field({ name: "new_contact_kana", label: t("contact.kana"), control: kana }),
    field({ name: "new_contact_department", label: t("contact.department"), control: department }),
    error,
    button(t("contact.add"), {
      class: "button", onClick: () => {
        if (!name.value.trim()) {
          error.textContent = t("contact.nameMissing");
          error.hidden = false;
          name.focus();
          return;
        }
        onAdd({ id: newId(), name: name.value.trim(), name_kana: kana.value.trim() || null,
          department: department.value.trim() || null });
      },
    }));
  const open = button(t("contact.open"), {
    class: "button", "data-testid": "add-contact",
    onClick: () => { panel.hidden = false; open.hidden = true; name.focus(); },
  });
  return h("div", {}, open, panel);
}

/** `json` read, or `fallback` when it cannot be (a draft from an older app, say). */
function parsed(json, fallback) {
  try {
    return JSON.parse(json) ?? fallback;
  } catch {
    return fallback;
  }
}

/** A person offered in the visit form: 「山田 太郎（購買部）」, marked if they left or were deleted. */
function contactText(contact) {
  const name = contact.deleted ? t("contact.deletedName", { name: contact.name })
    : contact.left ? t("contact.leftName", { name: contact.name }) : contact.name;
  return contact.department ? t("text.aside", { text: name, aside: contact.department }) : name;
}
