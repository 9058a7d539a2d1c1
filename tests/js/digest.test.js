// Convergence digests on the device equal the server's (sync/digest.py): the same FNV-1a of
// "entity:id:version", counted and summed the same way, so a device can tell which of its
// records differ from the server's without downloading them.

import assert from "node:assert/strict";
import { test } from "node:test";

import { differing, digestOf, digester, fnv1a32, recordHash } from "../../pwa/js/digest.js";

test("FNV-1a of a record is the server's, for ASCII ids and text beyond it", () => {
  // The values the server computes (fnv_hash_fast.fnv1a_32 of the same UTF-8 bytes).
  assert.equal(fnv1a32(""), 0x811c9dc5);
  assert.equal(fnv1a32("a"), 0xe40c292c);
  assert.equal(recordHash("customers", "0b6f6c39-3c3e-4d5b-9d0e-2b7c1f0e9a11", 3), 0xab996d3f);
  assert.equal(fnv1a32("顧客"), 0xae9ccedb);
});

test("a digest counts live records only and sums their hashes exactly", () => {
  const records = [
    { id: "a1", version: 1 },
    { id: "a2", version: 4 },
    { id: "b1", version: 2, deleted: true },
  ];
  const whole = digestOf("visits", records);
  assert.equal(whole.count, 2);
  assert.equal(whole.sum, String(recordHash("visits", "a1", 1) + recordHash("visits", "a2", 4)));
  assert.equal(digestOf("visits", [{ id: "x", version: 1, deleted: true }]), null);
  // Split by the ids' last characters (the app's ids start with their time, end at random).
  const buckets = digestOf("visits", [...records, { id: "b2", version: 1 }], "");
  assert.deepEqual(Object.keys(buckets).sort(), ["1", "2"]);
  assert.equal(buckets["2"].count, 2);
  assert.deepEqual(Object.keys(digestOf("visits", [...records, { id: "b2", version: 1 }], "2")).sort(), ["a2", "b2"]);
});

test("a digest summed page by page equals the digest of the whole, split or not", () => {
  const records = Array.from({ length: 1200 }, (_, i) => ({ id: `${(i * 7919) % 1200}`.padStart(4, "0"), version: 1 + (i % 5), deleted: i % 9 === 0 }));
  for (const ending of [null, "", "1", "11"]) {
    const digest = digester("customers", ending);
    for (let start = 0; start < records.length; start += 500) digest.add(records.slice(start, start + 500));
    assert.deepEqual(digest.result(), digestOf("customers", records, ending));
  }
  assert.equal(digester("customers").result(), null);
  assert.deepEqual(digester("customers", "").result(), {});
});

test("differing names each key whose count or sum differs, a missing one as empty", () => {
  const theirs = { visits: { count: 2, sum: "10" }, customers: { count: 1, sum: "7" }, users: { count: 1, sum: "3" } };
  const mine = { visits: { count: 2, sum: "11" }, customers: { count: 1, sum: "7" }, deals: { count: 1, sum: "5" } };
  assert.deepEqual(differing(theirs, mine), ["deals", "users", "visits"]);
  assert.deepEqual(differing({}, {}), []);
});
