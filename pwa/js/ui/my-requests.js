// My requests: those the office assigned to me that are not closed yet, those waiting for my
// answer first, oldest heard first (the assignee answers them: without this list they had to be
// found customer by customer); then
// what I heard on site and recorded, with the office's status and answer, unread first (a
// status or answer that changed since I last opened it).

import { dateTime } from "../format.js";
import { label, list, t } from "../i18n.js";
import { req, transaction } from "../db.js";
import { isUnread, seenMarks } from "../seen.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { drawThenRedrawOnData } from "./redraw.js";
import { empty, menuCount, requestNumber, routeText } from "./widgets.js";

export async function render(view) {
  const draw = async () => {
    const me = getState().user?.id;
    const tx = await transaction(["requests", "customers"]);
    const requests = await req(tx.objectStore("requests").getAll());
    // The names of the customers listed only (a technician's device holds every customer).
    const listed = new Set(requests.filter((r) => !r.deleted && (r.author_id === me || r.assignee_id === me))
      .map((r) => r.customer_id));
    const customers = await Promise.all([...listed].map((id) => req(tx.objectStore("customers").get(id))));
    const names = new Map(customers.filter(Boolean).map((c) => [c.id, c.name]));
    const seen = await seenMarks(me);
    const mine = requests.filter((r) => !r.deleted && r.author_id === me)
      .map((request) => ({ request, unread: isUnread(request, seen) }))
      .sort((a, b) => (b.unread - a.unread) || (Date.parse(b.request.updated_at || b.request.heard_at) || 0)
        - (Date.parse(a.request.updated_at || a.request.heard_at) || 0));
    const unread = mine.filter((m) => m.unread).length;
    const assigned = assignedOpen(requests, me);
    mount(view,
      h("h1", { tabindex: "-1" }, t("mine.title")),
      assigned.length ? h("section", { "data-testid": "assigned" },
        h("h2", { "data-testid": "assigned-heading" },
          t("mine.assigned", { n: assigned.length, waiting: assigned.filter((r) => r.status !== "answered").length })),
        h("ol", { class: "list", "data-testid": "assigned-requests" }, assigned.map((request) =>
          h("li", { class: "mine-item", dataset: { id: request.id } },
            h("a", { class: "row", href: `#/requests/${request.id}` },
              h("span", { class: "row-title" },
                requestNumber(request), " ", label("request.kind", request.kind), " — ", request.title),
              h("span", { class: "row-meta" },
                h("span", {}, names.get(request.customer_id) || ""),
                h("span", {}, t("mine.heard", { at: dateTime(request.heard_at || request.created_at) })),
                h("span", {}, t("request.urgencyLabel"), label("request.urgency", request.urgency || "normal")),
                h("span", { "data-testid": "assigned-status" }, label("request.status", request.status || "new"))))))))
        : null,
      assigned.length ? h("h2", {}, t("mine.recorded")) : null,
      h("p", { class: "summary", "data-testid": "mine-summary" }, t("mine.summary", { n: mine.length, unread })),
      mine.length ? h("ol", { class: "list", "data-testid": "my-requests" }, mine.map(({ request, unread: isNew }) =>
        h("li", { class: ["mine-item", isNew ? "unread" : null], dataset: { id: request.id, unread: String(isNew) } },
          h("a", { class: "row", href: `#/requests/${request.id}` },
            h("span", { class: "row-title" },
              isNew ? h("span", { class: "badge info unread-mark", "data-testid": "unread" }, t("mine.unread")) : null,
              " ", requestNumber(request), " ", label("request.kind", request.kind), " — ", request.title),
            h("span", { class: "row-meta" },
              h("span", {}, names.get(request.customer_id) || ""),
              h("span", {}, dateTime(request.heard_at || request.created_at)),
              h("span", {}, t("request.routeLabel"), routeText(request)),
              h("span", { "data-testid": "mine-status" }, label("request.status", request.status || "new"))),
            request.response ? h("span", { class: "row-sub answer", "data-testid": "mine-answer" },
              t("request.answerLabel"), request.response) : null))))
        : empty(t("mine.empty")));
  };
  return drawThenRedrawOnData(draw);
}

/**
 * The requests assigned to `userId` and not closed: those waiting for their answer first (the
 * menu's 「担当 1」), then those answered and not closed yet; each oldest heard first.
 */
function assignedOpen(requests, userId) {
  const heard = (r) => Date.parse(r.heard_at || r.created_at) || 0;
  const answered = (r) => Number(r.status === "answered");
  return requests.filter((r) => !r.deleted && userId && r.assignee_id === userId && r.status !== "closed")
    .sort((a, b) => answered(a) - answered(b) || heard(a) - heard(b));
}

/** The menu's 「未読 2」 beside 自分の依頼, or 「担当 1」 (assigned, not answered yet), or both. */
export function unreadBadge() {
  let shown = { unread: 0, assigned: 0 };
  const count = async () => {
    const me = getState().user?.id;
    if (!me) return 0;
    const tx = await transaction(["requests"]);
    const [requests, seen] = await Promise.all([req(tx.objectStore("requests").getAll()), seenMarks(me)]);
    shown = {
      unread: requests.filter((r) => !r.deleted && r.author_id === me && isUnread(r, seen)).length,
      // Assigned and not answered yet: the assignee's turn (an answered one stays listed until closed).
      assigned: assignedOpen(requests, me).filter((r) => r.status !== "answered").length,
    };
    return shown.unread + shown.assigned;
  };
  const text = () => list([shown.unread ? t("mine.unreadCount", { n: shown.unread }) : null,
    shown.assigned ? t("mine.assignedCount", { n: shown.assigned }) : null].filter(Boolean), { short: true });
  // Both on a phone's tab (a fifth of the width): the sum, which the screen then explains.
  const short = (n) => (shown.unread && shown.assigned ? String(n) : null);
  return menuCount("nav-mine-unread", count, text, short);
}
