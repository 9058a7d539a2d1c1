// The 山積み表: per resource group, weeks across, capacity as a line and firm/likely/possible
// load as stacked bars; weeks over capacity are marked with a hatch and "超過", not colour
// alone. Drawn as SVG from the synced records in IndexedDB, so it works offline.

import { loadCalendar } from "../calendar.js";
import { getAll } from "../db.js";
import { dateTime } from "../format.js";
import { t } from "../i18n.js";
import { activeGroups, daysOffFrom, loadTable, weekOf, weeksFrom } from "../load.js";
import { getState, onData } from "../store.js";
import { h, mount } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const WEEKS = 12;
const BAR = { firm: "#1f4e99", likely: "#5b8bd6", possible: "#b7cbeb" };

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

/** Everything the chart and the quote form need, read from the device. */
export async function factory() {
  const [groups, holidays, entries, calendar] = await Promise.all([
    getAll("resource_groups"), getAll("company_holidays"), getAll("load_entries"), loadCalendar()]);
  return { groups: activeGroups(groups), entries: entries.filter((e) => !e.deleted),
    daysOff: daysOffFrom(calendar.holidays, holidays) };
}

export async function render(view) {
  const draw = async () => {
    const { groups, entries, daysOff } = await factory();
    const table = loadTable(weeksFrom(weekOf(Date.now()), WEEKS), groups, entries, daysOff);
    mount(view, h("h1", { tabindex: "-1" }, t("load.title")),
      h("p", { class: "muted", "data-testid": "load-as-of" },
        t("load.as_of", { time: getState().lastSync ? dateTime(getState().lastSync) : "—" })),
      legend(),
      groups.length ? groups.map((group, index) => chart(group, index, table))
        : h("p", { "data-testid": "load-empty" }, t("load.empty")));
  };
  await draw();
  return onData(draw);
}

function legend() {
  return h("ul", { class: "load-legend" },
    ["firm", "likely", "possible"].map((c) => h("li", { dataset: { confidence: c } }, t(`load.confidence.${c}`))),
    h("li", { dataset: { confidence: "capacity" } }, t("load.capacity")),
    h("li", { dataset: { confidence: "over" } }, t("load.over")));
}

function chart(group, index, table) {
  const rows = table.map((week) => ({ week: week.week, ...week.groups[index] }));
  const top = Math.max(1, ...rows.map((r) => Math.max(r.capacity_hours, r.firm + r.likely + r.possible))) * 1.15;
  const width = 640;
  const height = 220;
  const left = 40;
  const bottom = 40;
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
    g.append(s("text", { x: x + step / 2, y: height - bottom + 16, "text-anchor": "middle", "font-size": 12 },
      row.week.slice(6)));
    g.append(s("text", { x: x + step / 2, y: height - bottom + 32, "text-anchor": "middle", "font-size": 11, fill: "#333" },
      row.utilisation === null ? "—" : `${Math.round(row.utilisation * 100)}%`));
    svg.append(g);
    capacity.push(`${x},${y(row.capacity_hours)} ${x + step},${y(row.capacity_hours)}`);
  });
  svg.append(s("polyline", { points: capacity.join(" "), fill: "none", stroke: "#c62828", "stroke-width": 2,
    "stroke-dasharray": "6 3", "data-testid": "capacity-line" }));
  return h("section", { class: "load-group", "data-testid": "load-group" }, h("h2", {}, group.name), svg);
}
