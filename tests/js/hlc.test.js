// The device's hybrid logical clock (pwa/js/hlc.js): values order as strings, a local event
// never goes backwards, and a received value moves the clock past it.

import assert from "node:assert/strict";
import { test } from "node:test";

import { ZERO, format, parse, physical, receive, send } from "../../pwa/js/hlc.js";

const T = 1_764_000_000_000; // an instant in 2025, 13 digits

test("a value is milliseconds, counter and node, padded so that strings sort like the clock", () => {
  assert.equal(format(T, 7, "dev-1"), "1764000000000:000007:dev-1");
  assert.deepEqual(parse("1764000000000:000007:dev-1"), [T, 7, "dev-1"]);
  assert.ok(format(T, 9, "b") < format(T, 10, "a"), "the counter orders before the node");
  assert.ok(format(T, 999, "z") < format(T + 1, 0, "a"), "time orders before the counter");
  assert.ok(format(999, 0, "a") < format(T, 0, "a"), "padding keeps small times first");
});

test("zero and malformed values read as the start of time", () => {
  assert.deepEqual(parse(ZERO), [0, 0, "0"]);
  for (const bad of [null, undefined, "", "12:34:x", "1764000000000:7:dev", "1764000000000:000007:bad node"]) {
    assert.deepEqual(parse(bad), [0, 0, ""], String(bad));
  }
});

test("a local event takes the wall clock when it moved on, with the counter reset", () => {
  assert.equal(send(format(T, 5, "dev"), T + 10, "dev"), format(T + 10, 0, "dev"));
  assert.equal(send(ZERO, T, "dev"), format(T, 0, "dev"));
});

test("a local event in the same millisecond, or with the wall clock set back, bumps the counter", () => {
  assert.equal(send(format(T, 5, "dev"), T, "dev"), format(T, 6, "dev"));
  assert.equal(send(format(T, 5, "dev"), T - 60_000, "dev"), format(T, 6, "dev"));
});

test("local events keep increasing however the wall clock jumps", () => {
  let clock = ZERO;
  const seen = [];
  for (const now of [T, T, T - 5000, T + 1, T + 1, T - 86_400_000, T + 2]) {
    clock = send(clock, now, "dev");
    seen.push(clock);
  }
  assert.deepEqual([...seen].sort(), seen);
  assert.equal(new Set(seen).size, seen.length);
});

test("receiving a value ahead of the device moves the clock just past it", () => {
  const remote = format(T + 5000, 3, "server");
  const after = receive(format(T, 9, "dev"), remote, T + 1000, "dev");
  assert.equal(after, format(T + 5000, 4, "dev"));
  assert.ok(send(after, T + 2000, "dev") > remote, "the next edit orders after what was seen");
});

test("receiving in the same millisecond as both clocks takes the larger counter plus one", () => {
  assert.equal(receive(format(T, 2, "dev"), format(T, 8, "server"), T, "dev"), format(T, 9, "dev"));
  assert.equal(receive(format(T, 8, "dev"), format(T, 2, "server"), T, "dev"), format(T, 9, "dev"));
});

test("receiving an older value keeps the device's own time", () => {
  assert.equal(receive(format(T, 2, "dev"), format(T - 10, 50, "server"), T - 5, "dev"), format(T, 3, "dev"));
  assert.equal(receive(format(T, 2, "dev"), format(T - 10, 50, "server"), T + 7, "dev"), format(T + 7, 0, "dev"));
});

test("the physical time of a value is its milliseconds", () => {
  assert.equal(physical(format(T, 12, "dev")), T);
  assert.equal(physical("nonsense"), 0);
});
