// Deal follow-up on the device (pwa/js/deals.js): calendar days with the ball counted in
// Tokyo, last activity, and the 要フォロー rules, the same as the server's server/deals.py.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DEFAULT_LIMITS, badgeText, ballDays, byCompetitor, followUp, followUpList, lastActivity, limitsOf, overdueBy,
} from "../../pwa/js/deals.js";

const NOW = Date.parse("2026-11-27T10:00:00+09:00");
const deal = (fields) => ({ id: "d1", stage: "needs_hearing", ball: "ours", ...fields });

test("days with the ball are Tokyo calendar days: 23:30 JST counts from that JST day", () => {
  assert.equal(ballDays(deal({ ball_since: "2026-11-23T23:30:00+09:00" }), NOW), 4);
  assert.equal(ballDays(deal({ ball_since: "2026-11-23T14:30:00Z" }), NOW), 4);
  assert.equal(ballDays(deal({ ball_since: "2026-11-23T15:30:00Z" }), NOW), 3);
  assert.equal(ballDays(deal({ ball_since: "2026-11-27T00:10:00+09:00" }), NOW), 0);
});

test("a ball taken in the future (a skewed clock) counts as zero days, and a new deal counts from its creation", () => {
  assert.equal(ballDays(deal({ ball_since: "2026-12-01T10:00:00+09:00" }), NOW), 0);
  assert.equal(ballDays(deal({ created_at: "2026-11-25T10:00:00+09:00" }), NOW), 2);
});

test("the last activity is the latest change, visit or event; deleted ones do not count", () => {
  const d = deal({ ball_since: "2026-11-01T10:00:00+09:00", created_at: "2026-10-01T10:00:00+09:00" });
  assert.equal(lastActivity(d, {
    history: [{ at: "2026-11-05T10:00:00+09:00" }],
    visits: [{ visited_at: "2026-11-20T10:00:00+09:00" }, { visited_at: "2026-11-26T10:00:00+09:00", deleted: true }],
    events: [{ occurred_at: "2026-11-10T10:00:00+09:00" }, { created_at: "2026-11-12T10:00:00+09:00" }],
  }), "2026-11-20T10:00:00+09:00");
  assert.equal(lastActivity(deal({ created_at: "2026-10-01T10:00:00+09:00" })), "2026-10-01T10:00:00+09:00");
});

test("a deal needs following up once the ball sat longer than its side's limit", () => {
  const since = "2026-11-23T10:00:00+09:00"; // 4 days
  assert.deepEqual(followUp(deal({ ball: "ours", ball_since: since }), since, DEFAULT_LIMITS, NOW),
    [{ rule: "ours", days: 4, limit: 3 }]);
  assert.deepEqual(followUp(deal({ ball: "customer", ball_since: since }), since, DEFAULT_LIMITS, NOW), []);
  assert.deepEqual(followUp(deal({ ball: "customer", ball_since: "2026-11-12T09:00:00+09:00" }), since, DEFAULT_LIMITS, NOW),
    [{ rule: "customer", days: 15, limit: 14 }]);
});

test("a deal with nothing happening for longer than the idle limit needs following up too", () => {
  const d = deal({ ball: "customer", ball_since: "2026-11-13T09:00:00+09:00" });
  assert.deepEqual(followUp(d, "2026-10-27T22:00:00+09:00", DEFAULT_LIMITS, NOW), [{ rule: "idle", days: 31, limit: 30 }]);
  assert.deepEqual(followUp(d, "2026-10-28T22:00:00+09:00", DEFAULT_LIMITS, NOW), []);
});

test("won, lost and deleted deals never need following up", () => {
  const old = "2026-01-01T10:00:00+09:00";
  for (const d of [deal({ stage: "won", ball_since: old }), deal({ stage: "lost", ball_since: old }), deal({ deleted: true, ball_since: old })]) {
    assert.deepEqual(followUp(d, old, DEFAULT_LIMITS, NOW), []);
  }
});

test("the company calendar's limits replace the defaults one by one", () => {
  assert.deepEqual(limitsOf({ follow_up_days: { ours: 1 } }), { ours: 1, customer: 14, idle: 30 });
  assert.deepEqual(limitsOf(null), DEFAULT_LIMITS);
  const since = "2026-11-25T10:00:00+09:00"; // 2 days
  assert.deepEqual(followUp(deal({ ball_since: since }), since, limitsOf({ follow_up_days: { ours: 1 } }), NOW),
    [{ rule: "ours", days: 2, limit: 1 }]);
});

test("the follow-up list is most overdue first, then longest with the ball, and leaves out deals that are fine", () => {
  const row = (id, reasons, days) => ({ deal: { id }, reasons, ballDays: days });
  const rows = [
    row("fine", [], 50),
    row("a", [{ rule: "ours", days: 5, limit: 3 }], 5),
    row("b", [{ rule: "customer", days: 20, limit: 14 }, { rule: "idle", days: 31, limit: 30 }], 20),
    row("c", [{ rule: "ours", days: 5, limit: 3 }], 9),
  ];
  assert.equal(overdueBy(rows[2].reasons), 6);
  assert.deepEqual(followUpList(rows).map((r) => r.deal.id), ["b", "c", "a"]);
});

test("the badge says what the wait is, for how many days, and who holds the ball", () => {
  const d = deal({ stage: "proposal_quote", ball: "customer", ball_since: "2026-11-17T10:00:00+09:00" });
  assert.equal(badgeText(d, NOW), "見積提出後 10日 · ボールは顧客");
  assert.equal(badgeText(deal({ stage: "first_contact", ball_since: "2026-11-24T10:00:00+09:00" }), NOW),
    "当社対応待ち 3日 · ボールは当社", "a stage with no wording of its own says whose turn it is");
});

test("competitor prices are listed per competitor, busiest first, each price once, newest first", () => {
  const rows = [
    { deal: { id: "d1", competitors: [{ name: "丸栄精機工業", product: "溶接フレーム", price: 980000 }] },
      events: [{ kind: "competitor", competitor_name: "丸栄精機工業", competitor_product: "溶接フレーム", competitor_price: 980000, occurred_at: "2026-11-20T10:00:00+09:00" },
        { kind: "budget_tight", occurred_at: "2026-11-21T10:00:00+09:00" }] },
    { deal: { id: "d2" },
      events: [{ kind: "competitor", competitor_name: "丸栄精機工業", competitor_price: 1100000, occurred_at: "2026-11-25T10:00:00+09:00" },
        { kind: "competitor", competitor_name: "東和製作所", occurred_at: "2026-11-01T10:00:00+09:00" }] },
  ];
  const out = byCompetitor(rows);
  assert.deepEqual(out.map((c) => c.name), ["丸栄精機工業", "東和製作所"]);
  assert.deepEqual(out[0].entries.map((e) => [e.row.deal.id, e.price]), [["d2", 1100000], ["d1", 980000]]);
});
