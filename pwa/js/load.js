// The factory's load on the device: ISO weeks, working days, capacity, utilisation and the
// earliest week an order fits. The same arithmetic as the server's server/load/capacity.py and
// weeks.py (a test runs both over one table), so the quote form answers offline.

export const CONFIDENCES = ["firm", "likely", "possible"];
export const DEFAULT_WEIGHTS = { firm: 1, likely: 0.6, possible: 0.3 };
export const DEFAULT_LIMIT = 0.9;
const WEEK = /^(\d{4})-W(\d{2})$/;
const DAY_MS = 24 * 3600 * 1000;

/** Round half up to 3 decimals, as the server does. */
export function round3(value) {
  return Math.floor(value * 1000 + 0.5) / 1000;
}

function isoWeekOf(ms) {
  const date = new Date(ms);
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0
  const thursday = ms - weekday * DAY_MS + 3 * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const number = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, number };
}

/** The Monday (UTC midnight, ms) of an ISO week "YYYY-Www"; null if there is no such week. */
export function mondayOf(week) {
  const found = typeof week === "string" ? WEEK.exec(week) : null;
  if (!found) return null;
  const year = Number(found[1]);
  const number = Number(found[2]);
  const jan4 = Date.UTC(year, 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS + (number - 1) * 7 * DAY_MS;
  const back = isoWeekOf(monday);
  return number >= 1 && back.year === year && back.number === number ? monday : null;
}

/** The ISO week of a date "YYYY-MM-DD" (or of a UTC ms value). */
export function weekOf(day) {
  const ms = typeof day === "number" ? day : Date.parse(`${day}T00:00:00Z`);
  const { year, number } = isoWeekOf(ms);
  return `${year}-W${String(number).padStart(2, "0")}`;
}

/** The week ``count`` weeks after ``week``. */
export function addWeeks(week, count) {
  return weekOf(mondayOf(week) + count * 7 * DAY_MS);
}

/** ``count`` consecutive weeks from ``week``. */
export function weeksFrom(week, count) {
  return Array.from({ length: count }, (_, n) => addWeeks(week, n));
}

/** Weekdays of the week not in ``daysOff`` (a Set of "YYYY-MM-DD"). */
export function workingDays(week, daysOff) {
  const monday = mondayOf(week);
  let count = 0;
  for (let n = 0; n < 5; n += 1) {
    if (!daysOff.has(new Date(monday + n * DAY_MS).toISOString().slice(0, 10))) count += 1;
  }
  return count;
}

/** Public holidays (from /api/v1/calendar) and the company's holidays as one Set of dates. */
export function daysOffFrom(publicHolidays, companyHolidays) {
  return new Set([...(publicHolidays || []), ...(companyHolidays || [])]
    .filter((h) => h && !h.deleted).map((h) => h.date));
}

export function capacityHours(days, group) {
  return days * (group.hours_per_day || 0) * (group.efficiency || 0);
}

function weighted(loads, weights) {
  return CONFIDENCES.reduce((sum, c) => sum + weights[c] * loads[c], 0);
}

function empty() {
  return { firm: 0, likely: 0, possible: 0 };
}

/** Per week: working days and, per group, capacity, load by confidence and utilisation. */
export function loadTable(weeks, groups, entries, daysOff, weights = DEFAULT_WEIGHTS) {
  const totals = new Map();
  for (const entry of entries) {
    const key = `${entry.week}|${entry.resource_group_id}`;
    if (!totals.has(key)) totals.set(key, empty());
    const loads = totals.get(key);
    const confidence = entry.confidence || "firm";
    loads[confidence] = loads[confidence] + (entry.hours || 0);
  }
  return weeks.map((week) => {
    const days = workingDays(week, daysOff);
    return {
      week,
      working_days: days,
      groups: groups.map((group) => {
        const loads = totals.get(`${week}|${group.id}`) || empty();
        const capacity = capacityHours(days, group);
        const load = weighted(loads, weights);
        return {
          resource_group_id: group.id,
          capacity_hours: round3(capacity),
          firm: round3(loads.firm),
          likely: round3(loads.likely),
          possible: round3(loads.possible),
          utilisation: capacity > 0 ? round3(load / capacity) : null,
          weighted: load,
          capacity,
        };
      }),
    };
  });
}

/** A group's utilisation in a week with ``hours`` more (null: no capacity). */
export function utilisationAfter(row, hours) {
  return row.capacity > 0 ? round3((row.weighted + hours) / row.capacity) : null;
}

/** The first week of ``table`` where ``processHours`` keeps every group used within ``limit``. */
export function fit(table, processHours, limit = DEFAULT_LIMIT) {
  const wanted = Object.entries(processHours).filter(([, hours]) => hours > 0);
  for (const week of table) {
    const rows = new Map(week.groups.map((row) => [row.resource_group_id, row]));
    const after = {};
    for (const [group, hours] of wanted) after[group] = rows.has(group) ? utilisationAfter(rows.get(group), hours) : null;
    if (Object.values(after).every((u) => u !== null && u <= limit)) return { week: week.week, utilisation_after: after };
  }
  return { week: null, utilisation_after: {} };
}

/** Traffic light of a utilisation: free up to 70 %, tight up to 90 %, full above. */
export function light(utilisation) {
  if (utilisation === null || utilisation === undefined) return "full";
  if (utilisation <= 0.7) return "free";
  if (utilisation <= 0.9) return "tight";
  return "full";
}

/** Active groups in their order. */
export function activeGroups(groups) {
  return groups.filter((g) => !g.deleted && g.active !== false)
    .sort((a, b) => (a.sort || 0) - (b.sort || 0) || compare(a.name || "", b.name || "") || compare(a.id, b.id));
}

function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
