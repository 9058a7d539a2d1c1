// Conflicts to review: both values of a field that two people changed at the same time, and
// a way to bring back the one that lost. Restoring follows the contract: push the field set to
// `lost_value` with a fresh HLC, plus `resolved: true` on the conflict, in the same batch.
// Each person reviews the conflicts they are a party to (conflicts are resolved by their
// parties); the office's device holds everyone's, and says so instead of listing them.
// Fields are named as the vocabulary names them and values shown as their type reads:
// 「金額」 ¥6,200,000, dates in Japanese, people by name, codes by their label.

import * as hlc from "../hlc.js";
import { dateTime, day, yen } from "../format.js";
import { label, list, pieces, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { getRecord, usersById } from "../records.js";
import { getState } from "../store.js";
import { unresolvedConflicts } from "../sync.js";
import { h, mount } from "./dom.js";
import { button } from "./form.js";
import { drawThenRedrawOnData } from "./redraw.js";
import { empty } from "./widgets.js";
import { newId } from "../ids.js";

export async function render(view) {
  const draw = async () => {
    const [all, users] = await Promise.all([unresolvedConflicts(), usersById()]);
    const me = getState().user?.id;
    const conflicts = all.filter((c) => isParty(c, me));
    conflicts.sort((a, b) => Number(b.lost_by === me) - Number(a.lost_by === me)
      || String(b.kept_hlc).localeCompare(String(a.kept_hlc)));
    const cards = await Promise.all(conflicts.map((c) => card(c, users, me)));
    const others = all.length - conflicts.length;
    mount(view,
      h("h1", { tabindex: "-1" }, t("conflicts.title")),
      cards.length ? h("p", { class: "lead" }, t("conflicts.intro")) : null, // no 「…変更しました」 above 「ありません」
      cards.length ? h("ul", { class: "cards", "data-testid": "conflict-list" }, cards)
        : empty(t("conflicts.none"), "no-conflicts"),
      others ? h("p", { class: "alert info", role: "note", "data-testid": "others-conflicts" },
        t("conflicts.others", { n: others })) : null);
  };
  return drawThenRedrawOnData(draw);
}

async function card(conflict, users, me) {
  const record = await getRecord(conflict.entity, conflict.record_id);
  const name = (id) => users.get(id)?.name || t("conflicts.someone");
  const title = record ? recordTitle(conflict.entity, record) : conflict.record_id;
  const href = record && ["visits", "requests"].includes(conflict.entity) ? `#/${conflict.entity}/${record.id}`
    : record && conflict.entity === "customers" ? `#/customers/${record.id}` : null;
  return h("li", { class: "card conflict", dataset: { id: conflict.id }, "data-testid": "conflict" },
    h("h2", {}, pieces("text.named", { kind: label("entity", conflict.entity), name: href ? h("a", { href }, title) : title }), " ",
      t("conflicts.field", { field: fieldLabel(conflict.entity, conflict.field) })),
    conflict.lost_by === me ? h("p", { class: "badge warn" }, t("conflicts.yours")) : null,
    h("div", { class: "versus" },
      side(t("conflicts.kept"), shown(conflict, conflict.kept_value, users), name(conflict.kept_by), conflict.kept_hlc, "kept"),
      side(t("conflicts.lost"), shown(conflict, conflict.lost_value, users), name(conflict.lost_by), conflict.lost_hlc, "lost")),
    h("div", { class: "actions inline" },
      button(t("conflicts.restore"), { class: "button primary", "data-testid": "restore",
        onClick: (e) => { e.target.disabled = true; restore(conflict, record); } }),
      button(t("conflicts.keep"), { "data-testid": "dismiss",
        onClick: (e) => { e.target.disabled = true; dismiss(conflict); } })));
}

/** Whether `userId` is one of the two people whose writes met. */
export function isParty(conflict, userId) {
  return Boolean(userId) && (conflict.lost_by === userId || conflict.kept_by === userId);
}

function side(caption, text, who, clock, kind) {
  const at = clock ? hlc.physical(clock) : null;
  return h("div", { class: ["side", kind], "data-testid": `${kind}-value` },
    h("p", { class: "side-caption" }, caption),
    h("p", { class: "side-value prewrap" }, text),
    h("p", { class: "side-meta" }, t("conflicts.by", { name: who, when: at ? dateTime(at) : "" })));
}

/** Show any field value as text: enumerations translated, lists joined, objects as lines. */
export function displayValue(value) {
  if (value === null || value === undefined || value === "") return t("conflicts.empty");
  if (Array.isArray(value)) return list(value.map(displayValue));
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${k}: ${displayValue(v)}`).join("\n");
  if (typeof value === "boolean") return value ? t("conflicts.yes") : t("conflicts.no");
  return String(value);
}

const MONEY = new Set(["amount", "actual_cost", "competitor_price"]);
const DAYS = new Set(["expected_close", "next_action_due", "date"]);
const INSTANTS = new Set(["visited_at", "heard_at", "occurred_at", "submitted_at", "taken_at"]);
const PEOPLE = new Set(["owner_id", "assignee_id", "user_id"]);
// The message prefix of an entity's coded field ("deals", "stage" -> "deal.stage").
const CODES = {
  "customers.status": "customer.status", "visits.kind": "visit.kind", "requests.kind": "request.kind",
  "requests.urgency": "request.urgency", "requests.status": "request.status", "requests.route_to": "request.route",
  "follows.status": "follow.status", "deals.stage": "deal.stage", "deals.ball": "deal.ballOwner",
  "deals.situation": "deal.event", "deal_events.kind": "deal.event", "quotes.status": "quote.status",
  "load_entries.confidence": "load.confidence", "load_entries.source": "load.source",
  "attachments.purpose": "attachment.purpose", "daily_reports.status": "daily_report.status",
};

/** One field's value as its type reads: money in yen, dates and times in Japanese, names, labels. */
export function formatValue(entity, field, value, users = new Map()) {
  if (value === null || value === undefined || value === "") return t("conflicts.empty");
  if (MONEY.has(field) && typeof value === "number") return yen(value);
  if (DAYS.has(field)) return day(value);
  if (INSTANTS.has(field)) return dateTime(value);
  if (PEOPLE.has(field)) return users.get(value)?.name || t("conflicts.someone");
  const codes = CODES[`${entity}.${field}`];
  if (codes && Array.isArray(value)) return list(value.map((code) => label(codes, code)));
  if (codes) return label(codes, value);
  return displayValue(value);
}

/** A conflict's value: one field's, or for a deletion the discarded edit field by field. */
function shown(conflict, value, users) {
  if (conflict.field === "deleted" && value && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).map(([field, v]) =>
      `${fieldLabel(conflict.entity, field)}: ${formatValue(conflict.entity, field, v, users)}`).join("\n");
  }
  return formatValue(conflict.entity, conflict.field, value, users);
}

/** The vocabulary's name of a field (「金額」), the entity's own where it differs (contacts' 役職). */
export function fieldLabel(entity, field) {
  for (const key of [`field.${entity}.${field}`, `field.${field}`]) {
    const text = t(key);
    if (text !== key) return text;
  }
  return field;
}

function recordTitle(entity, record) {
  return record.title || record.name || record.purpose || record.product || label("entity", entity);
}

function restore(conflict, record) {
  const changes = conflict.field === "deleted" ? { ...(conflict.lost_value || {}) }
    : { [conflict.field]: conflict.lost_value };
  const group = newId();
  return outbox.save([
    { entity: conflict.entity, id: conflict.record_id, changes, local: { deleted: false } },
    { entity: "conflicts", id: conflict.id, changes: { resolved: true } },
  ], { group });
}

function dismiss(conflict) {
  return outbox.save([{ entity: "conflicts", id: conflict.id, changes: { resolved: true } }]);
}
