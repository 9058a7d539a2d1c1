// Customers: instant search over name, kana and phone (width, case and kana folded), recently
// visited first. Works entirely from IndexedDB.

import { ago } from "../format.js";
import { t } from "../i18n.js";
import { cacheCustomerIndex, cachedCustomerIndex, customerIndex } from "../records.js";
import { getState } from "../store.js";
import { findEntries, prepareQuery } from "../text.js";
import { h, mount } from "./dom.js";
import { IMPORTERS } from "./list-import.js";
import { followSearch } from "./follow-search.js";
import { actionBar, button, field, linkButton } from "./form.js";
import { redrawOnData } from "./redraw.js";
import { LIST_PAGE, empty } from "./widgets.js";

export async function render(view, { query }) {
  // Start from the index cached by the last visit to this screen (one read instead of every
  // customer), then refresh it from the stores.
  const cached = await cachedCustomerIndex();
  let index = cached || await customerIndex();
  let shown = LIST_PAGE;
  const search = h("input", {
    type: "search", autocomplete: "off", enterkeyhint: "search", value: query.get("q") || "",
    "data-testid": "customer-search",
  });
  const summary = h("p", { class: "summary", "aria-live": "polite", "data-testid": "customer-count" });
  const list = h("ul", { class: "list", "data-testid": "customer-list" });
  const more = button("", { hidden: true, "data-testid": "customers-more" });
  const none = empty(t("customers.none"), "no-customers");
  // A new office's list is empty until its customers are in: from Excel, in one go.
  const importHint = IMPORTERS.has(getState().user?.role)
    ? h("p", { class: "empty", "data-testid": "import-hint" },
      h("a", { class: "action-link", href: "#/customers/import" }, t("customers.importHint")))
    : null;
  const noMatch = empty("", "no-match");
  const newCustomer = linkButton(t("customer.new"), "#/customers/new", { "data-testid": "new-customer" });

  const show = () => {
    const started = performance.now();
    const q = prepareQuery(search.value);
    const hits = findEntries(index, q);
    mount(list, ...hits.slice(0, shown).map(row));
    summary.textContent = q.folded
      ? t("customers.found", { n: hits.length, total: index.length })
      : t("customers.total", { total: index.length });
    more.hidden = hits.length <= shown;
    more.textContent = more.hidden ? "" : t("list.more", { n: hits.length - shown });
    none.hidden = index.length > 0;
    if (importHint) importHint.hidden = index.length > 0;
    noMatch.hidden = !(q.folded && index.length && !hits.length);
    noMatch.textContent = noMatch.hidden ? "" : t("customers.noMatch", { q: search.value.trim() });
    // A company searched for and not found is the one to create: its name comes along.
    const typed = search.value.trim();
    newCustomer.href = typed && !hits.length ? `#/customers/new?name=${encodeURIComponent(typed)}` : "#/customers/new";
    performance.measure("genba:search", { start: started });
  };
  search.addEventListener("input", () => {
    shown = LIST_PAGE;
    show();
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // results are already there; IME-safe
  });
  more.addEventListener("click", () => {
    shown += LIST_PAGE;
    show();
  });

  mount(view,
    h("h1", { tabindex: "-1" }, t("customers.title")),
    h("div", { class: "search" }, field({
      name: "q", label: t("customers.search"), control: search, hint: t("customers.searchHint"),
    })),
    summary,
    none, importHint, noMatch,
    list, more,
    getState().user?.role === "rep"
      ? followSearch(() => search.value, () => new Set(index.map((entry) => entry.id))) : null,
    actionBar(linkButton(t("visit.new"), "#/visits/new", { class: "button primary" }),
      newCustomer));
  show();

  const refresh = async () => {
    index = await customerIndex();
    show();
    cacheCustomerIndex(index);
  };
  if (cached) setTimeout(refresh, 0);
  else cacheCustomerIndex(index);
  // While a sync runs, records arrive page by page: re-index once it is over, not every page;
  // a burst of saves re-indexes once.
  return redrawOnData(refresh, { delay: 400, afterSync: true });
}

function row(entry) {
  return h("li", {},
    h("a", { class: "row customer-row", href: `#/customers/${entry.id}` },
      h("span", { class: "row-title" }, entry.name),
      entry.kana ? h("span", { class: "row-sub" }, entry.kana) : null,
      h("span", { class: "row-meta" },
        entry.phoneText ? h("span", {}, entry.phoneText) : null,
        entry.address ? h("span", {}, entry.address) : null,
        entry.last ? h("span", {}, t("customers.lastVisit", { when: ago(entry.last) })) : null)));
}
