// What an order does to the factory, shown where the rep quotes and on the deal: per group
// the weeks around the wished delivery week with the order in each, as traffic lights that
// say their meaning in a word and a shape (○ 余裕, △ 逼迫, ✕ 超過), the earliest week every
// group fits, and how old the device's load data is. Computed on the device (load.js), so it
// answers offline; online the server's /load/fit may confirm the week.

import * as api from "../api.js";
import { loadCalendar } from "../calendar.js";
import { getAll, getMeta } from "../db.js";
import { companyDay, dateTime } from "../format.js";
import { t } from "../i18n.js";
import {
  activeGroups, addWeeks, daysOffFrom, fit, light, loadTable, mondayOf, utilisationAfter, weekOf, weeksFrom,
} from "../load.js";
import { getState } from "../store.js";
import { h } from "./dom.js";

const FIT_WEEKS = 52;
const AROUND = [-1, 0, 1, 2];
const SHAPES = { free: "○", tight: "△", full: "✕" };

/** Everything the chart and the quote form need, read from the device. */
export async function factory() {
  const [groups, holidays, entries, calendar] = await Promise.all([
    getAll("resource_groups"), getAll("company_holidays"), getAll("load_entries"), loadCalendar()]);
  return { groups: activeGroups(groups), entries: entries.filter((e) => !e.deleted),
    daysOff: daysOffFrom(calendar.holidays, holidays) };
}

/** 「2027-W05（2/1〜2/5）」: the week and its Monday to Friday. */
export function weekLabel(week) {
  const monday = mondayOf(week);
  if (monday === null) return week;
  const day = (ms) => { const d = new Date(ms); return `${d.getUTCMonth() + 1}/${d.getUTCDate()}`; };
  return t("load.weekLabel", { week, from: day(monday), to: day(monday + 4 * 86400000) });
}

/** The weeks a rep may wish for: this week and the next ``count - 1``. */
export function weekChoices(count = 26, now = Date.now()) {
  return weeksFrom(weekOf(companyDay(now)), count);
}

/** A traffic light: shape, word and percentage, with its colour only as a third cue. */
export function lightBadge(utilisation, testid = "light") {
  const state = light(utilisation);
  return h("span", { class: ["light", state], dataset: { light: state }, "data-testid": testid },
    h("span", { "aria-hidden": "true", class: "light-shape" }, SHAPES[state]), " ",
    t(`load.light.${state}`), " ",
    // 「稼働 48%」: the share of the week's hours taken, not what is left (「余裕 48%」 read so).
    h("span", { class: "light-percent" }, utilisation === null ? "—" : t("load.used", { n: Math.round(utilisation * 100) })));
}

/**
 * The impact of ``processHours`` wished for ``deliveryWeek``; ``quoteId``'s own entries are left
 * out first, so a submitted quote is not counted twice. Returns the element.
 */
export function impact(data, { processHours, deliveryWeek, quoteId = null, title = t("impact.title"), now = Date.now() }) {
  const wanted = Object.fromEntries(Object.entries(processHours || {}).filter(([, hours]) => hours > 0));
  const box = h("section", { class: "load-impact", "aria-labelledby": "impact-h", "data-testid": "load-impact" },
    h("h2", { id: "impact-h" }, title),
    h("p", { class: "hint", "data-testid": "impact-as-of" },
      t("impact.asOf", { time: getState().lastSync ? dateTime(getState().lastSync) : t("impact.never") })));
  if (!Object.keys(wanted).length || !deliveryWeek) {
    box.append(h("p", { class: "hint", "data-testid": "impact-hint" }, t("impact.hint")));
    return box;
  }
  const entries = data.entries.filter((e) => !quoteId || e.quote_id !== quoteId);
  const thisWeek = weekOf(companyDay(now));
  const weeks = AROUND.map((n) => addWeeks(deliveryWeek, n)).filter((w) => w >= thisWeek);
  const table = loadTable(weeks, data.groups, entries, data.daysOff);
  const groups = data.groups.filter((g) => wanted[g.id]);
  box.append(h("p", { class: "hint" }, t("impact.caption")), h("div", { class: "table-scroll" }, h("table", { class: "impact-table", "data-testid": "impact-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("impact.group")),
      weeks.map((week) => h("th", { scope: "col", class: week === deliveryWeek ? "wished" : null },
        weekLabel(week), week === deliveryWeek ? h("span", { class: "wished-mark" }, t("impact.wished")) : null)))),
    h("tbody", {}, groups.map((group) => h("tr", { dataset: { group: group.name } },
      h("th", { scope: "row" }, group.name, h("span", { class: "hours" }, t("impact.hours", { n: wanted[group.id] }))),
      table.map((week) => {
        const row = week.groups.find((r) => r.resource_group_id === group.id);
        // The week's label again in the cell: on a phone the table is stacked, one group a block.
        return h("td", { class: week.week === deliveryWeek ? "wished" : null, dataset: { week: week.week } },
          h("span", { class: "cell-week" }, weekLabel(week.week).slice(5),
            week.week === deliveryWeek ? ` ${t("impact.wished")}` : ""), lightBadge(utilisationAfter(row, wanted[group.id])));
      })))))));
  const found = fit(loadTable(weeksFrom(thisWeek, FIT_WEEKS), data.groups, entries, data.daysOff), wanted);
  box.append(h("p", { class: ["impact-fit", found.week && found.week <= deliveryWeek ? "ok" : "late"], "data-testid": "impact-fit" },
    found.week ? t("impact.fit", { week: weekLabel(found.week) }) : t("impact.noFit", { n: FIT_WEEKS }),
    found.week && found.week > deliveryWeek ? h("strong", { "data-testid": "impact-late" }, " ", t("impact.late")) : null));
  return box;
}

/** Ask the server which week fits (online only); ``say`` gets the sentence, or nothing offline. */
export async function confirmFit(processHours, say) {
  const wanted = Object.fromEntries(Object.entries(processHours || {}).filter(([, hours]) => hours > 0));
  if (!Object.keys(wanted).length || !navigator.onLine) return;
  try {
    const answer = await api.fitLoad(await getMeta("token"), { process_hours: wanted });
    say(answer.week ? t("impact.serverFit", { week: weekLabel(answer.week) }) : t("impact.serverNoFit"));
  } catch {
    // Offline or refused (a group the server no longer has): the device's answer stands.
  }
}
