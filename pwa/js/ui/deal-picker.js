// The visit form's deal: link the visit to one of the customer's deals and, in the same save,
// move its stage or hand over the ball, so the meeting and the progress are recorded in one step.

import { CLOSED, STAGES, badgeText } from "../deals.js";
import { label, t } from "../i18n.js";
import { h, mount } from "./dom.js";
import { choiceValue, choices, field } from "./form.js";

/** `{el, dealId(), edit()}`: `edit()` is the deal's outbox edit, or null when nothing moves. */
export function dealMover(deals, selectedId = null) {
  const live = deals.filter((d) => !d.deleted && (!CLOSED.has(d.stage) || d.id === selectedId));
  const select = h("select", { "data-testid": "visit-deal" },
    h("option", { value: "" }, t("visit.noDeal")),
    live.map((d) => h("option", { value: d.id, selected: d.id === selectedId },
      `${d.title}（${label("deal.stage", d.stage || "card_exchange")}）`)));
  const moves = h("div", { class: "deal-moves" });
  const el = h("fieldset", { class: "field deal-link", dataset: { field: "deal_id" } },
    h("legend", {}, t("visit.deal")),
    live.length ? field({ name: "deal", label: t("visit.dealPick"), control: select }) : h("p", { class: "hint" }, t("visit.noDeals")),
    moves);
  let stage = null;
  const current = () => live.find((d) => d.id === select.value) || null;
  const drawMoves = () => {
    const deal = current();
    if (!deal) {
      mount(moves);
      stage = null;
      return;
    }
    stage = h("select", { "data-testid": "visit-deal-stage" },
      STAGES.map((s) => h("option", { value: s, selected: s === (deal.stage || "card_exchange") }, label("deal.stage", s))));
    mount(moves,
      h("p", { class: "hint", "data-testid": "visit-deal-badge" }, badgeText(deal)),
      field({ name: "deal_stage", label: t("visit.dealStage"), control: stage }),
      choices({ name: "deal_ball", legend: t("visit.dealBall"), value: deal.ball || "ours",
        options: ["ours", "customer"].map((b) => [b, label("deal.ballIs", b)]) }),
      h("p", { class: "hint" }, t("visit.dealHint")));
  };
  select.addEventListener("change", drawMoves);
  drawMoves();
  return {
    el,
    dealId: () => current()?.id || null,
    edit: () => {
      const deal = current();
      if (!deal) return null;
      const changes = {};
      if (stage && stage.value !== (deal.stage || "card_exchange")) changes.stage = stage.value;
      const ball = choiceValue(el, "deal_ball");
      if (ball && ball !== (deal.ball || "ours")) changes.ball = ball;
      return Object.keys(changes).length ? { entity: "deals", id: deal.id, changes } : null;
    },
  };
}
