// A request's audit trail: the server's history records (who changed what, when), oldest first.

import { byIndex } from "../db.js";
import { dateTime } from "../format.js";
import { label, t } from "../i18n.js";
import { h } from "./dom.js";

const SHOWN_AT_CREATE = ["title", "kind", "urgency", "route_to", "assignee_id"];
const ENUMS = { status: "request.status", route_to: "request.route", urgency: "request.urgency", kind: "request.kind" };

export async function historyOf(recordId) {
  const records = await byIndex("history", "record_id", recordId);
  return records.filter((r) => !r.deleted).sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0));
}

function shown(name, value, users) {
  if (value === null || value === undefined || value === "") return t("history.none");
  if (ENUMS[name]) return label(ENUMS[name], value);
  if (name.endsWith("_id") && users.has(value)) return users.get(value).name;
  if (name.endsWith("_at")) return dateTime(value);
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function fieldName(name) {
  const key = `history.field.${name}`;
  const text = t(key);
  return text === key ? name : text;
}

export function historyList(records, users) {
  if (!records.length) return h("p", { class: "empty" }, t("history.empty"));
  return h("ol", { class: "history", "data-testid": "history" }, records.map((record) => {
    const created = record.record_version === 1;
    const changes = Object.entries(record.changes || {})
      .filter(([name]) => !created || SHOWN_AT_CREATE.includes(name));
    return h("li", { class: "history-item" },
      h("p", { class: "history-head" },
        h("span", { class: "when" }, dateTime(record.at)), " ",
        h("strong", {}, users.get(record.by)?.name || t("history.someone")), " ",
        created ? t("history.created") : t("history.changed")),
      h("ul", { class: "history-changes" }, changes.map(([name, [before, after]]) => h("li", {},
        h("span", { class: "history-field" }, fieldName(name)), ": ",
        created ? shown(name, after, users) : [shown(name, before, users), " → ", shown(name, after, users)]))));
  }));
}
