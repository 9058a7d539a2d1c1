// Deals and the 要フォロー list, computed on the device from synced data (offline too): deals
// whose ball has sat with us or the customer too long, or with no activity at all, most overdue
// first; then every open deal, longest with the ball first. A rep sees their own by default;
// the office and managers choose a rep (#/deals?owner=).

import { loadCalendar } from "../calendar.js";
import { BOARD_ROLES, CLOSED, DEAL_ROLES, dealRows, followUpList, limitsOf, reasonText } from "../deals.js";
import { dateTime, yen } from "../format.js";
import { label, t } from "../i18n.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { linkButton } from "./form.js";
import { drawThenRedrawOnData } from "./redraw.js";
import { dealBadge, empty, followUpMark, ownerFilter } from "./widgets.js";

export async function render(view, { query, navigate }) {
  const user = getState().user;
  const owner = query.get("owner") ?? (user?.role === "rep" ? user.id : "");
  const draw = async () => {
    const calendar = await loadCalendar();
    const limits = limitsOf(calendar);
    const rows = await dealRows(limits);
    mount(view, ...page(rows, limits, owner, navigate));
  };
  return drawThenRedrawOnData(draw);
}

function page(rows, limits, owner, navigate) {
  const mine = rows.filter((r) => !owner || r.deal.owner_id === owner);
  const follow = followUpList(mine);
  const open = mine.filter((r) => !CLOSED.has(r.deal.stage)).sort((a, b) => b.ballDays - a.ballDays);
  const closed = mine.filter((r) => CLOSED.has(r.deal.stage));
  return [
    h("h1", { tabindex: "-1" }, t("deals.title")),
    DEAL_ROLES.has(getState().user?.role)
      ? h("p", {}, linkButton(t("deal.newTitle"), "#/deals/new", { "data-testid": "deal-new" })) : null,
    ownerFilter(rows, owner, (next) => navigate(`#/deals${next ? `?owner=${next}` : "?owner="}`)),
    h("p", { class: "hint" }, t("deals.rules", Object.fromEntries(
      Object.entries(limits).map(([rule, n]) => [rule, t("days.count", { n })])))),
    h("section", { "aria-labelledby": "follow-h", class: "follow-up" },
      h("h2", { id: "follow-h" }, t("text.aside", { text: t("deals.followUp"), aside: follow.length })),
      follow.length ? h("ol", { class: "list deal-list", "data-testid": "follow-up-list" }, follow.map((r) => dealRow(r, true)))
        : empty(t("deals.noFollowUp"), "follow-up-empty")),
    h("section", { "aria-labelledby": "open-h" },
      h("h2", { id: "open-h" }, t("text.aside", { text: t("deals.open"), aside: open.length })),
      open.length ? h("ol", { class: "list deal-list", "data-testid": "open-deals" }, open.map((r) => dealRow(r, false)))
        : empty(t("deals.none"))),
    closed.length ? h("details", {}, h("summary", {}, t("text.aside", { text: t("deals.closed"), aside: closed.length })),
      h("ol", { class: "list deal-list" }, closed.map((r) => dealRow(r, false)))) : null,
    h("p", {},
      BOARD_ROLES.has(getState().user?.role) ? [h("a", { class: "action-link", href: "#/board", "data-testid": "to-board" }, t("board.title")), " · "] : null,
      h("a", { class: "action-link", href: "#/competitors", "data-testid": "to-competitors" }, t("competitors.title"))),
  ];
}

function dealRow(row, withReasons) {
  const { deal } = row;
  return h("li", { class: ["deal-item", row.reasons.length ? "needs-follow-up" : null], dataset: { id: deal.id } },
    h("a", { class: "row", href: `#/deals/${deal.id}` },
      h("span", { class: "row-title" },
        // Under 要フォロー the heading and the reasons below say it: the mark is for the full list.
        row.reasons.length && !withReasons ? [followUpMark(row.reasons, "follow-up-mark"), " "] : null,
        deal.title),
      h("span", { class: "row-meta" },
        h("span", {}, row.customer?.name || ""),
        h("span", {}, label("deal.stage", deal.stage || "card_exchange")),
        dealBadge(deal),
        deal.amount != null ? h("span", {}, yen(deal.amount)) : null,
        row.owner ? h("span", {}, t("deal.ownerShort", { name: row.owner.name })) : null,
        row.activity ? h("span", {}, t("deal.lastActivityShort", { when: dateTime(row.activity) })) : null),
      withReasons ? h("span", { class: "row-meta reasons", "data-testid": "reasons" },
        row.reasons.map((r) => h("span", { class: "reason" }, "⚠ ", reasonText(r)))) : null));
}
