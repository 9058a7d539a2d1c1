// One run at a time and backoff (pwa/js/retry.js), shared by sync and the photo upload queue.

import assert from "node:assert/strict";
import { mock, test } from "node:test";

import { backoff, oneAtATime } from "../../pwa/js/retry.js";

/** A task whose runs finish when the test says so. */
function controlledTask() {
  const runs = [];
  const task = () => new Promise((resolve) => runs.push(resolve));
  return { task, runs };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("calls while a run goes on share it and ask for exactly one more run", async () => {
  const { task, runs } = controlledTask();
  const run = oneAtATime(task);
  const first = run();
  assert.equal(run(), first);
  assert.equal(run(), first);
  await tick();
  assert.equal(runs.length, 1, "never two runs at once");
  runs[0]();
  await tick();
  assert.equal(runs.length, 2, "the calls that came meanwhile make one more run");
  runs[1]();
  await first;
  assert.equal(runs.length, 2);
});

test("a call after a run ended starts a new run", async () => {
  let count = 0;
  const run = oneAtATime(async () => { count += 1; });
  await run();
  await run();
  assert.equal(count, 2);
});

test("a failed run rejects its callers and does not block the next run", async () => {
  let fail = true;
  const run = oneAtATime(async () => {
    if (fail) throw new Error("cut");
  });
  await assert.rejects(run(), /cut/);
  fail = false;
  await run();
});

test("with a lock name every run goes through that Web Lock when the browser has them", async (t) => {
  const names = [];
  const navigator = { locks: { request: (name, task) => { names.push(name); return task(); } } };
  Object.defineProperty(globalThis, "navigator", { value: navigator, configurable: true, writable: true });
  t.after(() => { delete globalThis.navigator; });
  let count = 0;
  await oneAtATime(async () => { count += 1; }, { lock: "genba-sync" })();
  assert.deepEqual(names, ["genba-sync"]);
  assert.equal(count, 1);
});

test("retries wait twice as long after each failure, up to the ceiling", (t) => {
  mock.timers.enable({ apis: ["setTimeout"] });
  t.after(() => mock.timers.reset());
  let retries = 0;
  const timer = backoff(() => { retries += 1; }, { baseMs: 2000, maxMs: 10_000, random: () => 1 });
  assert.deepEqual([timer.failed(), timer.failed(), timer.failed(), timer.failed()], [2000, 4000, 8000, 10_000]);
  mock.timers.tick(9999);
  assert.equal(retries, 0, "each failure replaces the retry that was waiting");
  mock.timers.tick(1);
  assert.equal(retries, 1);
});

test("the wait is drawn between half and all of the ceiling, so devices do not retry in step", () => {
  const at = (random) => backoff(() => {}, { baseMs: 2000, maxMs: 60_000, random });
  const low = at(() => 0);
  const high = at(() => 0.999);
  assert.equal(low.failed(), 1000);
  assert.ok(high.failed() < 2000);
  low.cancel();
  high.cancel();
});

test("a reset starts again from the shortest wait, and a cancel drops the waiting retry", (t) => {
  mock.timers.enable({ apis: ["setTimeout"] });
  t.after(() => mock.timers.reset());
  let retries = 0;
  const timer = backoff(() => { retries += 1; }, { baseMs: 5000, maxMs: 300_000, random: () => 1 });
  timer.failed();
  timer.failed();
  timer.reset();
  assert.equal(timer.failed(), 5000);
  timer.cancel();
  mock.timers.tick(600_000);
  assert.equal(retries, 0);
});
