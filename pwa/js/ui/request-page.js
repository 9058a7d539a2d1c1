// One request or complaint: its number, what was heard, where the server routed it (once
// synced), its status and the office's answer; for office roles and the assignee the triage
// actions (the only editor of those fields); for everyone the audit trail. Its author opening it marks it seen (my requests' unread marks).

import { ago, dateTime } from "../format.js";
import { label, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { recordKey } from "../overlay.js";
import { customerBundle, getRecord } from "../records.js";
import { markSeen } from "../seen.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { actionBar, carryEdits, focusSpot, formValues, linkButton, refocus } from "./form.js";
import { TRIAGERS } from "./inbox.js";
import { photoSection } from "./photos.js";
import { drawThenRedrawOnData } from "./redraw.js";
import { historyList, historyOf } from "./request-history.js";
import { triagePanel } from "./triage.js";
import { fact, notFound, routeText, unsentNotice } from "./widgets.js";

export async function render(view, { params }) {
  let photoEl = null; // made once, kept across redraws: its uploads and object URLs live on
  // The triage form is kept while the request's triage fields stay as they were, so a pull of
  // other records does not undo a choice the office is in the middle of making; drawn anew for
  // a newer request, it takes over what was typed in it (an answer half written stays).
  let triage = { key: null, el: null, initial: {} };
  // Also kept across redraws: the triage's confirmation, read out by screen readers.
  const note = h("p", { class: "toast", role: "status", "aria-live": "polite", "data-testid": "triage-saved" });
  const draw = async () => {
    const request = await getRecord("requests", params[0]);
    if (!request || request.deleted) {
      mount(view, ...notFound(t("request.missing")));
      return;
    }
    const [bundle, marks, history] = await Promise.all([
      customerBundle(request.customer_id), outbox.unsentAndRefused(), historyOf(request.id)]);
    const me = getState().user;
    await markSeen(request, me?.id);
    const triager = TRIAGERS.has(me?.role);
    const answers = triager || (request.assignee_id && request.assignee_id === me?.id);
    const unsent = marks.unsent.has(recordKey("requests", request.id));
    const spot = focusSpot(triage.el); // the redraw takes the form off the page for a moment
    mount(view,
      h("p", { class: "crumbs" }, h("a", { href: `#/customers/${request.customer_id}` }, bundle.customer?.name || "")),
      h("h1", { tabindex: "-1", "data-testid": "request-heading" }, label("request.kind", request.kind), " — ", request.title),
      unsent ? unsentNotice("request-unsent", marks.refused.has(recordKey("requests", request.id))) : null,
      h("dl", { class: "facts", "data-testid": "request-facts" },
        fact(t("request.number"), request.number // the label says 受付番号 already: the number alone
          ? h("span", { class: "request-number", "data-testid": "request-number" }, String(request.number))
          : t("request.numberPending")),
        fact(t("request.route"), h("span", { "data-testid": "route" }, routeText(request))),
        fact(t("request.status"), h("span", { "data-testid": "request-status" }, label("request.status", request.status || "new"))),
        fact(t("request.urgency"), label("request.urgency", request.urgency || "normal")),
        fact(t("request.heardAt"), request.heard_at
          ? t("text.aside", { text: dateTime(request.heard_at), aside: ago(request.heard_at) }) : null),
        fact(t("request.details"), request.details),
        fact(t("request.assignee"), bundle.users.get(request.assignee_id)?.name),
        fact(t("request.response"), request.response
          ? h("span", { class: "prewrap", "data-testid": "request-response" }, request.response) : null),
        fact(t("record.author"), bundle.users.get(request.author_id)?.name),
        request.visit_id ? fact(t("request.visit"), h("a", { class: "action-link", href: `#/visits/${request.visit_id}` }, t("request.openVisit"))) : null),
      answers ? triageFor(request, bundle.users, triager) : null,
      h("section", { "aria-labelledby": "history-h" },
        h("h2", { id: "history-h" }, t("history.title")), historyList(history, bundle.users)),
      photoEl ||= photoSection({ entity: "requests", id: request.id, customer_id: request.customer_id }),
      actionBar(linkButton(t("form.edit"), `#/requests/${request.id}/edit`,
        { class: triager ? "button" : "button primary", "data-testid": "edit-request" })));
    if (spot && triage.el?.isConnected) refocus(triage.el, spot);
  };
  const triageFor = (request, users, canRoute) => {
    const key = JSON.stringify([request.version, canRoute, users.size,
      ...["route_to", "assignee_id", "status", "response"].map((name) => request[name] ?? null)]);
    if (triage.key !== key) {
      const el = triagePanel(request, users, { canRoute, note });
      const initial = formValues(el);
      if (triage.el) carryEdits(triage.el, triage.initial, el);
      triage = { key, el, initial };
    }
    return triage.el;
  };
  const offData = await drawThenRedrawOnData(draw);
  return () => { offData(); photoEl?.dispose(); note.remove(); };
}
