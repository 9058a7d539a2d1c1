// A quote, new or edited, offline: product, drawing number, material, dimensions (text and mm),
// method, details, quantity, amount, lead time, status, and after production the actual cost
// and what was hard. "Make it again" (#/quotes/new?from=<id>) copies an old quote's fields into
// a new draft, for the same customer or another, shows the old difficulties as a note and
// warns when the old quote cost more than it was quoted at; the old price of a loss-making
// quote and another customer's drawing number are copied only when asked. A quote made from a
// deal's page (#/quotes/new?customer=&deal=) is linked to that deal. Hours per resource group and a
// wished delivery week show at once what the order does to the factory (load-impact.js). What is
// typed is kept as a draft until it is saved or cancelled (drafts.js), the customer picked too.

import { DEAL_ROLES } from "../deals.js";
import * as drafts from "../drafts.js";
import { instantFromLocal, localInput, yen } from "../format.js";
import { label, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { againFields, overrun } from "../quote-search.js";
import { getRecord, recordsById } from "../records.js";
import { getState } from "../store.js";
import { parseHours, parseNumber, parseYen } from "../text.js";
import { customerPicker } from "./customer-picker.js";
import { h, mount } from "./dom.js";
import {
  actionBar, choices, choiceValue, clearErrors, field, guardForm, input, linkButton, select, showErrors, submitButton,
  textarea,
} from "./form.js";
import { confirmFit, factory, impact, weekChoices, weekLabel } from "./load-impact.js";
import { forbidden, overrunWarning } from "./widgets.js";
import { newId } from "../ids.js";

const STATUSES = ["draft", "submitted", "accepted", "rejected"];
const TEXTS = [["product", 200], ["drawing_no", 100], ["material", 100], ["dimensions", 200], ["processing_method", 200]];
const LONG_TEXTS = ["processing_details", "difficulties"];
const NUMBERS = [["length_mm", true], ["width_mm", true], ["thickness_mm", true], ["diameter_mm", true],
  ["quantity", false], ["amount", false], ["actual_cost", false], ["lead_time_days", false]];
const YEN = new Set(["amount", "actual_cost"]);

export async function render(view, { params, query, edit, navigate, address }) {
  if (!DEAL_ROLES.has(getState().user?.role)) {
    mount(view, ...forbidden(t("quote.newTitle"), t("deal.notForRole"), "quote-forbidden"));
    return;
  }
  const existing = edit ? await getRecord("quotes", params[0]) : null;
  if (edit && !existing) return navigate("#/quotes");
  const source = query.get("from") ? await getRecord("quotes", query.get("from")) : null;
  let customerId = existing?.customer_id || query.get("customer") || source?.customer_id || null;
  const start = existing || (source ? againFields(source, customerId) : {});
  const customers = await recordsById("customers", [customerId, source?.customer_id]);
  const deal = await getRecord("deals", existing?.deal_id || query.get("deal") || "");

  const controls = {};
  for (const [name, max] of TEXTS) controls[name] = input({ value: start[name] ?? "", maxlength: max, "data-testid": `quote-${name}` });
  for (const name of LONG_TEXTS) controls[name] = textarea({ value: start[name] ?? "", maxlength: 10000, "data-testid": `quote-${name}` });
  // Text fields, not number ones: a number field drops what it cannot read (「450万円」 was 450,
  // 「12個」 nothing) where these say what they could not.
  for (const [name, decimal] of NUMBERS) {
    controls[name] = input({ inputmode: decimal ? "decimal" : "numeric", value: start[name] ?? "",
      "data-testid": `quote-${name}` });
  }
  const asks = source ? askBeforeCopying(source, controls, customers) : null;
  const plant = await factory();
  const hours = new Map(plant.groups.map((group) => [group.id, input({ inputmode: "decimal",
    class: "hours-input", value: start.process_hours?.[group.id] ?? "", "data-testid": `hours-${group.name}` })]));
  const weeks = weekChoices();
  if (start.delivery_week && !weeks.includes(start.delivery_week)) weeks.unshift(start.delivery_week);
  const week = select([["", t("impact.noWeek")], ...weeks.map((w) => [w, weekLabel(w)])], start.delivery_week || "",
    { "data-testid": "quote-delivery-week" });
  const impactBox = h("div");
  const serverSays = h("p", { class: "hint", "aria-live": "polite", "data-testid": "impact-server" });
  const typedHours = () => Object.fromEntries([...hours].map(([id, control]) => [id, parseHours(control.value)])
    .filter(([, value]) => value > 0));
  let asking = null;
  let asked = 0;
  const showImpact = () => {
    const processHours = typedHours();
    mount(impactBox, impact(plant, { processHours, deliveryWeek: week.value || null, quoteId: existing?.id }), serverSays);
    serverSays.textContent = "";
    clearTimeout(asking);
    const ticket = ++asked;  // an answer to an older question is not shown
    asking = setTimeout(() => confirmFit(processHours, (text) => { if (ticket === asked) serverSays.textContent = text; }), 800);
  };
  const submitted = input({ type: "datetime-local", value: existing?.submitted_at ? localInput(existing.submitted_at) : "" });
  const who = h("p", { class: "context", "data-testid": "quote-customer" });
  // Without a customer yet (from the quote list) the picker is open and says to choose one.
  const summary = h("summary", {});
  const showCustomer = () => {
    who.textContent = customerId ? t("quote.for", { customer: customers.get(customerId)?.name || "" }) : t("quote.customerMissing");
    summary.textContent = t(customerId ? "quote.otherCustomer" : "quote.chooseCustomer");
    asks?.forCustomer(customerId);
  };
  showCustomer();
  // Put back from a draft, the chosen customer is chosen again.
  const chosen = drafts.keptChoice("chosen_customer", customerId, async (id) => {
    if (existing || id === (customerId || "")) return;
    const found = customers.get(id) || (await recordsById("customers", [id])).get(id);
    if (!found) return;
    customers.set(id, found);
    customerId = id;
    showCustomer();
    if (picker) picker.open = false;
  });
  const picker = existing ? null : h("details", { class: "other-customer", open: !customerId },
    summary,
    customerPicker((id, name) => {  // a customer picked or made there is not in `customers` yet
      if (!customers.has(id)) customers.set(id, { id, name });
      customerId = id;
      chosen.set(id);
      showCustomer();
      picker.open = false;
    }));
  const save = submitButton(t("form.save"), { "data-testid": "save-quote" });
  const back = existing ? `#/quotes/${existing.id}` : source ? `#/quotes/${source.id}` : deal ? `#/deals/${deal.id}` : "#/quotes";
  const field_ = (name, key = `quote.${camel(name)}`) => field({ name, label: t(key), control: controls[name] });
  const form = h("form", { class: "form quote-form" },
    chosen.el, who, deal ? h("p", { class: "context", "data-testid": "quote-deal" }, t("quote.forDeal", { title: deal.title })) : null,
    deal ? null : picker,
    source ? h("div", { class: "carried", "data-testid": "again-from" },
      h("p", { class: "alert info" }, t("quote.againFrom", { title: [source.product, source.drawing_no].filter(Boolean).join(" ") })),
      overrunWarning(source, "again-overrun"),
      source.difficulties ? h("div", { class: "alert warn", role: "note", "data-testid": "carried-note" },
        h("strong", {}, t("quote.carried")), " ", source.difficulties) : null, asks.el) : null,
    field_("product"), field_("drawing_no"), field_("material"),
    field({ name: "dimensions", label: t("quote.dimensions"), control: controls.dimensions, hint: t("quote.dimensionsHint") }),
    h("div", { class: "field-row" }, field_("length_mm"), field_("width_mm"), field_("thickness_mm"), field_("diameter_mm")),
    field_("processing_method"), field({ name: "processing_details", label: t("quote.details"), control: controls.processing_details }),
    field_("quantity"), field_("amount"),
    plant.groups.length ? h("fieldset", { class: "field process-hours", dataset: { field: "process_hours" } },
      h("legend", {}, t("impact.hoursLegend")),
      h("p", { class: "hint" }, t("impact.hoursHint")),
      h("div", { class: "field-row" }, plant.groups.map((group) => field({ name: `hours-${group.id}`,
        label: group.name, control: hours.get(group.id) }))),
      field({ name: "delivery_week", label: t("impact.week"), control: week }),
      impactBox) : null, field({ name: "lead_time_days", label: t("quote.leadTime"), control: controls.lead_time_days }),
    choices({ name: "status", legend: t("quote.status"), value: start.status || "draft",
      options: STATUSES.map((s) => [s, label("quote.status", s)]) }),
    field({ name: "submitted_at", label: t("quote.submittedAt"), control: submitted }),
    existing ? [field({ name: "actual_cost", label: t("quote.actualCost"), control: controls.actual_cost }),
      field({ name: "difficulties", label: t("quote.difficulties"), control: controls.difficulties, hint: t("quote.difficultiesHint") })] : null,
    actionBar(save, linkButton(t("form.cancel"), back, { onClick: () => kept.discard() })));
  // Every field the form may show, the hours by their fields' names (one per group in use).
  const kept = drafts.keep(form, { address, edit: Boolean(existing), names: ["chosen_customer",
    ...TEXTS.map(([name]) => name), ...LONG_TEXTS, ...NUMBERS.map(([name]) => name),
    ...[...hours.keys()].map((id) => `hours-${id}`), "delivery_week", "status", "submitted_at"] });
  mount(view, h("h1", { tabindex: "-1" }, t(existing ? "quote.editTitle" : source ? "quote.againTitle" : "quote.newTitle")),
    kept.notice, form);
  if (plant.groups.length) {
    showImpact();
    form.addEventListener("input", (event) => { if (event.target === week || [...hours.values()].includes(event.target)) showImpact(); });
  }

  guardForm(form, async () => {
    clearErrors(form);
    const values = {};
    for (const [name] of TEXTS) values[name] = controls[name].value.trim() || null;
    // Difficulties are known only after production: a new quote has just its details.
    for (const name of LONG_TEXTS) if (existing || name === "processing_details") values[name] = controls[name].value.trim() || null;
    const errors = {};
    for (const [name, decimal] of NUMBERS) {
      if (!existing && (name === "actual_cost")) continue;
      const money = YEN.has(name);
      const value = money ? parseYen(controls[name].value) : parseNumber(controls[name].value, { decimal });
      if (Number.isNaN(value)) errors[name] = [t(money ? "quote.yenInvalid" : decimal ? "quote.mmInvalid" : "quote.numberInvalid")];
      values[name] = value;
    }
    const processHours = {};
    for (const [id, control] of hours) {
      const value = parseHours(control.value);
      if (Number.isNaN(value)) errors[`hours-${id}`] = [t("impact.hoursInvalid")];
      else if (value > 0) processHours[id] = value;
    }
    if (plant.groups.length) {
      // Hours of groups no longer active stay as they were: this form cannot show them.
      const unshown = Object.fromEntries(Object.entries(existing?.process_hours || start.process_hours || {})
        .filter(([id]) => !hours.has(id)));
      const all = { ...unshown, ...processHours };
      values.process_hours = Object.keys(all).length ? all : null;
      values.delivery_week = week.value || null;
    }
    values.status = choiceValue(form, "status") || "draft";
    values.submitted_at = instantFromLocal(submitted.value) || null;
    if (!values.product && !values.drawing_no) errors.product = [t("quote.productMissing")];
    if (showErrors(form, errors)) return;
    if (!customerId) {  // the picker is not a field: say it where the customer is named
      who.textContent = t("quote.customerMissing");
      who.setAttribute("role", "alert");
      if (picker) picker.open = true;
      return;
    }
    const id = existing?.id || newId();
    let changes;
    if (existing) {
      changes = Object.fromEntries(Object.entries(values).filter(([name, value]) =>
        same(value, existing[name] ?? null) === false));
    } else {
      values.customer_id = customerId;
      if (deal && deal.customer_id === customerId) values.deal_id = deal.id;
      if (source) { values.source_quote_id = source.id; values.carried_notes = source.difficulties || null; }
      changes = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null));
    }
    save.disabled = true;
    if (Object.keys(changes).length) {
      await outbox.save([{ entity: "quotes", id, changes, local: existing ? {}
        : { created_at: new Date().toISOString(), author_id: getState().user?.id } }]);
    }
    kept.discard();
    navigate(`#/quotes/${id}`, { replace: true });
  });
  return () => kept.dispose();
}

