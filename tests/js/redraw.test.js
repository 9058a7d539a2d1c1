// A screen's drawings (pwa/js/ui/redraw.js): a change stored while the first drawing reads its
// records is drawn after it, never missed and never overlapped.

import assert from "node:assert/strict";
import { test } from "node:test";

// store.js runs in a page or a worker: the little of one it looks at.
globalThis.self ??= {};
globalThis.navigator ??= { onLine: true };
const { dataChanged } = await import("../../pwa/js/store.js");
const { drawThenRedrawOnData, redrawOnData } = await import("../../pwa/js/ui/redraw.js");

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until `done()` holds (a loaded machine's timers slip: a fixed wait once fell short in CI). */
async function until(done, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await wait(5);
}

/** A screen over one stored value: each drawing reads it, slowly, and shows what it read. */
function screen() {
  const store = { value: "old" };
  const shown = { value: null, drawings: 0, overlapping: 0 };
  let drawing = false;
  const draw = async ({ local }) => {
    if (drawing) shown.overlapping += 1;
    drawing = true;
    shown.drawings += 1;
    const read = store.value;
    await wait(30); // the rest of the reading
    shown.value = read;
    shown.local = local;
    drawing = false;
  };
  return { store, shown, draw };
}

test("a save that ends while the first drawing reads is drawn right after it", async () => {
  const { store, shown, draw } = screen();
  const drawn = drawThenRedrawOnData(draw, { delay: 5 });
  store.value = "new";
  dataChanged({ local: true });
  const stop = await drawn;
  await until(() => shown.value === "new");
  await wait(50); // and no drawing after it
  assert.equal(shown.value, "new");
  assert.equal(shown.local, true);
  assert.equal(shown.drawings, 2);
  assert.equal(shown.overlapping, 0);
  stop();
});

test("the first drawing is the screen's own, later ones the redraw given", async () => {
  const calls = [];
  const stop = await drawThenRedrawOnData(async () => calls.push("first"), {
    redraw: async () => calls.push("redraw"), delay: 5 });
  dataChanged({});
  await until(() => calls.length === 2);
  assert.deepEqual(calls, ["first", "redraw"]);
  stop();
});

test("a first drawing that fails stops listening and says so", async () => {
  let redraws = 0;
  await assert.rejects(drawThenRedrawOnData(async () => { throw new Error("no records"); }, {
    redraw: async () => { redraws += 1; }, delay: 5 }), /no records/);
  dataChanged({});
  await wait(30);
  assert.equal(redraws, 0);
});

test("once stopped, a screen is not drawn again; a burst of changes draws once", async () => {
  const { store, shown, draw } = screen();
  const stop = redrawOnData(draw, { delay: 5 });
  for (const value of ["a", "b", "c"]) {
    store.value = value;
    dataChanged({});
  }
  await until(() => shown.value === "c");
  await wait(50); // and no second drawing
  assert.deepEqual([shown.value, shown.drawings], ["c", 1]);
  stop();
  store.value = "d";
  dataChanged({});
  await wait(50);
  assert.deepEqual([shown.value, shown.drawings], ["c", 1]);
});
