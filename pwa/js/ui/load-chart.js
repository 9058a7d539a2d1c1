// The 山積み表: per resource group, weeks across, capacity as a line and firm/likely/possible
// load as stacked bars; weeks over capacity are marked with a hatch and "超過", not colour
// alone. Drawn as SVG from the synced records in IndexedDB, so it works offline. Under each
// group, week by week, which deals fill it; at the end, what is likely but not yet firm.

import { companyDay, dateTime } from "../format.js";
import { label, list, t } from "../i18n.js";
import { loadTable, mondayOf, weekOf, weeksFrom } from "../load.js";
import { recordsById } from "../records.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { factory, lightBadge, weekLabel } from "./load-impact.js";
import { EDITORS } from "./load-settings.js";
import { drawThenRedrawOnData } from "./redraw.js";

const SVG = "http://www.w3.org/2000/svg";
const WEEKS = 12;
const BAR = { firm: "#1f4e99", likely: "#5b8bd6", possible: "#b7cbeb" };

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

export async function render(view) {
  const draw = async () => {
    const { groups, entries, daysOff } = await factory();
    const weeks = weeksFrom(weekOf(companyDay(Date.now())), WEEKS);
    const table = loadTable(weeks, groups, entries, daysOff);
    const shown = new Set(weeks);
    const current = entries.filter((e) => shown.has(e.week));
    // The names of the deals these weeks hold and of their customers only, not every record.
    const deals = await recordsById("deals", current.map((e) => e.deal_id));
    const customers = await recordsById("customers", [...deals.values()].map((d) => d.customer_id));
    const names = { deals, customers };
    // Drawn at the width it is shown at, so its labels stay readable on a phone.
    const width = Math.max(320, Math.min(1100, view.clientWidth || 640));
    mount(view, h("h1", { tabindex: "-1" }, t("load.title")),
      h("p", { class: "hint", "data-testid": "load-as-of" },
        t("load.as_of", { time: getState().lastSync ? dateTime(getState().lastSync) : "—" })),
      EDITORS.has(getState().user?.role)
        ? h("p", { class: "load-links" }, h("a", { class: "button", href: "#/load/settings", "data-testid": "load-edit" }, t("load.edit")))
        : null,
      legend(),
      groups.length ? groups.map((group, index) => [chart(group, index, table, width),
        breakdown(group, index, table, current, names)]) : h("p", { "data-testid": "load-empty" }, t("load.empty")),
      groups.length ? unconfirmed(groups, current, names) : null);
  };
  return drawThenRedrawOnData(draw);
}

/** 「案件名 · 顧客」 of an entry (its label when the deal is not on this device). */
function entryTitle(entry, names) {
  const deal = entry.deal_id ? names.deals.get(entry.deal_id) : null;
  const customer = deal ? names.customers.get(deal.customer_id)?.name : null;
  return [deal ? h("a", { href: `#/deals/${deal.id}` }, deal.title) : entry.label || t("load.noLabel"),
    customer ? ` · ${customer}` : ""];
}

function confidenceMark(entry) {
  const c = entry.confidence || "firm";
  return h("span", { class: "conf", dataset: { confidence: c } }, label("load.confidence", c));
}

/** Week by week, which deals and plans fill the group. */
function breakdown(group, index, table, entries, names) {
  const mine = entries.filter((e) => e.resource_group_id === group.id);
  return h("div", { class: "load-weeks", "data-testid": "load-weeks" },
    h("h3", {}, t("load.breakdown", { name: group.name })),
    table.map((week) => {
      const row = week.groups[index];
      const here = mine.filter((e) => e.week === week.week).sort((a, b) => (b.hours || 0) - (a.hours || 0));
      return h("details", { dataset: { week: week.week } },
        h("summary", {}, h("span", {}, weekLabel(week.week)),
          h("span", {}, t("impact.hours", { n: Math.round((row.firm + row.likely + row.possible) * 10) / 10 })),
          lightBadge(row.utilisation, "week-light")),
        here.length ? h("ul", {}, here.map((e) => h("li", { "data-testid": "load-entry" }, confidenceMark(e),
          entryTitle(e, names), " ", t("impact.hours", { n: e.hours }))))
          : h("p", { class: "hint" }, t("load.noEntries")));
    }));
}

