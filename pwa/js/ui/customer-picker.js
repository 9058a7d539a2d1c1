// Choose a customer inside a form: type a few letters (any width, kana or kanji), tap one.

import { t } from "../i18n.js";
import { customerIndex } from "../records.js";
import { matches, prepareQuery } from "../text.js";
import { h, mount } from "./dom.js";
import { field, input } from "./form.js";

const SHOWN = 8;

export function customerPicker(onPick) {
  let index = null;
  const search = input({ type: "search", enterkeyhint: "search", "data-testid": "customer-picker" });
  const results = h("ul", { class: "list compact picker-results" });
  const show = async () => {
    index = index || await customerIndex();
    const q = prepareQuery(search.value);
    const hits = (q.folded ? index.filter((entry) => matches(entry, q)) : index).slice(0, SHOWN);
    mount(results, ...hits.map((entry) => h("li", {},
      h("button", { type: "button", class: "row pick", onClick: () => onPick(entry.id) },
        h("span", { class: "row-title" }, entry.name),
        entry.kana ? h("span", { class: "row-sub" }, entry.kana) : null))));
  };
  search.addEventListener("input", show);
  show();
  return h("div", { class: "picker" },
    field({ name: "customer_id", label: t("visit.customer"), control: search, required: true,
      hint: t("visit.customerHint") }),
    results);
}
