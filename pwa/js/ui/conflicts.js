// Conflicts to review: both values of a field that two people changed at the same time, and
// a way to bring back the one that lost. Restoring follows the contract: push the field set to
// `lost_value` with a fresh HLC, plus `resolved: true` on the conflict, in the same batch.

import * as hlc from "../hlc.js";
import { dateTime } from "../format.js";
import { label, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { getRecord, usersById } from "../records.js";
import { getState } from "../store.js";
import { unresolvedConflicts } from "../sync.js";
import { h, mount } from "./dom.js";
import { button } from "./form.js";
import { redrawOnData } from "./redraw.js";
import { empty } from "./widgets.js";

export async function render(view) {
  const draw = async () => {
    const [conflicts, users] = await Promise.all([unresolvedConflicts(), usersById()]);
    const me = getState().user?.id;
    conflicts.sort((a, b) => Number(b.lost_by === me) - Number(a.lost_by === me)
      || String(b.kept_hlc).localeCompare(String(a.kept_hlc)));
    const cards = await Promise.all(conflicts.map((c) => card(c, users, me)));
    mount(view,
      h("h1", { tabindex: "-1" }, t("conflicts.title")),
      h("p", { class: "lead" }, t("conflicts.intro")),
      cards.length ? h("ul", { class: "cards", "data-testid": "conflict-list" }, cards)
        : empty(t("conflicts.none"), "no-conflicts"));
  };
  await draw();
  return redrawOnData(draw);
}

async function card(conflict, users, me) {
  const record = await getRecord(conflict.entity, conflict.record_id);
  const name = (id) => users.get(id)?.name || t("conflicts.someone");
  const title = record ? recordTitle(conflict.entity, record) : conflict.record_id;
  const href = record && ["visits", "requests"].includes(conflict.entity) ? `#/${conflict.entity}/${record.id}`
    : record && conflict.entity === "customers" ? `#/customers/${record.id}` : null;
  return h("li", { class: "card conflict", dataset: { id: conflict.id }, "data-testid": "conflict" },
    h("h2", {}, label("entity", conflict.entity), "「", href ? h("a", { href }, title) : title, "」 ",
      t("conflicts.field", { field: fieldLabel(conflict.entity, conflict.field) })),
    conflict.lost_by === me ? h("p", { class: "badge warn" }, t("conflicts.yours")) : null,
    h("div", { class: "versus" },
      side(t("conflicts.kept"), conflict.kept_value, name(conflict.kept_by), conflict.kept_hlc, "kept"),
      side(t("conflicts.lost"), conflict.lost_value, name(conflict.lost_by), conflict.lost_hlc, "lost")),
    h("div", { class: "actions inline" },
      button(t("conflicts.restore"), { class: "button primary", "data-testid": "restore",
        onClick: (e) => { e.target.disabled = true; restore(conflict, record); } }),
      button(t("conflicts.keep"), { "data-testid": "dismiss",
        onClick: (e) => { e.target.disabled = true; dismiss(conflict); } })));
}

function side(caption, value, who, clock, kind) {
  const at = clock ? hlc.physical(clock) : null;
  return h("div", { class: ["side", kind], "data-testid": `${kind}-value` },
    h("p", { class: "side-caption" }, caption),
    h("p", { class: "side-value prewrap" }, displayValue(value)),
    h("p", { class: "side-meta" }, t("conflicts.by", { name: who, when: at ? dateTime(at) : "" })));
}

/** Show any field value as text: enumerations translated, lists joined, objects as lines. */
export function displayValue(value) {
  if (value === null || value === undefined || value === "") return t("conflicts.empty");
  if (Array.isArray(value)) return value.map(displayValue).join("、");
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${k}: ${displayValue(v)}`).join("\n");
  if (typeof value === "boolean") return value ? t("conflicts.yes") : t("conflicts.no");
  return String(value);
}

function fieldLabel(entity, field) {
  const key = `field.${field}`;
  const text = t(key);
  return text === key ? field : text;
}

function recordTitle(entity, record) {
  return record.title || record.name || record.purpose || record.product || label("entity", entity);
}

function restore(conflict, record) {
  const changes = conflict.field === "deleted" ? { ...(conflict.lost_value || {}) }
    : { [conflict.field]: conflict.lost_value };
  const group = crypto.randomUUID();
  return outbox.save([
    { entity: conflict.entity, id: conflict.record_id, changes, local: { deleted: false } },
    { entity: "conflicts", id: conflict.id, changes: { resolved: true } },
  ], { group });
}

function dismiss(conflict) {
  return outbox.save([{ entity: "conflicts", id: conflict.id, changes: { resolved: true } }]);
}
