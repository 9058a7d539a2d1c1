// Deals on the device: who holds the ball and for how many days, last activity, and the
// follow-up rules (the same as the server's `server/deals.py`). Days are calendar days in the
// company's time zone (Asia/Tokyo): a change at 23:30 JST counts from that JST day. Limits come
// with the company calendar (`follow_up_days`), so the 要フォロー list works offline.

import { req, transaction } from "./db.js";
import { daysSince } from "./format.js";
import { t, label } from "./i18n.js";

export const STAGES = ["card_exchange", "first_contact", "product_intro", "interest_check",
  "needs_hearing", "proposal_quote", "quote_revision", "won", "lost"];
export const PATH = STAGES.filter((s) => s !== "lost");
export const CLOSED = new Set(["won", "lost"]);
export const EVENT_KINDS = ["competitor", "budget_tight", "spec_change", "decision_maker_change", "postponed", "note"];
export const DEFAULT_LIMITS = { ours: 3, customer: 14, idle: 30 };
export const BOARD_ROLES = new Set(["office", "manager", "admin"]);
// Who works with deals and quotes (the vocabulary's `deals` permission): technicians do not.
export const DEAL_ROLES = new Set(["admin", "manager", "office", "rep"]);

export function limitsOf(calendar) {
  return { ...DEFAULT_LIMITS, ...(calendar?.follow_up_days || {}) };
}

/** Calendar days since the ball last changed hands (0 the same JST day). */
export function ballDays(deal, now = Date.now()) {
  return Math.max(0, daysSince(deal.ball_since || deal.created_at, now) ?? 0);
}

/** The latest moment something happened on a deal: a change, a visit or an event. */
export function lastActivity(deal, { history = [], visits = [], events = [] } = {}) {
  const moments = [deal.ball_since,
    ...history.map((h) => h.at),
    ...visits.filter((v) => !v.deleted).map((v) => v.visited_at),
    ...events.filter((e) => !e.deleted).map((e) => e.occurred_at || e.created_at)].filter(Boolean);
  let latest = null;
  for (const moment of moments) if (latest === null || Date.parse(moment) > Date.parse(latest)) latest = moment;
  return latest || deal.created_at || null;
}

/** Why an open deal needs following up: `[{rule, days, limit}]`, empty when it does not. */
export function followUp(deal, activity, limits, now = Date.now()) {
  if (deal.deleted || CLOSED.has(deal.stage)) return [];
  const reasons = [];
  const ball = deal.ball || "ours";
  const days = ballDays(deal, now);
  if (days > limits[ball]) reasons.push({ rule: ball, days, limit: limits[ball] });
  const idle = Math.max(0, daysSince(activity, now) ?? 0);
  if (activity && idle > limits.idle) reasons.push({ rule: "idle", days: idle, limit: limits.idle });
  return reasons;
}

export function overdueBy(reasons) {
  return reasons.reduce((most, r) => Math.max(most, r.days - r.limit), 0);
}

/** Deals that need following up, most overdue first. Each row: `{deal, reasons, ...}`. */
export function followUpList(rows) {
  return rows.filter((row) => row.reasons.length)
    .sort((a, b) => (overdueBy(b.reasons) - overdueBy(a.reasons)) || (b.ballDays - a.ballDays)
      || (a.deal.id < b.deal.id ? -1 : 1));
}

/** 「見積提出後 14日 · ボールは顧客」: what the wait is, how long, and who holds the ball. */
export function badgeText(deal, now = Date.now()) {
  const ball = deal.ball || "ours";
  const key = `deal.since.${ball}.${deal.stage}`;
  const since = t(key) === key ? t(`deal.since.${ball}`) : t(key);
  return t("deal.badge", { since, n: ballDays(deal, now), ball: label("deal.ballIs", ball) });
}

export function reasonText(reason) {
  return t(`deal.reason.${reason.rule}`, { n: reason.days, limit: reason.limit });
}

/** Every live deal with what its screens show: days with the ball, last activity, follow-up. */
export async function dealRows(limits, { now = Date.now(), ids = null } = {}) {
  const tx = await transaction(["deals", "deal_events", "history", "visits", "customers", "users"]);
  const store = (name) => tx.objectStore(name);
  const deals = (ids ? await Promise.all(ids.map((id) => req(store("deals").get(id))))
    : await req(store("deals").getAll())).filter((d) => d && !d.deleted);
  const customerIds = [...new Set(deals.map((d) => d.customer_id))];
  const [users, customers, events, histories, visits] = await Promise.all([
    req(store("users").getAll()),
    Promise.all(customerIds.map((id) => req(store("customers").get(id)))),
    Promise.all(deals.map((d) => req(store("deal_events").index("deal_id").getAll(d.id)))),
    Promise.all(deals.map((d) => req(store("history").index("record_id").getAll(d.id)))),
    Promise.all(customerIds.map((id) => req(store("visits").index("customer_id").getAll(id)))),
  ]);
  const byCustomer = new Map(customerIds.map((id, i) => [id, { customer: customers[i], visits: visits[i] }]));
  const names = new Map(users.map((u) => [u.id, u]));
  return deals.map((deal, i) => {
    const links = {
      history: histories[i].filter((h) => !h.deleted),
      visits: byCustomer.get(deal.customer_id).visits.filter((v) => v.deal_id === deal.id && !v.deleted),
      events: events[i].filter((e) => !e.deleted),
    };
    const activity = lastActivity(deal, links);
    return {
      deal, ...links, activity,
      customer: byCustomer.get(deal.customer_id).customer || null,
      owner: names.get(deal.owner_id) || null,
      users: names,
      ballDays: ballDays(deal, now),
      idleDays: Math.max(0, daysSince(activity, now) ?? 0),
      reasons: followUp(deal, activity, limits, now),
    };
  });
}

/** Competitor prices across deals: `[{name, entries: [{deal, customer, product, price, at}]}]`. */
export function byCompetitor(rows) {
  const out = new Map();
  for (const row of rows) {
    const seen = new Set();
    const add = (name, product, price, at, source) => {
      const key = `${name}\u0001${product || ""}\u0001${price ?? ""}`;
      if (!name || seen.has(key)) return;
      seen.add(key);
      if (!out.has(name)) out.set(name, []);
      out.get(name).push({ row, product: product || null, price: price ?? null, at: at || null, source });
    };
    for (const e of row.events) {
      if (e.kind === "competitor") add(e.competitor_name, e.competitor_product, e.competitor_price, e.occurred_at || e.created_at, e);
    }
    for (const c of row.deal.competitors || []) add(c.name, c.product, c.price, null, null);
  }
  return [...out.entries()].map(([name, entries]) => ({
    name, entries: entries.sort((a, b) => (Date.parse(b.at) || 0) - (Date.parse(a.at) || 0)),
  })).sort((a, b) => (b.entries.length - a.entries.length) || a.name.localeCompare(b.name, "ja"));
}
