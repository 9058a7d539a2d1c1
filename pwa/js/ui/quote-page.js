// One quote: what was quoted, what it really cost (and by how much it went over), what was hard
// about making it, quotes like it (online, once the server has the quote), "make it again"
// and the printed quote (見積書).

import * as api from "../api.js";
import { getAll, getMeta } from "../db.js";
import { DEAL_ROLES } from "../deals.js";
import { companyDay, day, yen } from "../format.js";
import { label, list, t } from "../i18n.js";
import { getRecord } from "../records.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { weekLabel } from "./load-impact.js";
import { actionBar, linkButton } from "./form.js";
import { drawThenRedrawOnData } from "./redraw.js";
import { empty, fact, notFound, overrunWarning } from "./widgets.js";

export async function render(view, { params }) {
  const quoter = DEAL_ROLES.has(getState().user?.role);
  const draw = async () => {
    const quote = await getRecord("quotes", params[0]);
    if (!quote || quote.deleted) {
      mount(view, ...notFound(t("quote.missing"), "#/quotes", t("quotes.title")));
      return;
    }
    const [customer, groups] = await Promise.all([getRecord("customers", quote.customer_id), getAll("resource_groups")]);
    const similar = h("div", { "data-testid": "similar" }, h("p", { class: "summary" }, t("quote.similarLoading")));
    mount(view,
      h("p", { class: "crumbs" }, h("a", { href: "#/quotes" }, t("quotes.title")), " › ",
        h("a", { href: `#/customers/${quote.customer_id}` }, customer?.name || "")),
      h("h1", { tabindex: "-1", "data-testid": "quote-heading" }, [quote.product, quote.drawing_no].filter(Boolean).join(" ") || t("quote.untitled")),
      overrunWarning(quote),
      h("dl", { class: "facts", "data-testid": "quote-facts" },
        fact(t("quote.status"), label("quote.status", quote.status || "draft")),
        fact(t("quote.amount"), quote.amount != null ? yen(quote.amount) : null),
        fact(t("quote.actualCost"), quote.actual_cost != null
          ? h("span", { "data-testid": "actual-cost" }, yen(quote.actual_cost), " ", costNote(quote)) : null),
        fact(t("quote.material"), quote.material),
        fact(t("quote.dimensions"), quote.dimensions),
        fact(t("quote.method"), quote.processing_method),
        fact(t("quote.details"), quote.processing_details ? h("span", { class: "prewrap" }, quote.processing_details) : null),
        fact(t("quote.quantity"), quote.quantity != null ? String(quote.quantity) : null),
        fact(t("quote.leadTimeShown"), quote.lead_time_days != null ? t("days.count", { n: quote.lead_time_days }) : null),
        // The day it went to the customer (a ledger from Excel has no time of day to show).
        fact(t("quote.submittedAt"), quote.submitted_at ? day(companyDay(quote.submitted_at)) : null),
        fact(t("impact.hoursLegend"), hoursText(quote.process_hours, groups), "quote-hours"),
        fact(t("impact.week"), quote.delivery_week ? weekLabel(quote.delivery_week) : null, "quote-week"),
        fact(t("quote.difficulties"), quote.difficulties
          ? h("span", { class: "prewrap", "data-testid": "difficulties" }, quote.difficulties) : null),
        fact(t("quote.carried"), quote.carried_notes
          ? h("span", { class: "prewrap", "data-testid": "carried-notes" }, quote.carried_notes) : null)),
      h("section", { "aria-labelledby": "similar-h" }, h("h2", { id: "similar-h" }, t("quote.similar")), similar),
      actionBar(
        // Only those who make quotes are offered to make one again or edit it; others print.
        quoter ? linkButton(t("quote.again"), `#/quotes/new?from=${quote.id}`, { class: "button primary", "data-testid": "make-again" }) : null,
        linkButton(t("quotePrint.open"), `#/quotes/${quote.id}/print`, { "data-testid": "print-quote" }),
        quoter ? linkButton(t("form.edit"), `#/quotes/${quote.id}/edit`, { "data-testid": "edit-quote" }) : null));
    loadSimilar(quote, similar);
  };
  return drawThenRedrawOnData(draw);
}

/** 「機械加工 12時間、溶接 6時間」 in the groups' order. */
function hoursText(processHours, groups) {
  if (!processHours || !Object.keys(processHours).length) return null;
  const order = [...groups].sort((a, b) => (a.sort || 0) - (b.sort || 0));
  const names = new Map(order.map((g) => [g.id, g.name]));
  return list(Object.entries(processHours)
    .sort((a, b) => order.findIndex((g) => g.id === a[0]) - order.findIndex((g) => g.id === b[0]))
    .map(([id, hours]) => `${names.get(id) || "?"} ${t("impact.hours", { n: hours })}`));
}

function costNote(quote) {
  if (!(quote.amount > 0)) return null;
  const ratio = Math.round((quote.actual_cost / quote.amount) * 1000) / 10;
  return h("span", { class: quote.actual_cost > quote.amount ? "badge warn" : "badge clear" },
    t("quote.costRatio", { percent: ratio }));
}

async function loadSimilar(quote, box) {
  if (quote.version == null) {  // not on the server yet: it has nothing to compare it with
    mount(box, empty(t("quote.similarAfterSync"), "similar-after-sync"));
    return;
  }
  try {
    const token = await getMeta("token");
    const { results } = await api.similarQuotes(token, quote.id);
    mount(box, results.length ? h("ol", { class: "list" }, results.map(({ quote: other, why }) => h("li", {},
      h("a", { class: "row", href: `#/quotes/${other.id}` },
        h("span", { class: "row-title" }, [other.product, other.drawing_no].filter(Boolean).join(" ")),
        h("span", { class: "row-meta" }, [other.material, other.dimensions, other.processing_method].filter(Boolean).join(" / "),
          other.amount ? ` · ${yen(other.amount)}` : ""),
        h("span", { class: "why" }, t("quotes.why"), list(why.map((w) => label("quote.field", w.field)), { short: true }))))))
      : empty(t("quote.noSimilar")));
  } catch (err) {
    mount(box, empty(err instanceof api.NetworkError ? t("quote.similarOffline") : err.message));
  }
}
