// What the customer side did on a deal: 競合あり (competitor, product, price), 予算が厳しい,
// 仕様変更, 決裁者変更, 時期延期 and notes, newest first, and the form that records one offline.

import { EVENT_KINDS } from "../deals.js";
import { dateTime, yen } from "../format.js";
import { label, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { recordKey } from "../overlay.js";
import { getState } from "../store.js";
import { parseYen } from "../text.js";
import { h } from "./dom.js";
import {
  actionBar, choices, choiceValue, clearErrors, field, guardForm, input, showErrors, submitButton, textarea,
} from "./form.js";
import { empty, unsentBadge } from "./widgets.js";
import { newId } from "../ids.js";

export function eventAt(event) {
  return event.occurred_at || event.created_at;
}

/** One event in words: 「競合あり — 丸栄精機工業（同等品） 980,000円」, "Competitor — … (…) ¥980,000". */
export function eventText(event) {
  const parts = [label("deal.event", event.kind)];
  if (event.kind === "competitor") {
    const who = event.competitor_product
      ? t("text.aside", { text: event.competitor_name, aside: event.competitor_product }) : event.competitor_name;
    parts.push(" — ", who, event.competitor_price != null ? ` ${yen(event.competitor_price)}` : "");
  }
  return parts.join("");
}

export function dealEvents(events, users, unsent) {
  if (!events.length) return empty(t("deal.noEvents"));
  const sorted = [...events].sort((a, b) => (Date.parse(eventAt(b)) || 0) - (Date.parse(eventAt(a)) || 0));
  return h("ol", { class: "list deal-events", "data-testid": "deal-events" }, sorted.map((event) =>
    h("li", { class: ["row", "static", "deal-event", event.kind], dataset: { kind: event.kind } },
      h("span", { class: "row-title" }, eventText(event)),
      event.note ? h("span", { class: "row-sub prewrap" }, event.note) : null,
      h("span", { class: "row-meta" },
        h("span", {}, dateTime(eventAt(event))),
        event.author_id ? h("span", {}, t("record.by", { name: users.get(event.author_id)?.name || "" })) : null,
        unsent?.has(recordKey("deal_events", event.id)) ? unsentBadge() : null))));
}

/** Record an event: its kind, and for a competitor their name, product and quoted price. */
export function eventForm(deal) {
  const name = input({ maxlength: 200, "data-testid": "event-competitor" });
  const product = input({ maxlength: 200, "data-testid": "event-product" });
  const price = input({ inputmode: "numeric", "data-testid": "event-price" });
  const note = textarea({ rows: 2, maxlength: 10000, "data-testid": "event-note" });
  const competitorFields = h("div", { class: "competitor-fields" },
    field({ name: "competitor_name", label: t("event.competitor"), control: name, required: true }),
    field({ name: "competitor_product", label: t("event.product"), control: product }),
    field({ name: "competitor_price", label: t("event.price"), control: price, hint: t("event.priceHint") }));
  const kinds = choices({ name: "event_kind", legend: t("event.kind"), value: "competitor", required: true,
    options: EVENT_KINDS.map((k) => [k, label("deal.event", k)]) });
  const form = h("form", { class: "form event-form", "data-testid": "event-form" },
    kinds, competitorFields, field({ name: "note", label: t("event.note"), control: note }),
    actionBar(submitButton(t("event.add"), { class: "button", "data-testid": "event-save" })));
  form.classList.add("inline-actions");
  kinds.addEventListener("change", () => { competitorFields.hidden = choiceValue(form, "event_kind") !== "competitor"; });
  guardForm(form, async () => {
    clearErrors(form);
    const kind = choiceValue(form, "event_kind");
    const errors = {};
    const quoted = parseYen(price.value);
    if (kind === "competitor" && !name.value.trim()) errors.competitor_name = [t("event.competitorMissing")];
    if (kind === "competitor" && Number.isNaN(quoted)) errors.competitor_price = [t("deal.amountInvalid")];
    if (kind === "note" && !note.value.trim()) errors.note = [t("event.noteMissing")];
    if (showErrors(form, errors)) return;
    const changes = { customer_id: deal.customer_id, deal_id: deal.id, kind, occurred_at: new Date().toISOString() };
    if (kind === "competitor") {
      changes.competitor_name = name.value.trim();
      if (product.value.trim()) changes.competitor_product = product.value.trim();
      if (quoted !== null) changes.competitor_price = quoted;
    }
    if (note.value.trim()) changes.note = note.value.trim();
    await outbox.save([{ entity: "deal_events", id: newId(), changes,
      local: { author_id: getState().user?.id } }]);
  });
  return form;
}