/**
 * The old price of a loss-making quote, and another customer's drawing number, are not copied
 * into the new draft unless the user asks for them with a tap: `{el, forCustomer(id)}`.
 */
function askBeforeCopying(source, controls, customers) {
  const el = h("div", { class: "ask-copy" });
  const offer = (name, text, testid) => {
    controls[name].value = "";
    const note = h("p", { class: "alert warn", role: "note" }, text, " ",
      h("button", { type: "button", class: "button", "data-testid": testid, onClick: () => {
        controls[name].value = source[name];
        note.remove();
      } }, t("quote.copyIt")));
    // Offered for an empty field only: a value typed (or put back from a draft) hides it.
    controls[name].addEventListener("input", () => { note.hidden = Boolean(controls[name].value); });
    return note;
  };
  const lost = overrun(source);
  const price = lost && source.amount != null
    ? offer("amount", t("quote.askPrice", { amount: yen(source.amount), cost: yen(source.actual_cost) }), "copy-old-price") : null;
  let drawing = null;
  return {
    el: h("div", {}, price, el),
    forCustomer(customerId) {
      drawing?.remove();
      drawing = null;
      if (!source.drawing_no) return;
      if (customerId && customerId !== source.customer_id) {
        if (controls.drawing_no.value !== source.drawing_no) return;
        drawing = offer("drawing_no", t("quote.askDrawing", { drawing: source.drawing_no,
          customer: customers.get(source.customer_id)?.name || "" }), "copy-drawing-no");
        el.append(drawing);
      } else if (!controls.drawing_no.value) {
        controls.drawing_no.value = source.drawing_no;
      }
    },
  };
}

/** Whether two field values are equal; objects (process_hours) whatever their keys' order. */
function same(a, b) {
  const plain = (v) => (v && typeof v === "object" ? Object.keys(v).sort().map((k) => [k, v[k]]) : v);
  return JSON.stringify(plain(a)) === JSON.stringify(plain(b));
}

function camel(name) {
  return { drawing_no: "drawingNo", processing_method: "method", length_mm: "lengthMm", width_mm: "widthMm",
    thickness_mm: "thicknessMm", diameter_mm: "diameterMm", lead_time_days: "leadTime", actual_cost: "actualCost" }[name] || name;
}
