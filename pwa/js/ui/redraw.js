// A screen draws itself again when stored records change (a save in this tab or another, a
// pull): a burst of changes makes one drawing, drawings never overlap, and none happens once
// the screen was left.

import { oneAtATime } from "../retry.js";
import { getState, onData, subscribe } from "../store.js";

/**
 * Call `draw({local})` `delay` ms after stored records last changed; `local` says whether one
 * of the changes was a save on this device (a form may redraw then, never under a sync).
 * With `afterSync`, changes that come while a sync runs wait for its end (one drawing for a
 * whole pull), except the one saying a first pull has brought everything the lists need
 * (`lists`): the customers show while the history streams in. Returns the function that
 * stops it.
 */
export function redrawOnData(draw, options = {}) {
  return watch(draw, options).stop;
}

/**
 * A screen's first drawing, `draw({local: false})`, then `redraw` as `redrawOnData` calls it
 * (`draw` unless given). Listening starts before the first drawing reads its records: a
 * change stored meanwhile (a save ending, a pull's page) is drawn right after it, never
 * missed and never drawn over by it. Resolves to the function that stops it.
 */
export async function drawThenRedrawOnData(draw, { redraw = draw, ...options } = {}) {
  const { stop, drawWith } = watch(redraw, options);
  try {
    await drawWith(draw);
  } catch (err) {
    stop();
    throw err;
  }
  return stop;
}

function watch(redraw, { delay = 100, afterSync = false } = {}) {
  let changed = false;
  let local = false;
  let live = true;
  let first = null;
  const run = oneAtATime(async () => {
    if (!first) await fingersLifted(); // a redraw, not the screen's first drawing
    if (!live || !changed) return;
    const own = local;
    const draw = first || redraw;
    changed = local = false;
    first = null;
    await draw({ local: own });
  });
  let timer = null;
  const schedule = (ms) => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  const offData = onData((what) => {
    changed = true;
    local ||= Boolean(what?.local);
    if (afterSync && getState().syncing && !what?.lists) clearTimeout(timer);
    else schedule(what?.lists ? 0 : delay); // the customers are in: show them now
  });
  let syncing = getState().syncing;
  const offState = afterSync ? subscribe((state) => {
    const ended = syncing && !state.syncing;
    syncing = state.syncing;
    if (ended && changed) schedule(0);
  }) : () => {};
  const stop = () => {
    live = false;
    clearTimeout(timer);
    offData();
    offState();
  };
  const drawWith = (draw) => {
    changed = true;
    first = draw;
    return run();
  };
  return { stop, drawWith };
}

// A tap is a press and a release on one element: a screen drawn again between them puts a new
// element under the finger, and the browser sends the click to neither (a link tapped as a
// sync's news came did nothing). Redraws wait for the finger, at most HOLD_MS (a press the page
// never hears end).
const HOLD_MS = 3000;
let pressed = false;
let lifted = [];
let holding = null; // the timer that ends a hold
const lift = () => {
  pressed = false;
  clearTimeout(holding);
  const waiting = lifted;
  lifted = [];
  setTimeout(() => waiting.forEach((resolve) => resolve()), 0); // after the click it makes
};
globalThis.document?.addEventListener("pointerdown", () => { pressed = true; }, true);
for (const type of ["pointerup", "pointercancel"]) globalThis.document?.addEventListener(type, lift, true);

function fingersLifted() {
  if (!pressed) return undefined;
  return new Promise((resolve) => {
    lifted.push(resolve);
    clearTimeout(holding);
    holding = setTimeout(lift, HOLD_MS); // a release the page did not hear (outside the window)
  });
}

/**
 * `draw` for `redrawOnData`, held while the focus is in `selector` (a screen's filters: a
 * search half typed, a list open). Drawn again, the box would lose the focus and what was typed,
 * and the browser would apply the words when the focused box went. The screen is drawn with the
 * new data once the focus leaves them (not when the window loses it: the user is back in the box
 * on return); a screen drawn for a search meanwhile is a new one, and this one, off the page, is
 * not drawn.
 */
export function notUnderFingers(view, selector, draw) {
  let waiting = false;
  return (...args) => {
    const held = view.querySelector(selector);
    if (!held?.contains(document.activeElement)) return draw(...args);
    if (waiting) return undefined;
    waiting = true;
    // Once the focus has moved (focusout fires before it lands), draw if it is out of the
    // filters. Moving within them, or the window losing it (another app, another tab: the box
    // stays the document's focused element, to have it back on return), keeps waiting.
    const left = () => {
      setTimeout(() => {
        if (!waiting || held.contains(document.activeElement)) return;
        held.removeEventListener("focusout", left);
        waiting = false;
        if (view.isConnected) draw(...args);
      }, 0);
    };
    held.addEventListener("focusout", left);
    return undefined;
  };
}
