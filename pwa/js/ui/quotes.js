// Past quotes: search the device's quotes offline by product, drawing number, material, method,
// dimensions, customer name or free text (width, kana and case folded; ステンレス finds SUS304),
// with filters; the words that matched are marked in each result. The device holds its scope's
// quotes; the server's full history is searched online with one tap, and a search that finds
// nothing, or asks for 「以前と同じもの」, says how to find it.

import * as api from "../api.js";
import { getAll, getMeta } from "../db.js";
import { yen } from "../format.js";
import { label, list, t } from "../i18n.js";
import { matchedFields, prepare, searchQuotes } from "../quote-search.js";
import { fold } from "../text.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { IMPORTERS } from "./list-import.js";
import { button, field, input, select } from "./form.js";
import { redrawOnData } from "./redraw.js";
import { filterFold, marked } from "./widgets.js";

const SHOWN = 50;
// 「以前と同じもの」「前回と同じ」「いつもの」: a wish, not words a quote holds.
const SAME_AS_BEFORE = /以前|前回|同じ|おなじ|いつもの/;

/** Every live quote on the device, prepared for searching, with its customer's name. */
export async function quoteEntries() {
  const [quotes, customers] = await Promise.all([getAll("quotes"), getAll("customers")]);
  const byId = new Map(customers.map((c) => [c.id, c]));
  return quotes.filter((q) => !q.deleted).map((q) => {
    const customer = byId.get(q.customer_id);
    return { ...prepare(q, customer), customer: customer?.name || "" };
  });
}


