// Pulling the change feed into IndexedDB, page by page: used by the pull worker (pull-worker.js),
// so that writing tens of thousands of records never holds up the screens, and by the page
// itself where workers are not available.
//
// A pull without a cursor is a prioritised first pull: the people, the customers and their
// contacts come first, and the screens hear (`lists`) as soon as every customer is in, so the
// customer list and its search work while the rest streams in. Each page is written with its cursor in one transaction: a pull cut
// off anywhere goes on from the last page written.

import * as api from "./api.js";
import { SYNCED, done, getMeta, req, setMeta, transaction } from "./db.js";
import { advanceClock } from "./outbox.js";
import { pendingByRecord } from "./overlay.js";
import { RECENT_PENDING, applyChanges, removeUnseen, writeRecent } from "./records.js";
import { DAYS_PENDING, daysPending } from "./visit-groups.js";

/**
 * Pull until `has_more` is false, applying each page in its own transaction; `progress(what)`
 * hears of what changed (`{pulled, lists}`, `{recent}`, `{refreshed}`; after it, `{days}` once
 * fillDays has filled any), `kept(n)` of the records stored so far after each page (for the
 * status bar: a first sync takes a while) and `measure(name, start, detail)` of the time each
 * page took (fetching, writing, storing).
 * With `digest(scopeDigest, fresh)`, the pull asks for the server's digest of the scope and hands
 * it over at the end (check.js), with whether the pull began afresh (nothing to check then).
 * Throws api.ApiError / api.NetworkError as api.js does.
 */
export async function pullAll(token, limit,
  { progress = () => {}, kept = () => {}, measure = () => {}, digest = null } = {}) {
  let cursor = await getMeta("cursor");
  let seen = null;
  const refetch = await getMeta("refetch");
  if (refetch && cursor) {
    cursor = null; // a new store to fill (db.js step 3): everything afresh, as after a 410
    seen = new Set();
  }
  let pulled = 0;
  let stored = 0;
  let empty = cursor ? null : await emptyStores();
  // A pull cut off before it wrote the "recent" store leaves it to this one, from the visits.
  const rebuild = Boolean(await getMeta(RECENT_PENDING));
  // A first pull keeps the latest visit per customer here and writes them once, at its end,
  // not with every page.
  let visitTimes = cursor ? null : new Map();
  let lastSignal = 0;
  let listed = false;
  // While page N commits, page N+1 is already being written: its transaction starts when N's
  // ends and first checks that N's cursor is the one stored (if N failed, N+1 aborts).
  let committing = Promise.resolve();
  let follows = null; // the cursor the page being applied must find stored (none: the first)
  // A pull that began afresh brings the whole scope: there is nothing to check it against.
  const fetchPage = (from) => timed(api.pull(token, from, limit, Boolean(digest) && empty === null),
    "genba:pull-fetch", measure);
  let next = fetchPage(cursor);
  for (;;) {
    let page;
    try {
      page = await next;
    } catch (err) {
      await committing;
      if (err.status === 410 && cursor) {
        cursor = null; // too long offline: everything afresh, the outbox stays
        follows = null;
        seen = new Set();
        empty = await emptyStores();
        visitTimes ??= new Map();
        await setMeta({ cursor: undefined });
        next = fetchPage(null);
        continue;
      }
      throw err;
    }
    // Fetch the next page while this one is written.
    next = page.has_more ? fetchPage(page.cursor) : null;
    next?.catch(() => {}); // its failure is handled when it is awaited
    const previous = committing;
    committing = applyPage(page, { seen, empty, visitTimes }, follows, measure).then(() => {
      stored += page.changes.length;
      if (page.changes.length) kept(stored);
    });
    committing.catch(() => {}); // a failure is thrown where it is awaited
    await previous; // at most two pages in flight
    follows = page.cursor;
    cursor = page.cursor;
    pulled += page.changes.length;
    const lists = !listed && customersComplete(page);
    if (lists) listed = true;
    if (lists || (page.changes.length && (!page.has_more || performance.now() - lastSignal > 2000))) {
      if (lists) await committing; // the lists are complete on the device: show them now
      lastSignal = performance.now(); // screens redraw at most every 2 s during a long pull
      await progress({ pulled: page.changes.length, lists });
    }
    if (!page.has_more) {
      digest?.(page.digest, empty !== null); // the scope as of the end; whether it began afresh
      break;
    }
  }
  await committing;
  if (visitTimes || rebuild) {
    await timed(writeRecent(rebuild ? null : visitTimes), "genba:pull-recent", measure);
    progress({ recent: true }); // the customer list puts the recently visited first again
  }
  if (seen) {
    await removeUnseen(seen);
    progress({ refreshed: true });
  }
  if (refetch) await setMeta({ refetch: undefined });
  return pulled;
}

