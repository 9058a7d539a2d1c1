// Past quotes: search the device's quotes offline by product, drawing number, material, method,
// dimensions or free text (width, kana and case folded; ステンレス finds SUS304), with filters;
// the words that matched are marked in each result.

import { getAll } from "../db.js";
import { yen } from "../format.js";
import { label, t } from "../i18n.js";
import { prepare, searchQuotes } from "../quote-search.js";
import { h, mount } from "./dom.js";
import { field, input } from "./form.js";
import { redrawOnData } from "./redraw.js";
import { marked } from "./widgets.js";

const SHOWN = 50;

/** Every live quote on the device, prepared for searching, with its customer's name. */
export async function quoteEntries() {
  const [quotes, customers] = await Promise.all([getAll("quotes"), getAll("customers")]);
  const names = new Map(customers.map((c) => [c.id, c.name]));
  return quotes.filter((q) => !q.deleted).map((q) => ({ ...prepare(q), customer: names.get(q.customer_id) || "" }));
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
  const list = h("ol", { class: "list quote-results", "data-testid": "quote-results" });
  const number = (el) => (el.value === "" ? null : Number(el.value));
  const show = () => {
    const hits = searchQuotes(entries, {
      q: controls.q.value, material: controls.material.value, method: controls.method.value,
      lengthMin: number(controls.lengthMin), lengthMax: number(controls.lengthMax),
    }, SHOWN);
    const total = t("quotes.onDevice", { n: entries.length });
    summary.textContent = hits.length ? t("quotes.found", { n: hits.length, total }) : t("quotes.none", { total });
    mount(list, ...hits.map(row));
    const params = new URLSearchParams(Object.entries({
      q: controls.q.value, material: controls.material.value, method: controls.method.value,
      min: controls.lengthMin.value, max: controls.lengthMax.value }).filter(([, v]) => v));
    history.replaceState(null, "", `#/quotes${params.size ? `?${params}` : ""}`);
  };
  for (const control of Object.values(controls)) control.addEventListener("input", show);
  mount(view,
    h("h1", { tabindex: "-1" }, t("quotes.title")),
    h("p", { class: "lead" }, t("quotes.lead")),
    h("form", { class: "filters quote-filters", role: "search", onSubmit: (e) => e.preventDefault() },
      field({ name: "q", label: t("quotes.q"), control: controls.q, hint: t("quotes.qHint") }),
      field({ name: "material", label: t("quote.material"), control: controls.material }),
      field({ name: "processing_method", label: t("quote.method"), control: controls.method }),
      field({ name: "length_min", label: t("quotes.lengthMin"), control: controls.lengthMin }),
      field({ name: "length_max", label: t("quotes.lengthMax"), control: controls.lengthMax })),
    summary, list);
  show();
  return redrawOnData(async () => {
    entries = await quoteEntries();
    show();
  });
}

function row({ quote, why, customer }) {
  const terms = (field) => why.filter((w) => w.field === field).map((w) => w.term);
  const part = (field) => (quote[field] ? marked(quote[field], terms(field)) : null);
  return h("li", { dataset: { id: quote.id } },
    h("a", { class: "row", href: `#/quotes/${quote.id}` },
      h("span", { class: "row-title" }, part("product"), " ", part("drawing_no")),
      h("span", { class: "row-sub" }, customer),
      h("span", { class: "row-meta" },
        part("material"), part("dimensions"), part("processing_method"),
        quote.amount ? h("span", {}, yen(quote.amount)) : null,
        h("span", {}, label("quote.status", quote.status || "draft"))),
      why.some((w) => ["processing_details", "difficulties"].includes(w.field))
        ? h("span", { class: "row-meta" }, part("difficulties") || part("processing_details")) : null,
      h("span", { class: "why", "data-testid": "why" }, t("quotes.why"),
        why.map((w) => label("quote.field", w.field) + (w.synonym ? t("quotes.bySynonym") : "")).join("・"))));
}