/** Load that is likely or possible but not firm yet, one line per deal (or plan row's title). */
function unconfirmed(groups, entries, names) {
  const groupNames = new Map(groups.map((g) => [g.id, g.name]));
  const byWork = new Map();
  for (const e of entries) {
    if ((e.confidence || "firm") === "firm" || !groupNames.has(e.resource_group_id)) continue;
    const key = e.deal_id || `label:${e.label || ""}:${e.confidence}`;
    if (!byWork.has(key)) byWork.set(key, []);
    byWork.get(key).push(e);
  }
  const first = (entries) => entries.reduce((w, e) => (e.week < w ? e.week : w), "9999");
  const works = [...byWork.values()].sort((a, b) => Number(Boolean(b[0].deal_id)) - Number(Boolean(a[0].deal_id))
    || (first(a) < first(b) ? -1 : first(a) > first(b) ? 1 : 0));
  return h("section", { "aria-labelledby": "unconfirmed-h" },
    h("h2", { id: "unconfirmed-h" }, t("load.unconfirmed")),
    works.length ? h("ul", { class: "unconfirmed list", "data-testid": "unconfirmed" }, works.map((entries) => h("li", {},
      confidenceMark(entries[0]), entryTitle(entries[0], names), h("br"),
      h("span", { class: "hint" }, list(entries.sort((a, b) => (a.week < b.week ? -1 : a.week > b.week ? 1 : 0))
        .map((e) => `${e.week.slice(5)} ${groupNames.get(e.resource_group_id)} ${t("impact.hours", { n: e.hours })}`))))))
      : h("p", { class: "empty" }, t("load.unconfirmedNone")));
}

function legend() {
  return h("ul", { class: "load-legend" },
    ["firm", "likely", "possible"].map((c) => h("li", { dataset: { confidence: c } }, t(`load.confidence.${c}`))),
    h("li", { dataset: { confidence: "capacity" } }, t("load.capacity")),
    h("li", { dataset: { confidence: "over" } }, t("load.over")));
}

/** 「12/21」: the Monday of a week, so the axis says when without a calendar. */
function monthDay(week) {
  const monday = new Date(mondayOf(week));
  return `${monday.getUTCMonth() + 1}/${monday.getUTCDate()}`;
}

function chart(group, index, table, width) {
  const rows = table.map((week) => ({ week: week.week, ...week.groups[index] }));
  const top = Math.max(1, ...rows.map((r) => Math.max(r.capacity_hours, r.firm + r.likely + r.possible))) * 1.15;
  const height = 236;
  const left = 8;
  const bottom = 56;
  const step = (width - left - 8) / rows.length;
  const y = (hours) => height - bottom - (hours / top) * (height - bottom - 16);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "load-chart",
    "aria-label": t("load.chart_label", { name: group.name }) },
  s("defs", {}, s("pattern", { id: `over-${index}`, width: 6, height: 6, patternUnits: "userSpaceOnUse",
    patternTransform: "rotate(45)" }, s("rect", { width: 6, height: 6, fill: "#fde2e1" }),
  s("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#c62828", "stroke-width": 2 }))));
  svg.append(s("line", { x1: left, y1: y(0), x2: width, y2: y(0), stroke: "#555" }));
  const capacity = [];
  rows.forEach((row, n) => {
    const x = left + n * step;
    const over = row.utilisation === null ? row.firm + row.likely + row.possible > 0 : row.utilisation > 1;
    const g = s("g", { "data-week": row.week, "data-over": over ? "true" : "false" });
    if (over) g.append(s("rect", { x: x + 1, y: 8, width: step - 2, height: y(0) - 8, fill: `url(#over-${index})` }));
    let base = 0;
    for (const c of ["firm", "likely", "possible"]) {
      if (row[c] > 0) {
        g.append(s("rect", { x: x + step * 0.2, y: y(base + row[c]), width: step * 0.6,
          height: y(base) - y(base + row[c]), fill: BAR[c] }, s("title", {}, `${t(`load.confidence.${c}`)} ${row[c]}h`)));
        base += row[c];
      }
    }
    if (over) g.append(s("text", { x: x + step / 2, y: 20, "text-anchor": "middle", "font-size": 12, fill: "#b71c1c" }, t("load.over")));
    const small = step < 36 ? 11 : 13;  // a phone: 12 weeks in about 350 px
    g.append(s("text", { x: x + step / 2, y: height - bottom + 16, "text-anchor": "middle", "font-size": small + 1 },
      `W${row.week.slice(6)}`));
    g.append(s("text", { x: x + step / 2, y: height - bottom + 32, "text-anchor": "middle", "font-size": small, fill: "#333" },
      step < 40 && n % 2 ? "" : monthDay(row.week)));  // every other date where they would touch
    g.append(s("text", { x: x + step / 2, y: height - bottom + 48, "text-anchor": "middle", "font-size": small, fill: "#333" },
      row.utilisation === null ? "—" : `${Math.round(row.utilisation * 100)}%`));
    svg.append(g);
    capacity.push(`${x},${y(row.capacity_hours)} ${x + step},${y(row.capacity_hours)}`);
  });
  svg.append(s("polyline", { points: capacity.join(" "), fill: "none", stroke: "#c62828", "stroke-width": 2,
    "stroke-dasharray": "6 3", "data-testid": "capacity-line" }));
  return h("section", { class: "load-group", "data-testid": "load-group" }, h("h2", {}, group.name), svg);
}
