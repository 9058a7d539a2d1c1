// Visits kept in groups of one customer's (pwa/js/visit-groups.js): the upgrade that moves them there.

import assert from "node:assert/strict";
import { test } from "node:test";

import { GROUP_SIZE, groupsOf } from "../../pwa/js/visit-groups.js";

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
