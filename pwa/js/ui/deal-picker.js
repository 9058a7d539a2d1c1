// The visit form's deal: link the visit to one of the customer's deals and, in the same save,
// move its stage or hand over the ball, so the meeting and the progress are recorded in one step.

import { CLOSED, badgeText } from "../deals.js";
import { label, t } from "../i18n.js";
import { h, mount } from "./dom.js";
import { choiceValue, field, select } from "./form.js";
import { ballChoices, stageSelect } from "./widgets.js";

/** `{el, dealId(), edit()}`: `edit()` is the deal's outbox edit, or null when nothing moves. */
export function dealMover(deals, selectedId = null) {
  const live = deals.filter((d) => !d.deleted && (!CLOSED.has(d.stage) || d.id === selectedId));
  const picked = select([["", t("visit.noDeal")],
    ...live.map((d) => [d.id, `${d.title}（${label("deal.stage", d.stage || "card_exchange")}）`])], selectedId,
  { "data-testid": "visit-deal" });
  const moves = h("div", { class: "deal-moves" });
  const el = h("fieldset", { class: "field deal-link", dataset: { field: "deal_id" } },
    h("legend", {}, t("visit.deal")),
    live.length ? field({ name: "deal", label: t("visit.dealPick"), control: picked }) : h("p", { class: "hint" }, t("visit.noDeals")),
    moves);
  let stage = null;
  const current = () => live.find((d) => d.id === picked.value) || null;
  const drawMoves = () => {
    const deal = current();
    if (!deal) {
      mount(moves);
      stage = null;
      return;
    }
    stage = stageSelect(deal.stage, "visit-deal-stage");
    mount(moves,
      h("p", { class: "hint", "data-testid": "visit-deal-badge" }, badgeText(deal)),
      field({ name: "deal_stage", label: t("visit.dealStage"), control: stage }),
      ballChoices("deal_ball", t("visit.dealBall"), deal.ball),
      h("p", { class: "hint" }, t("visit.dealHint")));
  };
  picked.addEventListener("change", drawMoves);
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
