// What a manager asks of a deal besides its stage and ball: what is next and by when (the
// newest next action set at a meeting), the meetings linked to it, and its quotes, each a
// link, with a button to record a meeting or make a quote for this deal.

import { daysSince, dateTime, day, yen } from "../format.js";
import { label, t } from "../i18n.js";
import { recordKey } from "../overlay.js";
import { h } from "./dom.js";
import { linkButton } from "./form.js";
import { empty, unsentBadge } from "./widgets.js";

const newest = (at) => (a, b) => (Date.parse(at(b)) || 0) - (Date.parse(at(a)) || 0);
const quoteAt = (q) => q.submitted_at || q.created_at;

/**
 * The newest next action set at a linked meeting, with its due date: 「次は何?」 in one line. A
 * later meeting that set none (a call about something else, say) leaves it showing. A deal won
 * or lost (`closed`) is late for nothing: its last next action shows without the warning.
 */
export function nextAction(visits, { closed = false, now = Date.now() } = {}) {
  const [visit] = visits.filter((v) => v.next_action).sort(newest((v) => v.visited_at));
  if (!visit) return h("p", { class: "next-action empty", "data-testid": "deal-next" }, t("deal.noNext"));
  const late = visit.next_action_due && !closed ? daysSince(`${visit.next_action_due}T12:00:00+09:00`, now) : null;
  return h("p", { class: "next-action", "data-testid": "deal-next" },
    h("strong", {}, t("deal.next")), " ", visit.next_action,
    visit.next_action_due ? [t("text.gap"), h("span", { "data-testid": "deal-next-due" }, t("deal.nextDue", { day: day(visit.next_action_due) }))] : null,
    late > 0 ? [" ", h("span", { class: "badge error" }, t("deal.nextLate", { n: late }))] : null);
}

/** The meetings linked to the deal, newest first, and a button to record one. */
export function meetings(deal, visits, users, unsent) {
  const sorted = [...visits].sort(newest((v) => v.visited_at));
  return h("section", { "aria-labelledby": "deal-visits-h" },
    h("h2", { id: "deal-visits-h" }, t("text.aside", { text: t("deal.visits"), aside: sorted.length })),
    sorted.length ? h("ol", { class: "list", "data-testid": "deal-visits" }, sorted.map((visit) => h("li", {},
      h("a", { class: "row", href: `#/visits/${visit.id}` },
        h("span", { class: "row-title" }, visit.purpose || label("visit.kind", visit.kind)),
        h("span", { class: "row-meta" },
          h("span", {}, dateTime(visit.visited_at)),
          h("span", {}, label("visit.kind", visit.kind)),
          visit.author_id ? h("span", {}, t("record.by", { name: users.get(visit.author_id)?.name || "" })) : null,
          unsent.has(recordKey("visits", visit.id)) ? unsentBadge() : null),
        visit.next_action ? h("span", { class: "row-sub" }, t("deal.next"), " ", visit.next_action) : null))))
      : empty(t("deal.noVisits"), "deal-no-visits"),
    h("p", {}, linkButton(t("deal.newVisit"), `#/visits/new?customer=${deal.customer_id}&deal=${deal.id}`,
      { "data-testid": "deal-new-visit" })));
}

/** The deal's quotes, newest first, and a button to make one for it. */
export function dealQuotes(deal, quotes, unsent) {
  const sorted = [...quotes].sort(newest(quoteAt));
  return h("section", { "aria-labelledby": "deal-quotes-h" },
    h("h2", { id: "deal-quotes-h" }, t("text.aside", { text: t("deal.quotes"), aside: sorted.length })),
    sorted.length ? h("ol", { class: "list", "data-testid": "deal-quotes" }, sorted.map((quote) => h("li", {},
      h("a", { class: "row", href: `#/quotes/${quote.id}` },
        h("span", { class: "row-title" }, [quote.product, quote.drawing_no].filter(Boolean).join(" ") || t("quote.untitled")),
        h("span", { class: "row-meta" },
          h("span", {}, label("quote.status", quote.status || "draft")),
          quote.amount != null ? h("span", {}, yen(quote.amount)) : null,
          quoteAt(quote) ? h("span", {}, dateTime(quoteAt(quote))) : null,
          unsent.has(recordKey("quotes", quote.id)) ? unsentBadge() : null)))))
      : empty(t("deal.noQuotes"), "deal-no-quotes"),
    h("p", {}, linkButton(t("deal.newQuote"), `#/quotes/new?customer=${deal.customer_id}&deal=${deal.id}`,
      { "data-testid": "deal-new-quote" })));
}
