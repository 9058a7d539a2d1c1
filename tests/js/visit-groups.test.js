// Visits kept in groups of one customer's (pwa/js/visit-groups.js): the upgrade that moves them there.

import assert from "node:assert/strict";
import { test } from "node:test";

import { GROUP_SIZE, dayKey, groupsOf, withDays } from "../../pwa/js/visit-groups.js";

test("an upgrade groups the visits it moves by customer, fifty at most to a group", () => {
  const visits = [
    ...Array.from({ length: 120 }, (_, i) => ({ id: `a${i}`, customer_id: "A" })),
    { id: "b1", customer_id: "B" },
    { id: "x1" }, // no customer: kept all the same, under ""
  ];
  const groups = groupsOf(visits);
  assert.equal(GROUP_SIZE, 50);
  assert.deepEqual(groups.map((g) => [g.customer_id, g.n, g.visits.length]),
    [["A", 0, 50], ["A", 1, 50], ["A", 2, 20], ["B", 0, 1], ["", 0, 1]]);
  for (const group of groups) assert.deepEqual(group.ids, group.visits.map((v) => v.id));
  assert.deepEqual(groups.flatMap((g) => g.visits), visits); // every visit once, in order
});

test("a group's days name each visit's author and company day once, Tokyo's day not UTC's", () => {
  const group = withDays({ customer_id: "A", n: 0, ids: ["v1", "v2", "v3", "v4"], visits: [
    { id: "v1", author_id: "u1", visited_at: "2026-11-20T10:00:00+09:00" },
    { id: "v2", author_id: "u1", visited_at: "2026-11-20T23:30:00+09:00" },
    { id: "v3", author_id: "u1", visited_at: "2026-11-20T15:30:00Z" }, // 00:30 on the 21st in Tokyo
    { id: "v4", visited_at: "2026-11-21T08:00:00+09:00" }, // saved before its author was known
  ] });
  assert.deepEqual(group.days, [dayKey("u1", "2026-11-20"), dayKey("u1", "2026-11-21"), dayKey(null, "2026-11-21")]);
  assert.notEqual(dayKey("u1", "2026-11-21"), dayKey(null, "2026-11-21"));
});

test("a group's dues name each live visit's author and next action's due day, none without one", () => {
  const group = withDays({ customer_id: "A", n: 0, ids: ["v1", "v2", "v3", "v4", "v5"], visits: [
    { id: "v1", author_id: "u1", visited_at: "2026-06-01T10:00:00+09:00", next_action: "定期点検", next_action_due: "2026-12-08" },
    { id: "v2", author_id: "u2", visited_at: "2026-11-20T10:00:00+09:00", next_action: "見積を送る", next_action_due: "2026-12-08" },
    { id: "v3", author_id: "u1", visited_at: "2026-11-21T10:00:00+09:00", next_action_due: "2026-12-09" }, // no action
    { id: "v4", author_id: "u1", visited_at: "2026-11-22T10:00:00+09:00", next_action: "連絡" }, // no due day
    { id: "v5", author_id: "u1", visited_at: "2026-11-23T10:00:00+09:00", next_action: "部品発注",
      next_action_due: "2026-12-10", deleted: true },
  ] });
  assert.deepEqual(group.dues, [dayKey("u1", "2026-12-08"), dayKey("u2", "2026-12-08")]);
  assert.deepEqual(withDays({ customer_id: "B", n: 0, ids: [], visits: [] }).dues, []); // filled, with none
});
