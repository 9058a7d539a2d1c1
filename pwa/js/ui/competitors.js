// Competitors across deals: for each competitor, the deals where they turned up, with their
// product and quoted price, newest first (from 競合あり events and the deals' own lists).

import { loadCalendar } from "../calendar.js";
import { byCompetitor, dealRows, limitsOf } from "../deals.js";
import { companyDay, day, yen } from "../format.js";
import { label, t } from "../i18n.js";
import { h, mount } from "./dom.js";
import { drawThenRedrawOnData } from "./redraw.js";
import { empty } from "./widgets.js";

export async function render(view) {
  const draw = async () => {
    const rows = await dealRows(limitsOf(await loadCalendar()));
    mount(view, ...page(byCompetitor(rows)));
  };
  return drawThenRedrawOnData(draw);
}

function page(competitors) {
  return [
    h("p", { class: "crumbs" }, h("a", { href: "#/deals" }, t("nav.deals"))),
    h("h1", { tabindex: "-1" }, t("competitors.title")),
    h("p", { class: "lead" }, t("competitors.lead")),
    competitors.length ? competitors.map(({ name, entries }) => h("section", { class: "competitor", dataset: { name } },
      h("h2", {}, t("text.aside", { text: name, aside: t("competitors.deals", { n: entries.length }) })),
      h("div", { class: "table-wrap" }, h("table", { class: "board competitor-table" },
        h("thead", {}, h("tr", {}, ["board.deal", "deal.customer", "event.product", "event.price", "competitors.when"]
          .map((key) => h("th", { scope: "col" }, t(key))))),
        h("tbody", {}, entries.map(({ row, product, price, at }) => h("tr", { dataset: { deal: row.deal.id } },
          h("th", { scope: "row" }, h("a", { href: `#/deals/${row.deal.id}` }, row.deal.title),
            h("span", { class: "cell-sub" }, label("deal.stage", row.deal.stage || "card_exchange"))),
          // On a phone the rows are cards: each value says what it is (「価格：6,330,000円」).
          h("td", { "data-label": t("deal.customer") }, row.customer?.name || ""),
          h("td", { "data-label": t("event.product") }, product || ""),
          h("td", { class: "num", "data-label": t("event.price"), "data-testid": "competitor-price" },
            price != null ? yen(price) : ""),
          h("td", { "data-label": t("competitors.when") }, at ? day(companyDay(at)) : t("competitors.onDeal")))))))))
      : empty(t("competitors.none")),
  ];
}
