// The company calendar on the device: Japanese public holidays and the response targets per
// team and urgency, fetched from the server after a sync (once a day) and kept in the "cache" store, so
// ages and overdue requests are counted offline. It also names the company (name, address,
// phone) that the printed quote and service report show as their issuer. A business day is a weekday that is not a
// public holiday, in Asia/Tokyo (the server counts the same way for the CSV export).

import * as api from "./api.js";
import { req, transaction } from "./db.js";
import { companyDay } from "./format.js";

const KEY = "calendar";
const DAY_MS = 86400000;
export const DEFAULT_TARGETS = { high: 1, normal: 3, low: 10 };
const FALLBACK = { holidays: [], weekend: [6, 0], response_targets: DEFAULT_TARGETS, fetched: null };
const DONE_STATUSES = new Set(["answered", "closed"]);

export async function loadCalendar() {
  const tx = await transaction(["cache"]);
  const held = await req(tx.objectStore("cache").get(KEY));
  return prepareCalendar(held || FALLBACK);
}

/** The calendar as the counts use it: holidays as a set of dates. */
export function prepareCalendar(calendar) {
  return { ...calendar, days_off: new Set((calendar.holidays || []).map((h) => h.date)) };
}

/** Fetch the calendar unless today's is held already (with the company, which older ones lack). */
export async function refreshCalendar(token, now = Date.now()) {
  const today = companyDay(now);
  const tx = await transaction(["cache"]);
  const held = await req(tx.objectStore("cache").get(KEY));
  if (held?.fetched === today && held.company) return;
  const fresh = await api.calendar(token);
  const write = await transaction(["cache"], "readwrite", "relaxed");
  write.objectStore("cache").put({ ...fresh, fetched: today }, KEY);
}

/** Business days after the instant's company date up to and including today (0 the same day). */
export function businessAge(instant, calendar, now = Date.now()) {
  const start = companyDay(instant);
  if (!start) return null;
  const end = Date.parse(`${companyDay(now)}T00:00:00Z`);
  const weekend = new Set(calendar.weekend || [6, 0]);
  let count = 0;
  for (let day = Date.parse(`${start}T00:00:00Z`) + DAY_MS; day <= end; day += DAY_MS) {
    const date = new Date(day);
    if (!weekend.has(date.getUTCDay()) && !calendar.days_off.has(date.toISOString().slice(0, 10))) count += 1;
  }
  return count;
}

/** Business days within which the request's team should answer it, by urgency. */
export function targetDays(request, calendar) {
  const teams = calendar.team_targets || {};
  const targets = teams[request.route_to || "triage"] || calendar.response_targets || DEFAULT_TARGETS;
  return targets[request.urgency || "normal"] ?? targets.normal;
}

/** Beyond its team's target for its urgency and not answered yet. */
export function isOverdue(request, age, calendar) {
  return !DONE_STATUSES.has(request.status || "new") && age !== null && age > targetDays(request, calendar);
}
