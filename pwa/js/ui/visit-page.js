// One visit as saved: everything recorded, the requests heard during it, and the next steps
// (record a request or complaint heard here, edit).

import { peopleMet } from "../contacts.js";
import { dateTime, day, partsText } from "../format.js";
import { label, list, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { recordKey } from "../overlay.js";
import { customerBundle, getRecord } from "../records.js";
import { h, mount } from "./dom.js";
import { actionBar, linkButton } from "./form.js";
import { photoSection } from "./photos.js";
import { drawThenRedrawOnData } from "./redraw.js";
import { empty, fact, heardAfterSigning, heardOn, notFound, requestNumber, routeText, signLink, unsentNotice } from "./widgets.js";

export async function render(view, { params }) {
  let photoEl = null; // made once, kept across redraws: its uploads and object URLs live on
  const draw = async () => {
    const visit = await getRecord("visits", params[0]);
    if (!visit || visit.deleted) {
      mount(view, ...notFound(t("visit.missing")));
      return;
    }
    const [bundle, marks] = await Promise.all([customerBundle(visit.customer_id), outbox.unsentAndRefused()]);
    const unsent = marks.unsent.has(recordKey("visits", visit.id));
    const refused = marks.refused.has(recordKey("visits", visit.id));
    const met = peopleMet(visit, [...bundle.contacts, ...bundle.deletedContacts]).map((c) => (c.deleted
      ? t("contact.deletedName", { name: c.name }) : c.left ? t("contact.leftName", { name: c.name }) : c.name));
    const heard = heardOn(bundle.requests, visit);
    const deal = visit.deal_id ? bundle.deals.find((d) => d.id === visit.deal_id) : null;
    mount(view,
      h("p", { class: "crumbs" }, h("a", { href: `#/customers/${visit.customer_id}` }, bundle.customer?.name || t("nav.customers"))),
      h("h1", { tabindex: "-1" }, label("visit.kind", visit.kind), " ", dateTime(visit.visited_at)),
      unsent ? unsentNotice("visit-unsent", refused) : null,
      visit.signed_at && visit.changed_after_signing_at
        ? h("p", { class: "alert warn", role: "note", "data-testid": "changed-after-signing" },
          t("visit.changedAfterSigning", { when: dateTime(visit.changed_after_signing_at) }))
        : null,
      h("dl", { class: "facts", "data-testid": "visit-facts" },
        fact(t("visit.customer"), bundle.customer?.name),
        fact(t("visit.contacts"), list(met), "visit-contacts"),
        fact(t("visit.deal"), deal ? h("a", { href: `#/deals/${deal.id}`, "data-testid": "visit-deal-link" }, deal.title) : null),
        fact(t("visit.purpose"), visit.purpose),
        fact(t("visit.notes"), visit.notes),
        fact(t("visit.handling"), visit.handling),
        fact(t("visit.workMinutes"), visit.work_minutes != null ? t("report.minutes", { n: visit.work_minutes }) : null),
        fact(t("visit.parts"), partsText(visit.parts)),
        fact(t("visit.signedBy"), visit.signed_by),
        fact(t("visit.signedAt"), dateTime(visit.signed_at), "visit-signed-at"),
        fact(t("visit.nextAction"), visit.next_action ? [visit.next_action,
          // Done: a visit (a call, say) at the customer, which takes its place on 今日.
          linkButton(t("visit.followUp"), `#/visits/new?customer=${visit.customer_id}&after=${visit.id}`,
            { class: "button small follow-up", "data-testid": "visit-follow-up" })] : null),
        fact(t("visit.due"), day(visit.next_action_due)),
        fact(t("record.author"), bundle.users.get(visit.author_id)?.name)),
      h("section", {},
        h("h2", {}, t("visit.requests")),
        heard.length ? h("ul", { class: "list compact" }, heard.map((r) => h("li", {},
          h("a", { class: "row", href: `#/requests/${r.id}` },
            h("span", { class: "row-title" }, requestNumber(r), " ", label("request.kind", r.kind), " — ", r.title),
            heardAfterSigning(r, visit)
              ? h("span", { class: "row-meta", "data-testid": "after-signing" }, t("visit.requestAfterSigning")) : null,
            h("span", { class: "row-meta", "data-testid": "route" }, t("request.routeLabel"), routeText(r))))))
          : empty(t("visit.noRequests"))),
      photoEl ||= photoSection({ entity: "visits", id: visit.id, customer_id: visit.customer_id }),
      actionBar(
        linkButton(t("request.newFromVisit"), `#/requests/new?customer=${visit.customer_id}&visit=${visit.id}`,
          { class: "button primary", "data-testid": "new-request" }),
        linkButton(t("form.edit"), `#/visits/${visit.id}/edit`),
        signLink(visit, { "data-testid": "visit-sign" }),
        linkButton(t("visit.print"), `#/visits/${visit.id}/print`, { "data-testid": "visit-print" })));
  };
  const offData = await drawThenRedrawOnData(draw);
  return () => { offData(); photoEl?.dispose(); };
}
