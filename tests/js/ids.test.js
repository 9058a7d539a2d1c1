// New ids (pwa/js/ids.js) are UUIDs of version 7 that sort by the time they were made.

import assert from "node:assert/strict";
import { test } from "node:test";

import { newId } from "../../pwa/js/ids.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("an id is a canonical UUID of version 7 and the RFC's variant", () => {
  for (let i = 0; i < 200; i++) assert.match(newId(), UUID);
  assert.match(newId(0, new Uint8Array(10).fill(255)), UUID);
});

test("the time comes first, in milliseconds, so later ids sort after earlier ones", () => {
  const t = Date.UTC(2026, 11, 3, 9, 30);
  assert.equal(newId(t).slice(0, 13).replace("-", ""), t.toString(16).padStart(12, "0"));
  const ids = [t, t + 1, t + 1000, t + 86_400_000].map((ms) => newId(ms, new Uint8Array(10).fill(255)));
  assert.deepEqual([...ids].sort(), ids);
  assert.ok(newId(t + 1, new Uint8Array(10)) > newId(t, new Uint8Array(10).fill(255)));
});

test("two ids made in the same millisecond differ", () => {
  const t = Date.now();
  const ids = new Set(Array.from({ length: 1000 }, () => newId(t)));
  assert.equal(ids.size, 1000);
});
