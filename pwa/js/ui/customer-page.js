// A customer: details, contacts (those who left folded away after the current ones), and a
// timeline of visits, requests, deals and quotes, newest first. Requests show the route the
// server chose once they have been synced.

import { byStanding, peopleMet } from "../contacts.js";
import { ago, dateTime, day, yen } from "../format.js";
import { label, list, pieces, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { recordKey } from "../overlay.js";
import { DEAL_ROLES } from "../deals.js";
import { customerBundle } from "../records.js";
import { getState } from "../store.js";
import { cardReview } from "./card-review.js";
import { MERGERS } from "./customer-merge.js";
import { eventText } from "./deal-events.js";
import { companyName, h, mount } from "./dom.js";
import { actionBar, linkButton } from "./form.js";
import { timelinePhotos } from "./photos.js";
import { drawThenRedrawOnData } from "./redraw.js";
import {
  LIST_PAGE, dealBadge, empty, fact, inPages, notFound, phoneLink, placeOf, requestNumber, routeText, unsentBadge,
} from "./widgets.js";

export async function render(view, { params }) {
  const [id] = params;
  // A customer of many years has hundreds of entries: the newest are drawn, the rest on asking
  // (600 took 0.6-0.9 s to draw on the test machine, again at every sync's redraw).
  const shown = { n: LIST_PAGE };
  const draw = async () => {
    const [bundle, unsent] = await Promise.all([customerBundle(id), outbox.unsentKeys()]);
    mount(view, ...page(bundle, unsent, shown));
  };
  return drawThenRedrawOnData(draw);
}

function page(bundle, unsent, shown) {
  const { customer } = bundle;
  if (!customer || customer.deleted) return notFound(t("customer.missing"));
  const names = (userId) => bundle.users.get(userId)?.name || "";
  const { current, former } = byStanding(bundle.contacts);
  const everyContact = [...bundle.contacts, ...bundle.deletedContacts];
  const dealer = DEAL_ROLES.has(getState().user?.role);
  return [
    h("p", { class: "crumbs" }, h("a", { href: "#/customers" }, t("nav.customers"))),
    h("h1", { tabindex: "-1", "data-testid": "customer-name" }, companyName(customer.name)),
    customer.name_kana ? h("p", { class: "sub" }, customer.name_kana) : null,
    h("dl", { class: "facts" },
      fact(t("customer.phone"), phoneLink(customer.phone)),
      fact(t("customer.address"), placeOf(customer)),
      fact(t("customer.owner"), names(customer.owner_id)),
      fact(t("customer.notes"), customer.notes ? h("span", { class: "prewrap" }, customer.notes) : null)),
    // Changing the record itself sits by its facts; the bar kept at the bottom is for the work
    // done at the customer (on a phone it took three rows of the screen for the office).
    h("div", { class: "actions inline record-actions" },
      linkButton(t("customer.edit"), `#/customers/${customer.id}/edit`, { class: "button small", "data-testid": "edit-customer" }),
      MERGERS.has(getState().user?.role)
        ? linkButton(t("customer.merge"), `#/customers/${customer.id}/merge`, { class: "button small", "data-testid": "merge-customer" })
        : null),
    cardReview(customer, bundle.contacts),
    h("section", { "aria-labelledby": "contacts-h" },
      h("h2", { id: "contacts-h" }, t("customer.contacts")),
      current.length
        ? h("ul", { class: "list compact", "data-testid": "contacts" },
          current.map((contact) => contactRow(contact, unsent)))
        : empty(t(former.length ? "customer.noCurrentContacts" : "customer.noContacts")),
      // Whoever may change the customer may change its people: the server asks the same.
      h("div", { class: "actions inline below-list" },
        linkButton(t("contact.open"), `#/contacts/new?customer=${customer.id}`, { class: "button small", "data-testid": "new-contact" })),
      // Folded: rarely needed, and opened to put someone back with the customer (their 編集).
      former.length
        ? h("details", { class: "former-contacts", "data-testid": "former-contacts" },
          h("summary", {}, t("text.aside", { text: t("customer.formerContacts"), aside: former.length })),
          h("ul", { class: "list compact" }, former.map((contact) => contactRow(contact, unsent))))
        : null),
    h("section", { "aria-labelledby": "timeline-h" },
      h("h2", { id: "timeline-h" }, t("customer.timeline")),
      timeline(bundle, everyContact, names, unsent, shown)),
    actionBar(
      linkButton(t("visit.new"), `#/visits/new?customer=${customer.id}`, { class: "button primary", "data-testid": "new-visit" }),
      linkButton(t("request.new"), `#/requests/new?customer=${customer.id}`, { "data-testid": "new-request" }),
      dealer ? linkButton(t("quote.newTitle"), `#/quotes/new?customer=${customer.id}`, { "data-testid": "new-quote" }) : null,
      dealer ? linkButton(t("deal.newTitle"), `#/deals/new?customer=${customer.id}`, { "data-testid": "new-deal" }) : null),
  ];
}

/** A contact's row: who, and how to reach them (numbers as links that call), with its 編集. */
function contactRow(contact, unsent) {
  const labelled = (key, value) => (value ? h("span", {}, pieces("text.labelled", { label: t(key), text: value })) : null);
  return h("li", { class: "row static contact-row", dataset: { id: contact.id } },
    h("span", { class: "contact-main" },
      h("span", { class: "row-title", "data-testid": "contact-row-name" }, contact.name),
      unsent.has(recordKey("contacts", contact.id)) ? unsentBadge() : null,
      h("span", { class: "row-meta" },
        list([contact.department, contact.title].filter(Boolean), { short: true }) || null,
        labelled("contact.phone", phoneLink(contact.phone)),
        labelled("contact.mobile", phoneLink(contact.mobile)),
        labelled("contact.fax", contact.fax),
        contact.email ? h("a", { class: "action-link email", href: `mailto:${contact.email}` }, contact.email) : null)),
    linkButton(t("contact.edit"), `#/contacts/${contact.id}/edit`, {
      class: "button small", "aria-label": t("contact.editOf", { name: contact.name }), "data-testid": "edit-contact" }));
}

/** When an item happened, for ordering: the visit time, when a request was heard, and so on. */
export function happenedAt(entity, record) {
  const value = {
    visits: record.visited_at,
    requests: record.heard_at || record.created_at,
    deals: record.updated_at,
    quotes: record.submitted_at || record.created_at,
    deal_events: record.occurred_at || record.created_at,
  }[entity];
  return Date.parse(value) || Date.now();
}

function timeline(bundle, everyContact, names, unsent, shown) {
  const items = [];
  for (const entity of ["visits", "requests", "deals", "quotes", "deal_events"]) {
    for (const record of bundle[entity]) items.push({ entity, record, at: happenedAt(entity, record) });
  }
  if (!items.length) return empty(t("customer.noHistory"));
  items.sort((a, b) => b.at - a.at);
  const deals = new Map(bundle.deals.map((d) => [d.id, d]));
  const item = ({ entity, record, at }) => {
    const pending = unsent.has(recordKey(entity, record.id));
    const when = h("span", { class: "when" }, dateTime(at), " · ", ago(at));
    const body = ITEM[entity](record, everyContact, names, deals);
    const content = [h("span", { class: "item-head" }, h("span", { class: "tag" }, label("entity", entity)), when,
      pending ? unsentBadge() : null), body,
    entity === "visits" || entity === "requests" ? timelinePhotos(record.id) : null];
    const href = {
      visits: `#/visits/${record.id}`, requests: `#/requests/${record.id}`, deals: `#/deals/${record.id}`,
      deal_events: `#/deals/${record.deal_id}`, quotes: `#/quotes/${record.id}`,
    }[entity] || null;
    return h("li", { class: ["item", entity], dataset: { id: record.id } },
      href ? h("a", { class: "item-link", href }, content) : h("div", { class: "item-static" }, content));
  };
  return inPages(h("ol", { class: "timeline", "data-testid": "timeline" }), items, item, shown, "timeline-more");
}

const ITEM = {
  visits: (visit, contacts, names) => h("span", { class: "item-body" },
    h("span", { class: "item-title" }, label("visit.kind", visit.kind), visit.purpose ? ` — ${visit.purpose}` : ""),
    visit.notes ? h("span", { class: "item-text" }, visit.notes) : null,
    visit.handling ? h("span", { class: "item-text" }, visit.handling) : null,
    h("span", { class: "item-meta" },
      // Those who left are named as they were; a deleted one, while the device holds the name, is said so.
      list(peopleMet(visit, contacts).map((c) => (c.deleted ? t("contact.deletedName", { name: c.name }) : c.name))),
      visit.author_id ? ` ${t("record.by", { name: names(visit.author_id) })}` : "",
      visit.next_action ? ` ${t("visit.nextShort", { action: visit.next_action, due: day(visit.next_action_due) })}` : "")),
  requests: (request) => h("span", { class: "item-body" },
    h("span", { class: "item-title" }, requestNumber(request), " ", label("request.kind", request.kind), " — ", request.title),
    request.details ? h("span", { class: "item-text" }, request.details) : null,
    request.response ? h("span", { class: "item-text answer", "data-testid": "answer" },
      h("strong", {}, t("request.answerLabel")), request.response) : null,
    h("span", { class: "item-meta" },
      h("span", { class: "route", "data-testid": "route" }, t("request.routeLabel"), routeText(request)),
      ` · ${label("request.status", request.status || "new")} · ${t("request.urgencyLabel")}${label("request.urgency", request.urgency || "normal")}`)),
  deals: (deal) => h("span", { class: "item-body" },
    h("span", { class: "item-title" }, deal.title),
    h("span", { class: "item-meta" },
      label("deal.stage", deal.stage || "card_exchange"), " · ", dealBadge(deal),
      deal.amount ? ` · ${yen(deal.amount)}` : "")),
  deal_events: (event, contacts, names, deals) => h("span", { class: "item-body" },
    h("span", { class: "item-title" }, eventText(event)),
    event.note ? h("span", { class: "item-text" }, event.note) : null,
    h("span", { class: "item-meta" }, deals.get(event.deal_id)?.title || "",
      event.author_id ? ` ${t("record.by", { name: names(event.author_id) })}` : "")),
  quotes: (quote) => h("span", { class: "item-body" },
    h("span", { class: "item-title" }, [quote.product, quote.drawing_no].filter(Boolean).join(" ")),
    h("span", { class: "item-meta" },
      [quote.material, quote.dimensions, quote.processing_method].filter(Boolean).join(" / "),
      quote.amount ? ` · ${yen(quote.amount)}` : "", ` · ${label("quote.status", quote.status)}`)),
};
