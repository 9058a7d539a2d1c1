// My requests: what I heard on site and recorded, with the office's status and answer, unread
// first (a status or answer that changed since I last opened it).

import { dateTime } from "../format.js";
import { label, t } from "../i18n.js";
import { req, transaction } from "../db.js";
import { isUnread, seenMarks, unreadCount } from "../seen.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { redrawOnData } from "./redraw.js";
import { empty, menuCount, requestNumber, routeText } from "./widgets.js";

export async function render(view) {
  const draw = async () => {
    const me = getState().user?.id;
    const tx = await transaction(["requests", "customers"]);
    const [requests, customers] = await Promise.all([
      req(tx.objectStore("requests").getAll()), req(tx.objectStore("customers").getAll())]);
    const names = new Map(customers.map((c) => [c.id, c.name]));
    const seen = await seenMarks(me);
    const mine = requests.filter((r) => !r.deleted && r.author_id === me)
      .map((request) => ({ request, unread: isUnread(request, seen) }))
      .sort((a, b) => (b.unread - a.unread) || (Date.parse(b.request.updated_at || b.request.heard_at) || 0)
        - (Date.parse(a.request.updated_at || a.request.heard_at) || 0));
    const unread = mine.filter((m) => m.unread).length;
    mount(view,
      h("h1", { tabindex: "-1" }, t("mine.title")),
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
  await draw();
  return redrawOnData(draw);
}

/** The menu's 「未読 2」 beside 自分の依頼. */
export function unreadBadge() {
  return menuCount("nav-mine-unread", () => unreadCount(getState().user?.id), (n) => t("mine.unreadCount", { n }));
}
