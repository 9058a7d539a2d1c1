// A request's audit trail: the server's history records (who changed what, when), oldest first.

import { byIndex } from "../db.js";
import { dateTime } from "../format.js";
import { label, t } from "../i18n.js";
import { h } from "./dom.js";
import { empty } from "./widgets.js";

const SHOWN_AT_CREATE = ["title", "kind", "urgency", "route_to", "assignee_id"];
const ENUMS = { status: "request.status", route_to: "request.route", urgency: "request.urgency", kind: "request.kind" };

export async function historyOf(recordId) {
  const records = await byIndex("history", "record_id", recordId);
  return records.filter((r) => !r.deleted).sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0));
}

export function shown(name, value, users, enums = ENUMS) {
  if (value === null || value === undefined || value === "") return t("history.none");
  if (enums[name]) return label(enums[name], value);
  if (name.endsWith("_id") && users.has(value)) return users.get(value).name;
  if (name.endsWith("_at")) return dateTime(value);
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function fieldName(name) {
  const key = `history.field.${name}`;
  const text = t(key);
  return text === key ? name : text;
}

/** The trail as a list; a deal passes its own enumerations and fields shown at create. */
export function historyList(records, users, { enums = ENUMS, atCreate = SHOWN_AT_CREATE, format = shown } = {}) {
  if (!records.length) return empty(t("history.empty"));
  return h("ol", { class: "history", "data-testid": "history" }, records.map((record) => {
    const created = record.record_version === 1;
    const changes = Object.entries(record.changes || {})
      .filter(([name]) => !created || atCreate.includes(name));
    return h("li", { class: "history-item" },
      h("p", { class: "history-head" },
        h("span", { class: "when" }, dateTime(record.at)), " ",
        h("strong", {}, users.get(record.by)?.name || t("history.someone")), " ",
        created ? t("history.created") : t("history.changed")),
      h("ul", { class: "history-changes" }, changes.map(([name, [before, after]]) => h("li", {},
        h("span", { class: "history-field" }, fieldName(name)), ": ",
        created ? format(name, after, users, enums)
          : [format(name, before, users, enums), " → ", format(name, after, users, enums)]))));
  }));
}