export async function render(view, { query, navigate }) {
  let entries = await quoteEntries();
  const controls = {
    q: input({ type: "search", enterkeyhint: "search", value: query.get("q") || "", "data-testid": "quote-q" }),
    material: input({ value: query.get("material") || "", "data-testid": "quote-material" }),
    method: input({ value: query.get("method") || "", "data-testid": "quote-method" }),
    lengthMin: input({ type: "number", inputmode: "numeric", min: 0, value: query.get("min") || "", "data-testid": "quote-min" }),
    lengthMax: input({ type: "number", inputmode: "numeric", min: 0, value: query.get("max") || "", "data-testid": "quote-max" }),
  };
  const summary = h("p", { class: "summary", "aria-live": "polite", "data-testid": "quote-count" });
  const hintText = h("p", {});
  const customerPick = h("div", {});
  const hint = h("div", { class: "hint", "data-testid": "quote-hint", hidden: true }, hintText, customerPick);
  // 「以前と同じもの」: the customer is what finds it, so offer the customers whose quotes are here.
  const pickCustomer = () => {
    const names = [...new Set(entries.map((e) => e.customer).filter(Boolean))].sort((a, b) => a.localeCompare(b, "ja"));
    const picker = select([["", t("quotes.pickNone")], ...names.map((n) => [n, n])], "", {
      "data-testid": "quote-pick-customer",
      onChange: (e) => { controls.q.value = e.target.value; show(); },
    });
    return field({ name: "pick_customer", label: t("quotes.pickCustomer"), control: picker });
  };
  const hitList = h("ol", { class: "list quote-results", "data-testid": "quote-results" });
  const online = h("section", { class: "online-results", "aria-live": "polite", "data-testid": "quote-online-results" });
  const number = (el) => (el.value === "" ? null : Number(el.value));
  const typed = () => ({
    q: controls.q.value, material: controls.material.value, method: controls.method.value,
    lengthMin: number(controls.lengthMin), lengthMax: number(controls.lengthMax),
  });
  // 「100」 and 「10」 typed the wrong way round: said so, rather than "no quote matches".
  const swapped = () => {
    const { lengthMin, lengthMax } = typed();
    return lengthMin !== null && lengthMax !== null && lengthMin > lengthMax;
  };
  const show = () => {
    const asked = Object.values(typed()).some((v) => v !== null && v !== "");
    const hits = asked && !swapped() ? searchQuotes(entries, typed(), SHOWN) : [];
    const total = t("quotes.onDevice", { n: entries.length });
    summary.textContent = swapped() ? t("quotes.minAboveMax")
      : !asked ? t("quotes.ready", { total })
        : hits.length ? t("quotes.found", { n: hits.length, total }) : t("quotes.none", { total });
    hint.hidden = !asked || swapped() || (hits.length > 0 && !SAME_AS_BEFORE.test(fold(controls.q.value)));
    const same = SAME_AS_BEFORE.test(fold(controls.q.value));
    hintText.textContent = same ? t("quotes.sameHint") : t("quotes.noneHint");
    if (same) mount(customerPick, pickCustomer());
    else mount(customerPick);
    mount(hitList, ...hits.map(row));
    mount(online);
    const params = new URLSearchParams(Object.entries({
      q: controls.q.value, material: controls.material.value, method: controls.method.value,
      min: controls.lengthMin.value, max: controls.lengthMax.value }).filter(([, v]) => v));
    history.replaceState(history.state, "", `#/quotes${params.size ? `?${params}` : ""}`);
  };
  const searchOnline = async () => {
    if (swapped()) {
      mount(online, h("p", { class: "alert warn" }, t("quotes.minAboveMax")));
      return;
    }
    const { q, material, method, lengthMin, lengthMax } = typed();
    const params = Object.fromEntries(Object.entries({ q, material, processing_method: method,
      length_min: lengthMin ?? "", length_max: lengthMax ?? "", limit: SHOWN }).filter(([, v]) => v !== "" && v !== null));
    mount(online, h("p", { class: "summary" }, t("quotes.onlineSearching")));
    try {
      const { results } = await api.searchQuotes(await getMeta("token"), params);
      const held = new Set(entries.map((e) => e.quote.id));
      const more = results.filter((r) => !held.has(r.quote.id));
      const names = new Map(entries.map((e) => [e.quote.customer_id, e.customer]));
      mount(online, h("h2", {}, t("quotes.onlineTitle")),
        h("p", { class: "summary", "data-testid": "quote-online-count" }, t("quotes.onlineFound", { n: more.length })),
        more.length ? h("ol", { class: "list quote-results" },
          more.map((r) => row({ ...r, customer: names.get(r.quote.customer_id) || "", online: true }))) : null);
    } catch (err) {
      mount(online, h("p", { class: "alert warn" }, err instanceof api.NetworkError ? t("quotes.onlineOffline")
        : t("quotes.onlineFailed", { status: err.status ?? "" })));
    }
  };
  for (const control of Object.values(controls)) control.addEventListener("input", show);
  mount(view,
    h("h1", { tabindex: "-1" }, t("quotes.title")),
    h("p", { class: "lead" }, t("quotes.lead")),
    h("form", { class: "filters quote-filters", role: "search", onSubmit: (e) => e.preventDefault() },
      field({ name: "q", label: t("quotes.q"), control: controls.q, hint: t("quotes.qHint") }),
      filterFold([controls.material, controls.method, controls.lengthMin, controls.lengthMax]
        .filter((control) => control.value).length,
      field({ name: "material", label: t("quote.material"), control: controls.material }),
      field({ name: "processing_method", label: t("quote.method"), control: controls.method }),
      field({ name: "length_min", label: t("quotes.lengthMin"), control: controls.lengthMin }),
      field({ name: "length_max", label: t("quotes.lengthMax"), control: controls.lengthMax }))),
    summary, hitList, hint,
    h("p", {}, button(t("quotes.searchOnline"), { "data-testid": "quote-online", onClick: searchOnline })),
    online,
    // The history kept in Excel before Genba, for the office to bring in.
    IMPORTERS.has(getState().user?.role)
      ? h("p", {}, h("a", { class: "action-link", href: "#/quotes/import", "data-testid": "quote-import-link" },
        t("quotes.importLink")))
      : null);
  show();
  return redrawOnData(async () => {
    entries = await quoteEntries();
    show();
  });
}

function row({ quote, why, customer, online = false }) {
  const terms = (field) => why.filter((w) => w.field === field).map((w) => w.term);
  const part = (field) => (quote[field] ? marked(quote[field], terms(field)) : null);
  return h("li", { dataset: { id: quote.id } },
    h(online ? "div" : "a", online ? { class: "row" } : { class: "row", href: `#/quotes/${quote.id}` },
      h("span", { class: "row-title" }, part("product"), " ", part("drawing_no")),
      h("span", { class: "row-sub" }, customer),
      h("span", { class: "row-meta" },
        part("material"), part("dimensions"), part("processing_method"),
        quote.amount ? h("span", {}, yen(quote.amount)) : null,
        h("span", {}, label("quote.status", quote.status || "draft"))),
      why.some((w) => ["processing_details", "difficulties"].includes(w.field))
        ? h("span", { class: "row-meta" }, part("difficulties") || part("processing_details")) : null,
      h("span", { class: "why", "data-testid": "why" }, t("quotes.why"),
        list(matchedFields(why).map((w) => (w.field === "customer" ? t("quotes.byCustomer") : label("quote.field", w.field))
          + (w.synonym ? t("quotes.bySynonym") : "")), { short: true }))));
}
