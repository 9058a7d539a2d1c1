// The printed quote (見積書) from the device's own record, laid out as the paper form, so it
// prints offline with the browser's print like the service report (visit-print.js).

import { loadCalendar } from "../calendar.js";
import { day, companyDay, yen } from "../format.js";
import { t } from "../i18n.js";
import { getRecord } from "../records.js";
import { h, mount } from "./dom.js";
import { actionBar, button, linkButton } from "./form.js";
import { issuer } from "./widgets.js";

export async function render(view, { params, navigate }) {
  const quote = await getRecord("quotes", params[0]);
  if (!quote || quote.deleted) return navigate("#/quotes");
  const [customer, calendar, inCharge] = await Promise.all([getRecord("customers", quote.customer_id),
    loadCalendar(), personInCharge(quote)]);
  const row = (heading, value) => (value === null || value === undefined || value === "" ? null
    : h("tr", {}, h("th", { scope: "row" }, heading), h("td", { class: "prewrap" }, value)));
  mount(view,
    h("article", { class: "print-sheet quote-sheet", "data-testid": "quote-sheet" },
      h("h1", { tabindex: "-1" }, t("quotePrint.title")),
      h("p", { class: "print-date", "data-testid": "quote-sheet-date" },
        day(companyDay(quote.submitted_at || quote.created_at || Date.now()))),
      h("div", { class: "print-parties" },
        h("p", { class: "print-to" }, t("print.to", { name: customer?.name || "" })),
        issuer(calendar.company, inCharge?.name)),
      h("p", {}, t("quotePrint.lead")),
      h("p", { class: "quote-total" }, h("span", {}, t("quotePrint.total")),
        h("strong", { "data-testid": "quote-sheet-amount" }, quote.amount != null ? yen(quote.amount) : t("quotePrint.tbd")),
        h("span", { class: "hint" }, t("quotePrint.taxNote"))),
      h("table", { class: "print-table" }, h("tbody", {},
        row(t("quote.product"), quote.product),
        row(t("quote.drawingNo"), quote.drawing_no),
        row(t("quote.material"), quote.material),
        row(t("quote.dimensions"), quote.dimensions),
        row(t("quote.method"), quote.processing_method),
        row(t("quote.details"), quote.processing_details),
        row(t("quote.quantity"), quote.quantity != null ? String(quote.quantity) : null),
        row(t("quote.leadTimeShown"), quote.lead_time_days != null ? t("days.count", { n: quote.lead_time_days }) : null)))),
    actionBar(
      button(t("print.print"), { class: "button primary no-print", "data-testid": "print", onClick: () => window.print() }),
      linkButton(t("quotePrint.back"), `#/quotes/${quote.id}`, { class: "button no-print" })));
  return null;
}

/**
 * 担当: who made the quote (the server records it; this device, for one not sent yet), or for a
 * quote made before quotes named their maker, the owner of its deal.
 */
async function personInCharge(quote) {
  if (quote.author_id) return getRecord("users", quote.author_id);
  const deal = quote.deal_id ? await getRecord("deals", quote.deal_id) : null;
  return deal?.owner_id ? getRecord("users", deal.owner_id) : null;
}
