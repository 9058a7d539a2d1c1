// Merging two customers (名寄せ; office, manager, admin; online): the likely duplicates of this
// customer from the server, or any customer on the device searched for by name, kana or phone
// (a duplicate spelt too differently for the server to guess), the two side by side, and one
// button that merges this one into the chosen one. The server moves every record; devices that
// still hold this customer keep working.

import * as api from "../api.js";
import { getMeta } from "../db.js";
import { label, list, t } from "../i18n.js";
import { customerIndex, getRecord } from "../records.js";
import * as sync from "../sync.js";
import { matches, prepareQuery } from "../text.js";
import { h, mount } from "./dom.js";
import { actionBar, button, field, input, linkButton } from "./form.js";
import { emptyItem } from "./widgets.js";

export const MERGERS = new Set(["office", "manager", "admin"]);
const FOUND = 8;
const SHOWN = [["name", "customer.name"], ["name_kana", "customer.kana"], ["status", "customer.statusLabel"],
  ["postal_code", "customer.postalCode"], ["address", "customer.address"], ["phone", "customer.phone"],
  ["email", "customer.email"], ["url", "customer.url"], ["source", "customer.source"]];

export async function render(view, { params, navigate }) {
  const customer = await getRecord("customers", params[0]);
  if (!customer || customer.deleted) return navigate("#/customers");
  const status = h("p", { role: "status", "data-testid": "merge-status" });
  const side = h("div", { class: "merge-side", "data-testid": "merge-compare" });
  const candidatesList = h("ul", { class: "list", "data-testid": "merge-candidates" });
  const merge = button(t("merge.do"), { class: "button primary", disabled: true, "data-testid": "merge-do" });
  let chosen = null;
  mount(view, h("h1", { tabindex: "-1" }, t("merge.title", { name: customer.name })),
    status, candidatesList, searchOthers(customer, (c) => choose(c)), side, actionBar(merge, linkButton(t("form.cancel"), `#/customers/${customer.id}`)));

  const choose = async (candidate) => {
    chosen = await getRecord("customers", candidate.id) || candidate;
    mount(side, table(customer, chosen));
    merge.disabled = false;
  };
  merge.addEventListener("click", async () => {
    merge.disabled = true;
    try {
      await api.mergeCustomer(await getMeta("token"), customer.id, chosen.id);
      sync.requestSync("merge");
      navigate(`#/customers/${chosen.id}`, { replace: true });
    } catch (err) {
      status.textContent = err instanceof api.ApiError ? err.message : t("merge.offline");
      merge.disabled = false;
    }
  });
  try {
    const { candidates } = await api.duplicateCustomers(await getMeta("token"), customer);
    const others = candidates.filter((c) => c.id !== customer.id);
    mount(candidatesList, ...others.map((c) => {
      const pick = button(t("merge.choose", { name: c.name }), { "data-testid": "merge-choose" });
      pick.addEventListener("click", () => choose(c));
      return h("li", { class: "row static" }, h("span", { class: "row-title" }, c.name),
        h("span", { class: "row-meta" }, list(c.why.map((w) => t(`merge.why.${w}`)), { short: true })), pick);
    }));
    if (!others.length) mount(candidatesList, emptyItem(t("merge.none")));
  } catch {
    status.textContent = t("merge.offline");
  }
}

/** A search over the device's other customers, each with a button that compares it. */
function searchOthers(customer, onChoose) {
  let index = null;
  const search = input({ type: "search", enterkeyhint: "search", "data-testid": "merge-search" });
  const found = h("ul", { class: "list compact", "data-testid": "merge-found" });
  const none = h("p", { class: "hint", role: "status", hidden: true });
  search.addEventListener("input", async () => {
    index = index || (await customerIndex()).filter((entry) => entry.id !== customer.id);
    const q = prepareQuery(search.value);
    const hits = q.folded ? index.filter((entry) => matches(entry, q)).slice(0, FOUND) : [];
    mount(found, ...hits.map((entry) => {
      const pick = button(t("merge.choose", { name: entry.name }), { "data-testid": "merge-choose" });
      pick.addEventListener("click", () => onChoose(entry));
      return h("li", { class: "row static" }, h("span", { class: "row-title" }, entry.name),
        h("span", { class: "row-meta" }, list([entry.kana, entry.phoneText].filter(Boolean), { short: true })), pick);
    }));
    none.hidden = !(q.folded && !hits.length);
    none.textContent = none.hidden ? "" : t("customers.noMatch", { q: search.value.trim() });
  });
  return h("section", { class: "merge-search" },
    field({ name: "merge_q", label: t("merge.search"), control: search, hint: t("merge.searchHint") }),
    none, found);
}

function table(loser, survivor) {
  const value = (record, key) => (key === "status" && record[key] ? label("customer.status", record[key]) : record[key] || "—");
  return h("table", { class: "compare" },
    h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", {}, t("merge.loser")), h("th", {}, t("merge.survivor")))),
    h("tbody", {}, SHOWN.map(([key, labelKey]) => h("tr", {},
      h("th", { scope: "row" }, t(labelKey)),
      h("td", {}, value(loser, key)), h("td", {}, value(survivor, key))))));
}
