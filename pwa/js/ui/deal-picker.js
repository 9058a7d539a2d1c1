// The visit form's deal: link the visit to one of the customer's deals and, in the same save,
// move its stage or hand over the ball, and record what the customer side said (競合あり with
// who and at what price, 予算が厳しい, 仕様変更) as the deal's events, so the meeting, the progress
// and the events are recorded in one step instead of typed again on the deal's page.

import { CLOSED, badgeText } from "../deals.js";
import { label, t } from "../i18n.js";
import { getState } from "../store.js";
import { parseYen } from "../text.js";
import { h, mount } from "./dom.js";
import { choiceValue, field, input, select } from "./form.js";
import { ballChoices, stageSelect } from "./widgets.js";
import { newId } from "../ids.js";

const HEARD = ["competitor", "budget_tight", "spec_change"];

/**
 * `{el, dealId(), errors(), edits(occurredAt)}`: `edits()` are the deal's outbox edits (its
 * move, and one event per ticked kind), empty when nothing moves or was heard.
 */
export function dealMover(deals, selectedId = null) {
  const live = deals.filter((d) => !d.deleted && (!CLOSED.has(d.stage) || d.id === selectedId));
  const option = (d) => [d.id, t("text.aside", { text: d.title, aside: label("deal.stage", d.stage || "card_exchange") })];
  const picked = select([["", t("visit.noDeal")], ...live.map(option)], selectedId, { "data-testid": "visit-deal" });
  const moves = h("div", { class: "deal-moves" });
  const el = h("fieldset", { class: "field deal-link", dataset: { field: "deal_id" } },
    h("legend", {}, t("visit.deal")),
    live.length ? field({ name: "deal", label: t("visit.dealPick"), control: picked }) : h("p", { class: "hint" }, t("visit.noDeals")),
    moves);
  let stage = null;
  let heard = null;
  const current = () => live.find((d) => d.id === picked.value) || null;
  const drawMoves = () => {
    const deal = current();
    if (!deal) {
      mount(moves);
      stage = null;
      heard = null;
      return;
    }
    stage = stageSelect(deal.stage, "visit-deal-stage");
    heard = heardEvents();
    mount(moves,
      h("p", { class: "hint", "data-testid": "visit-deal-badge" }, badgeText(deal)),
      field({ name: "deal_stage", label: t("visit.dealStage"), control: stage }),
      ballChoices("deal_ball", t("visit.dealBall"), deal.ball),
      heard.el,
      h("p", { class: "hint" }, t("visit.dealHint")));
  };
  picked.addEventListener("change", drawMoves);
  drawMoves();
  return {
    el,
    dealId: () => current()?.id || null,
    errors: () => (heard ? heard.errors() : {}),
    edits: (occurredAt) => {
      const deal = current();
      if (!deal) return [];
      const changes = {};
      if (stage && stage.value !== (deal.stage || "card_exchange")) changes.stage = stage.value;
      const ball = choiceValue(el, "deal_ball");
      if (ball && ball !== (deal.ball || "ours")) changes.ball = ball;
      const move = Object.keys(changes).length ? [{ entity: "deals", id: deal.id, changes }] : [];
      return [...move, ...heard.events(deal, occurredAt)];
    },
  };
}

/** Ticks for what the customer side said, with the competitor's name, product and price. */
function heardEvents() {
  const name = input({ maxlength: 200, "data-testid": "heard-competitor-name" });
  const product = input({ maxlength: 200, "data-testid": "heard-product" });
  const price = input({ inputmode: "numeric", "data-testid": "heard-price" });
  const competitorFields = h("div", { class: "competitor-fields", hidden: true },
    field({ name: "heard_competitor_name", label: t("event.competitor"), control: name, required: true }),
    field({ name: "heard_competitor_product", label: t("event.product"), control: product }),
    field({ name: "heard_competitor_price", label: t("event.price"), control: price, hint: t("event.priceHint") }));
  const ticks = new Map(HEARD.map((kind) => [kind, h("input", { type: "checkbox", value: kind,
    "data-testid": `heard-${kind}` })]));
  ticks.get("competitor").addEventListener("change", (e) => { competitorFields.hidden = !e.target.checked; });
  const el = h("fieldset", { class: "field heard", dataset: { field: "heard" } },
    h("legend", {}, t("visit.heard")),
    h("div", { class: "checks" }, HEARD.map((kind) => h("label", { class: "check" },
      ticks.get(kind), h("span", {}, label("deal.event", kind))))),
    competitorFields);
  const ticked = (kind) => ticks.get(kind).checked;
  return {
    el,
    errors: () => {
      const errors = {};
      if (!ticked("competitor")) return errors;
      if (!name.value.trim()) errors.heard_competitor_name = [t("event.competitorMissing")];
      if (Number.isNaN(parseYen(price.value))) errors.heard_competitor_price = [t("deal.amountInvalid")];
      return errors;
    },
    events: (deal, occurredAt) => HEARD.filter(ticked).map((kind) => {
      const changes = { customer_id: deal.customer_id, deal_id: deal.id, kind, occurred_at: occurredAt };
      if (kind === "competitor") {
        changes.competitor_name = name.value.trim();
        if (product.value.trim()) changes.competitor_product = product.value.trim();
        const quoted = parseYen(price.value);
        if (quoted !== null) changes.competitor_price = quoted;
      }
      return { entity: "deal_events", id: newId(), changes, local: { author_id: getState().user?.id } };
    }),
  };
}
