// A person's day from the records on the device: the visits they logged, the requests they
// heard, the photos and the minutes, and the daily report drafted from them. Works offline.

import { req, transaction } from "./db.js";
import { companyDay, daysSince, partsText, time } from "./format.js";
import { DAYS_PENDING, dayKey } from "./visit-groups.js";
import { label, t } from "./i18n.js";

// The contract's namespace for ids every device computes alike (one person's day, a read mark).
export const NAMESPACE = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

/** UUIDv5 (SHA-1) of `name` in `namespace`, as RFC 4122 spells it. */
export async function uuidV5(namespace, name) {
  const ns = namespace.replace(/-/g, "").match(/../g).map((x) => parseInt(x, 16));
  const bytes = new Uint8Array([...ns, ...new TextEncoder().encode(name)]);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-1", bytes)).slice(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function dailyReportId(userId, ymd) {
  return uuidV5(NAMESPACE, `genba:daily_report:${userId}:${ymd}`);
}

/** Today in the company's calendar, as `YYYY-MM-DD`. */
export function today() {
  return companyDay(Date.now());
}

/** The date `n` days after `ymd`. */
export function shiftDay(ymd, n) {
  const date = new Date(`${ymd}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

export function totalMinutes(visits) {
  return visits.reduce((sum, v) => sum + (Number(v.work_minutes) || 0), 0);
}

/**
 * `{user, date, visits, requests, photos, report, customers}` of one person's day: their visits
 * by the groups' index of authors and days, and only the photos and customers those name (a
 * technician's device holds every customer's visits: reading them all took 0.6 s for 50,000).
 * While groups wait for their days (DAYS_PENDING), the visits are read all and picked.
 */
export async function dayOf(userId, ymd) {
  const stores = ["visits", "requests", "attachments", "customers", "users", "daily_reports", "meta"];
  const reportId = await dailyReportId(userId, ymd); // before the transaction: it must not idle
  const tx = await transaction(stores);
  const visitStore = tx.objectStore("visits");
  const ofDay = async () => ((await req(tx.objectStore("meta").get(DAYS_PENDING)))
    ? (await req(visitStore.getAll())).filter((v) => v.author_id === userId && companyDay(v.visited_at) === ymd)
    : req(visitStore.index("days").getAll(dayKey(userId, ymd))));
  const [visits, requests, users, report] = await Promise.all([
    ofDay(),
    req(tx.objectStore("requests").getAll()),
    req(tx.objectStore("users").getAll()),
    req(tx.objectStore("daily_reports").get(reportId)),
  ]);
  const mine = visits.filter((v) => !v.deleted).sort((a, b) => Date.parse(a.visited_at) - Date.parse(b.visited_at));
  const visitIds = new Set(mine.map((v) => v.id));
  const heard = requests.filter((r) => !r.deleted && r.author_id === userId
    && (visitIds.has(r.visit_id) || companyDay(r.heard_at || r.created_at) === ymd));
  const customerIds = [...new Set([...mine, ...heard].map((r) => r.customer_id).filter(Boolean))];
  const [customers, photos] = await Promise.all([
    Promise.all(customerIds.map((id) => req(tx.objectStore("customers").get(id)))),
    Promise.all(mine.map((v) => req(tx.objectStore("attachments").index("owner_id").getAll(v.id)))),
  ]);
  return {
    user: users.find((u) => u.id === userId) || { id: userId }, date: ymd, visits: mine,
    requests: heard, photos: photos.flat().filter((a) => !a.deleted), report: report || null,
    customers: new Map(customers.filter(Boolean).map((c) => [c.id, c])),
  };
}

// 今日 lists a person's next actions due within NEXT_AHEAD_DAYS, and those overdue for up to
// NEXT_LATE_DAYS (one left longer was dropped or done without a visit to say so).
const NEXT_AHEAD_DAYS = 7;
const NEXT_LATE_DAYS = 30;

/**
 * A person's next actions due within a week or overdue, soonest first: for each customer, the
 * next action of their latest visit there, if its due date is in that window (a later visit of
 * theirs takes its place, so one recorded after doing it clears it), however long ago the visit
 * was (the next 定期点検 is often set months ahead). Read by the groups' index of authors and
 * due dates; none while the groups wait for theirs.
 * `[{visit, customer, late}]`, `late` the days past the due date (0: today, negative: ahead).
 */
export async function nextActions(userId) {
  const ymd = today();
  const tx = await transaction(["visits", "customers", "meta"]);
  if (await req(tx.objectStore("meta").get(DAYS_PENDING))) return [];
  const visits = tx.objectStore("visits");
  const range = IDBKeyRange.bound(dayKey(userId, shiftDay(ymd, -NEXT_LATE_DAYS)),
    dayKey(userId, shiftDay(ymd, NEXT_AHEAD_DAYS)));
  const listed = await req(visits.index("dues").getAll(range));
  const customerIds = [...new Set(listed.map((v) => v.customer_id))];
  // Each customer's visits, for the person's latest there: it alone may be listed.
  const [history, customers] = await Promise.all([
    Promise.all(customerIds.map((id) => req(visits.index("customer_id").getAll(id)))),
    Promise.all(customerIds.map((id) => (id ? req(tx.objectStore("customers").get(id)) : null))),
  ]);
  const due = [];
  const byId = new Map(listed.map((v) => [v.id, v]));
  customerIds.forEach((id, i) => {
    const latest = history[i].filter((v) => v.author_id === userId && !v.deleted)
      .reduce((held, v) => (!held || Date.parse(v.visited_at) > Date.parse(held.visited_at) ? v : held), null);
    const visit = latest && byId.get(latest.id);
    if (!visit) return;
    due.push({ visit, customer: customers[i] || null, late: daysSince(`${visit.next_action_due}T12:00:00+09:00`) });
  });
  return due.sort((a, b) => (a.visit.next_action_due < b.visit.next_action_due ? -1
    : a.visit.next_action_due > b.visit.next_action_due ? 1 : 0));
}

/** The report's summary drafted from the day's records, for the person to edit. */
export function draftSummary(day) {
  const lines = [];
  for (const visit of day.visits) {
    const customer = day.customers.get(visit.customer_id)?.name || "";
    lines.push(`■ ${time(visit.visited_at)} ${t("text.aside", { text: customer, aside: label("visit.kind", visit.kind) })}`
      + (visit.work_minutes ? ` ${t("report.minutes", { n: visit.work_minutes })}` : ""));
    if (visit.purpose) lines.push(`  ${t("text.labelled", { label: t("visit.purpose"), text: visit.purpose })}`);
    if (visit.handling) lines.push(`  ${t("text.labelled", { label: t("visit.handling"), text: visit.handling })}`);
    if (visit.parts?.length) {
      const parts = partsText(visit.parts);
      lines.push(`  ${t("text.labelled", { label: t("visit.parts"), text: parts })}`);
    }
    for (const r of day.requests.filter((x) => x.visit_id === visit.id)) {
      // Where it went, once the server has routed it (a request recorded offline has no route yet).
      const heard = r.route_to ? t("text.aside", { text: r.title, aside: `→ ${label("request.route", r.route_to)}` }) : r.title;
      lines.push(`  ${t("text.labelled", { label: label("request.kind", r.kind), text: heard })}`);
    }
    if (visit.next_action) lines.push(`  ${t("text.labelled", { label: t("visit.nextAction"), text: visit.next_action })}`);
  }
  const loose = day.requests.filter((r) => !day.visits.some((v) => v.id === r.visit_id));
  for (const r of loose) lines.push(`■ ${t("text.labelled", { label: label("request.kind", r.kind), text: r.title })}`);
  const minutes = totalMinutes(day.visits);
  if (minutes) lines.push(t("report.totalLine", { n: minutes }));
  return lines.join("\n");
}

/** The day's visits whose customer `summary` does not name: recorded after it was drafted, say. */
export function visitsNotIn(day, summary) {
  if (!summary?.trim()) return [];
  return day.visits.filter((visit) => {
    const name = day.customers.get(visit.customer_id)?.name;
    return name && !summary.includes(name);
  });
}

/** Every person's report of a day, with who has none yet (for the manager's list). */
export async function reportsOf(ymd) {
  const tx = await transaction(["users", "daily_reports"]);
  const [users, reports] = await Promise.all([
    req(tx.objectStore("users").getAll()),
    req(tx.objectStore("daily_reports").index("date").getAll(ymd))]);
  const byUser = new Map(reports.filter((r) => !r.deleted).map((r) => [r.user_id, r]));
  return users.filter((u) => ["rep", "technician"].includes(u.role))
    .sort((a, b) => String(a.name).localeCompare(String(b.name), "ja")
      || String(a.team ?? "").localeCompare(String(b.team ?? ""), "ja")) // namesakes by team
    .map((user) => ({ user, report: byUser.get(user.id) || null }));
}
