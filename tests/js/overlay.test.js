// The records overlay (pwa/js/overlay.js): what the server sends never hides the device's own
// unanswered edits, and an older version never replaces a newer one.

import assert from "node:assert/strict";
import { test } from "node:test";

import { keysOf, merged, overlay, pendingByRecord, recordKey } from "../../pwa/js/overlay.js";

const entry = (fields) => ({ entity: "visits", record_id: "v1", op: "upsert", status: "pending", changes: {}, ...fields });

test("unanswered entries are grouped by record in outbox order; rejected ones are left out", () => {
  const first = entry({ seq: 1, changes: { purpose: "a" } });
  const other = entry({ seq: 2, record_id: "v2" });
  const rejected = entry({ seq: 3, status: "rejected" });
  const second = entry({ seq: 4, changes: { purpose: "b" } });
  const customer = entry({ seq: 5, entity: "customers", record_id: "v1" });
  const pending = pendingByRecord([first, other, rejected, second, customer]);
  assert.deepEqual(pending.get("visits:v1"), [first, second]);
  assert.deepEqual(pending.get("visits:v2"), [other]);
  assert.deepEqual(pending.get("customers:v1"), [customer]);
  assert.equal(pending.size, 3);
});

test("every record with an outbox entry, rejected too, is known by its key", () => {
  const keys = keysOf([entry({}), entry({ status: "rejected", entity: "requests", record_id: "r1" })]);
  assert.deepEqual([...keys].sort(), [recordKey("requests", "r1"), recordKey("visits", "v1")]);
});

test("the device's edits win over the server's fields, the later edit over the earlier", () => {
  const server = { id: "v1", version: 3, purpose: "server", notes: "server notes", kind: "sales" };
  const shown = overlay(server, [entry({ changes: { purpose: "first", notes: null } }), entry({ changes: { purpose: "second" } })]);
  assert.deepEqual(shown, { id: "v1", version: 3, purpose: "second", notes: null, kind: "sales" });
  assert.equal(server.purpose, "server", "the server's record is not changed");
});

test("an unanswered delete keeps the record deleted whatever the server sends", () => {
  const shown = overlay({ id: "v1", version: 4, deleted: false, purpose: "p" }, [entry({ op: "delete" })]);
  assert.equal(shown.deleted, true);
  assert.equal(shown.purpose, "p");
});

test("with nothing unanswered the server's record is kept as it came", () => {
  const server = { id: "v1", version: 1 };
  assert.equal(overlay(server, undefined), server);
});

test("a version older than the one held is not stored", () => {
  assert.equal(merged({ id: "v1", version: 5 }, { id: "v1", version: 4 }, undefined), null);
});

test("the same or a newer version replaces what is held, with the unanswered edits over it", () => {
  const held = { id: "v1", version: 4, purpose: "old", local_only: true };
  const edits = [entry({ changes: { purpose: "mine" } })];
  assert.deepEqual(merged(held, { id: "v1", version: 4, purpose: "server" }, edits), { id: "v1", version: 4, purpose: "mine" });
  assert.deepEqual(merged(held, { id: "v1", version: 6, purpose: "newer" }, undefined), { id: "v1", version: 6, purpose: "newer" });
});

test("a record only the device had (no version yet) takes the server's first version", () => {
  const created = { id: "v1", purpose: "draft", author_id: "me" };
  const edits = [entry({ changes: { purpose: "draft" } })];
  assert.deepEqual(merged(created, { id: "v1", version: 1, purpose: "draft", author_id: "u1" }, edits),
    { id: "v1", version: 1, purpose: "draft", author_id: "u1" });
  assert.deepEqual(merged(null, { id: "v1", version: 1 }, undefined), { id: "v1", version: 1 });
});

test("a pending move of the ball stays dated by its own clock when a pull brings the older deal", () => {
  const pulled = { id: "d1", version: 4, ball: "customer", ball_since: "2026-11-20T01:00:00.000Z" };
  const moved = { ...entry({ entity: "deals", record_id: "d1", changes: { ball: "ours" } }),
    hlc: "1796263200000:000000:dev" };
  const held = overlay(pulled, [moved]);
  assert.equal(held.ball, "ours");
  assert.equal(held.ball_since, new Date(1796263200000).toISOString());
  const untouched = overlay(pulled, [{ ...moved, changes: { amount: 5 } }]);
  assert.equal(untouched.ball_since, pulled.ball_since);  // no move, no new date
});