// A prioritised first pull sends users, then customers, then contacts and follows, then the
// rest (each phase whole before the next): once a page holds anything else, or the server says
// the first phases are done, every customer is on the device.
const BEFORE_CUSTOMERS_DONE = ["users", "customers"];

function customersComplete(page) {
  if (!("priority_done" in page)) return false; // not a prioritised pull
  return page.priority_done || page.changes.some((change) => !BEFORE_CUSTOMERS_DONE.includes(change.entity));
}

async function timed(promise, name, measure) {
  const started = performance.now();
  const value = await promise;
  measure(name, started);
  return value;
}

/** The entity stores holding nothing (before a pull without a cursor). */
async function emptyStores() {
  const tx = await transaction(SYNCED);
  const counts = await Promise.all(SYNCED.map((name) => req(tx.objectStore(name).count())));
  return new Set(SYNCED.filter((name, index) => counts[index] === 0));
}

/**
 * The stores a page's transaction takes: the entities it holds, the outbox, "meta" (which every
 * page takes, so pages commit in order) and "recent" unless the pull leaves that to its end. A
 * first sync's pages of visits then leave the customer list's stores free for its reads, and
 * writing them is quicker.
 */
function pageStores(page, { visitTimes }) {
  const entities = new Set(page.changes.map((change) => change.entity).filter((name) => SYNCED.includes(name)));
  const recent = !visitTimes || page.changes.some((change) => change.evict);
  return [...entities, "outbox", "meta", ...(recent ? ["recent"] : [])];
}

/**
 * Apply one pull page and move the cursor, in one transaction (relaxed: the server has it all);
 * `options` are applyChanges's.
 * `follows`, when given, is the cursor this page was asked with: the page is written only if
 * that cursor is the one stored (the page before it was written whole).
 */
async function applyPage(page, options, follows, measure) {
  const tx = await transaction(pageStores(page, options), "readwrite", "relaxed");
  // A first pull's snapshot (its phases) sends each record once: into a store that was empty,
  // no visit of the page can be on the device yet, but among its customer's (visit-groups.js).
  // Its groups are stored without their days, left to fillDays once the pull is done.
  if ("priority_done" in page && options.empty?.has("visits") && page.changes.some((c) => c.entity === "visits")) {
    tx.objectStore("visits").fresh = true;
    tx.objectStore("meta").put(daysPending(), DAYS_PENDING);
  }
  // The reads go first: their answers come while the records are stored, so what is written
  // after them (the cursor, the clock) leaves the browser no wait before the commit.
  const stored = follows ? req(tx.objectStore("meta").get("cursor")) : null;
  const clock = advanceClock(tx, page.hlc);
  clock.catch(() => {}); // a failure is thrown where it is awaited
  let storing;
  try {
    const writing = performance.now();
    const applied = applyChanges(tx, page.changes,
      () => req(tx.objectStore("outbox").getAll()).then(pendingByRecord), options);
    // The records' put() calls (each clones its record on this thread) run before the first
    // wait; the rest, to the transaction's end, is the browser storing them.
    measure("genba:pull-write", writing, page.changes.length);
    storing = performance.now();
    await applied;
    if (follows && (await stored) !== follows) throw new Error("the page before was not written");
    tx.objectStore("meta").put(page.cursor, "cursor");
    if (options.visitTimes) tx.objectStore("meta").put(true, RECENT_PENDING);
    await clock;
  } catch (err) {
    try { tx.abort(); } catch { /* already finished */ }
    throw err;
  }
  await done(tx);
  measure("genba:pull-store", storing);
}
