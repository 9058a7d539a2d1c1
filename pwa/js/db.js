// The device's IndexedDB store, opened once, with a tiny promise wrapper (no framework).
//
// Migrations are numbered steps run by `onupgradeneeded`: a released step is never edited; a
// change of shape is a new `if (oldVersion < N)` step that also migrates what is stored (the
// outbox above all: it holds work that exists nowhere else).
//
// Visits are kept in groups of one customer's visits (visit-groups.js, from step 9): every
// transaction here that names "visits" takes the groups' store, and its objectStore("visits")
// answers as a store of visits would.

import * as spare from "./spare.js";
import { DAYS_PENDING, GROUPS, abortedBy, daysPending, groupsOf, visitStore } from "./visit-groups.js";

export const DB_NAME = "genba";
export const DB_VERSION = 12;
// The entity stores made by step 1 (this list is part of that step: never change it).
export const ENTITIES = ["users", "customers", "contacts", "visits", "requests", "deals",
  "quotes", "follows", "conflicts"];
// Every entity the app keeps: step 1's, then those added by later steps. The server may send
// others; they are skipped.
export const SYNCED = [...ENTITIES, "history", "attachments", "deal_events", "resource_groups",
  "company_holidays", "load_entries", "daily_reports", "request_reads"];
const BY_CUSTOMER = ["contacts", "visits", "requests", "deals", "quotes", "follows"];
// The "recent" store (from step 8) holds the time of each customer's latest visit, for the
// customer list's order, in Maps of customer id to time: sixteen of them, by the id's last
// character, so a save rewrites a sixteenth and a first sync sixteen records, not thousands.
export const recentBucket = (customerId) => String(customerId).slice(-1);

let opening = null;
let owed = false; // the database was found thrown away and what spare.js holds is not back yet

function upgrade(db, oldVersion, tx) {
  if (oldVersion < 1) {
    for (const name of ENTITIES) {
      const store = db.createObjectStore(name, { keyPath: "id" });
      if (BY_CUSTOMER.includes(name)) store.createIndex("customer_id", "customer_id");
    }
    const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
    outbox.createIndex("record", ["entity", "record_id"]);
    db.createObjectStore("meta");
    // The latest visit per customer, so the customer list can put recently visited first.
    db.createObjectStore("recent", { keyPath: "customer_id" });
  }
  if (oldVersion < 2) {
    // Derived data that can always be rebuilt (the customer list's prepared index), kept apart
    // so writing it never holds up a save, which writes "meta".
    db.createObjectStore("cache");
  }
  if (oldVersion < 3) {
    // The server's audit trail of requests and deals (who changed what, when), read per record.
    db.createObjectStore("history", { keyPath: "id" }).createIndex("record_id", "record_id");
    // The server sent history before this store existed and the app skipped it: the next sync
    // pulls the whole scope once (like a 410), keeping the outbox.
    if (oldVersion >= 1) tx.objectStore("meta").put(true, "refetch");
  }
  if (oldVersion < 4) {
    // Photos: the synced attachment records, and the bytes, kept apart from the
    // records: my photos until the server has them (the upload queue), others' as a cache.
    db.createObjectStore("attachments", { keyPath: "id" }).createIndex("owner_id", "owner_id");
    db.createObjectStore("photos", { keyPath: "id" });
    // No refetch: no server sent attachments before this step.
  }
  if (oldVersion < 5) {
    // Typed customer-side events of a deal (競合あり with prices, 予算が厳しい, …), read per deal
    // and per customer. Events sent before this store existed were skipped: pull afresh once.
    const events = db.createObjectStore("deal_events", { keyPath: "id" });
    events.createIndex("customer_id", "customer_id");
    events.createIndex("deal_id", "deal_id");
    if (oldVersion >= 1) tx.objectStore("meta").put(true, "refetch");
  }
  if (oldVersion < 6) {
    // The factory's load (read by everyone, so quoting works offline): groups, company
    // holidays and load entries by week. Sent before these stores existed, they were skipped.
    db.createObjectStore("resource_groups", { keyPath: "id" });
    db.createObjectStore("company_holidays", { keyPath: "id" });
    db.createObjectStore("load_entries", { keyPath: "id" }).createIndex("week", "week");
    if (oldVersion >= 1) tx.objectStore("meta").put(true, "refetch");
  }
  if (oldVersion < 7) {
    // Daily reports (作業日報): one per person and day, read by date for the manager's list.
    // No server sent them before this step: nothing to pull again.
    db.createObjectStore("daily_reports", { keyPath: "id" }).createIndex("date", "date");
  }
  if (oldVersion < 8) {
    // The latest visit per customer moves into sixteen records (recentBucket): a first sync of
    // 5,000 customers spent a twentieth of its time writing them one by one.
    const moving = tx.objectStore("recent").getAll();
    moving.onsuccess = () => {
      db.deleteObjectStore("recent");
      const buckets = new Map();
      for (const { customer_id: id, at } of moving.result) {
        const key = recentBucket(id);
        if (!buckets.has(key)) buckets.set(key, new Map());
        buckets.get(key).set(id, at);
      }
      const store = db.createObjectStore("recent");
      for (const [key, times] of buckets) store.put(times, key);
    };
  }
  if (oldVersion < 9) {
    // Visits move into groups of up to fifty of one customer's (visit-groups.js): a first sync
    // stored 50,000 visits one value each, and IndexedDB's cost is per value.
    const groups = db.createObjectStore(GROUPS, { keyPath: ["customer_id", "n"] });
    groups.createIndex("ids", "ids", { multiEntry: true });
    const moving = tx.objectStore("visits").getAll();
    moving.onsuccess = () => {
      db.deleteObjectStore("visits");
      for (const group of groupsOf(moving.result)) groups.put(group);
    };
  }
  if (oldVersion < 10) {
    // Read marks (seen.js): what a person last saw of their requests, one per device, synced to
    // their other devices. Marks that reached the server while this device ran the version
    // before were skipped: the next daily device check (check.js) finds them missing and
    // fetches them, with no whole pull again.
    db.createObjectStore("request_reads", { keyPath: "id" });
  }
  if (oldVersion < 11) {
    // A person's visits of a day by the groups' index "days" (visit-groups.js): 今日 and a
    // manager's look at someone's day read every visit on the device, 0.6 s for 50,000. The
    // groups kept get their days from the pull worker after the next pull (fillDays).
    tx.objectStore(GROUPS).createIndex("days", "days", { multiEntry: true });
    tx.objectStore("meta").put(daysPending(), DAYS_PENDING);
  }
  if (oldVersion < 12) {
    // A person's next actions by their due date, by the groups' index "dues" (visit-groups.js):
    // 今日 looked back 30 days of visits for them, so an action set months ahead (the next
    // 定期点検) never came due. The groups kept get their dues as they got their days.
    tx.objectStore(GROUPS).createIndex("dues", "dues", { multiEntry: true });
    tx.objectStore("meta").put(daysPending(), DAYS_PENDING);
  }
}

/** Open the database once per page; later calls share the same connection. */
export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = (event) => {
        if (event.oldVersion === 0 && typeof window === "undefined") {
          // A worker never makes the database: the page does, and puts back the spare copy
          // (spare.js) if the browser threw the last one away. The worker's work waits for it.
          request.transaction.abort();
          return;
        }
        owed ||= event.oldVersion === 0 && spare.held() !== null;
        upgrade(request.result, event.oldVersion, request.transaction);
      };
      request.onsuccess = () => {
        const db = request.result;
        // Closed by the browser (its storage failed: the disk full, say): the next use opens
        // it again, so freeing space is enough, with no reload. A transaction still waited for
        // (`done`) is over too, and need not say so with an event of its own.
        db.onclose = () => {
          opening = null;
          for (const fail of [...(waits.get(db) || [])]) {
            fail(new DOMException("The browser closed the database before the transaction ended.", "UnknownError"));
          }
        };
        // A newer version of the app in another tab wants to migrate: let it, and have this
        // tab reloaded. Deleted instead (no new version: the browser threw the files away, or
        // another tab erased the device, which reloads this one): the next use opens a new
        // database and puts back the spare copy, with nothing to reload.
        db.onversionchange = (event) => {
          db.close();
          opening = null;
          if (event.newVersion === null) return;
          globalThis.dispatchEvent(new CustomEvent("genba:db-closed")); // the page, or a worker
        };
        resolve(db);
      };
      request.onerror = () => {
        opening = null; // not opened (the disk full, say): the next use tries again
        reject(request.error);
      };
      request.onblocked = () => reject(new Error("database upgrade blocked by another tab"));
    }).then(async (db) => {
      if (!owed) return db;
      try {
        return await putBack(db);
      } catch (err) {
        db.close(); // the next use opens it again and tries once more
        throw err;
      }
    });
    const mine = opening;
    mine.catch(() => { if (opening === mine) opening = null; });
  }
  return opening;
}

/**
 * The browser made a new, empty database where this device's was (spare.js): put back the
 * unsent edits (with the records they make), the sign-in and the photos not yet sent, before
 * anything else reads it. The rest comes from the server: with no cursor, the next sync pulls
 * everything. Tells the page how many edits came back ("genba:db-lost").
 */
async function putBack(db) {
  const kept = spare.held() || { meta: {}, outbox: [] };
  const photos = await spare.heldPhotos();
  // A photo's record never names bytes the device does not hold (a copy Cache Storage could not
  // take, or lost with the database): such records stay out, and are counted.
  const held = new Set(photos.map((photo) => photo.id));
  const back = kept.outbox.filter((entry) => entry.entity !== "attachments"
    || entry.base_version !== null || held.has(entry.record_id));
  const tx = wrap(db, [...SYNCED, "outbox", "meta", "photos"], "readwrite", "strict");
  const meta = tx.objectStore("meta");
  for (const [key, value] of Object.entries(kept.meta)) if (value != null) meta.put(value, key);
  const outbox = tx.objectStore("outbox");
  for (const entry of back) {
    outbox.put({ ...entry, attempted: true }); // it may have been sent: never add to it
    if (!db.objectStoreNames.contains(entry.entity === "visits" ? GROUPS : entry.entity)) continue;
    const store = tx.objectStore(entry.entity);
    const record = await req(store.get(entry.record_id));
    store.put({ ...(record || { id: entry.record_id }), ...entry.changes,
      ...(entry.op === "delete" ? { deleted: true } : {}) });
  }
  for (const photo of photos) tx.objectStore("photos").put({ ...photo, state: "waiting" });
  await done(tx);
  owed = false;
  globalThis.dispatchEvent(new CustomEvent("genba:db-lost",
    { detail: { edits: back.length, photosLost: kept.outbox.length - back.length } }));
  return db;
}

/** Have spare.js's copy read again (after a change to the outbox; setMeta does it for the
 * sign-in), once the changes stop for a moment: a burst of saves is read once, not between
 * saves, whose transactions would wait for each read. */
export function keepSpare() {
  clearTimeout(spareTimer);
  spareTimer = setTimeout(readSpare, SPARE_DELAY_MS);
}

const SPARE_DELAY_MS = 100;
let spareTimer = null;
let spareRun = null;
let spareAgain = false;

/** Read what spare.js keeps and hand it the copy; calls made while one runs get one more run. */
function readSpare() {
  if (spareRun) {
    spareAgain = true;
    return;
  }
  spareRun = (async () => {
    do {
      spareAgain = false;
      const tx = await transaction(["meta", "outbox"]);
      const meta = tx.objectStore("meta");
      const [values, outbox] = await Promise.all([
        Promise.all(spare.KEPT_META.map((key) => req(meta.get(key)))),
        req(tx.objectStore("outbox").getAll())]);
      spare.note({ meta: Object.fromEntries(spare.KEPT_META.map((key, i) => [key, values[i]])), outbox });
    } while (spareAgain);
  })().catch(() => {}).finally(() => { spareRun = null; });
}

/** The result of one IDB request as a promise. */
export function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(written(causeOf(request), request.transaction?.mode));
  });
}

// The errors of the app's writes: a request or transaction in "readwrite" mode, or the opening
// of the database for one. app.js's note under the header (「直前の操作を保存できませんでした」)
// is for those; a read that fails (a screen drawn again while the browser closes the database)
// refused no save.
const writes = new WeakSet();

function written(err, mode) {
  if (mode === "readwrite" && err !== null && typeof err === "object") writes.add(err);
  return err;
}

/** Whether `err` is why a write of the app's was refused (as opposed to a read). */
export function refusedWrite(err) {
  return writes.has(err);
}

/**
 * Why a request failed: its transaction's reason when the request only went down with it (the
 * transaction's error, what made the visits' store abort it, or that the browser ended it).
 */
function causeOf(request) {
  const tx = request.transaction;
  if (request.error?.name !== "AbortError" || !tx) return request.error;
  return whyAborted(tx);
}

/**
 * Why `tx` ended without committing: its error, what made the visits' store abort it, or, with
 * neither, the browser ended it and gave no reason. Chromium does that when it closes a database
 * whose files failed to take a write, a full disk the usual cause (its requests fail with a bare
 * AbortError, and no abort event need follow: nothing here waits for one), or gives the
 * transaction an AbortError of its own (「Backend aborted error」), which says no more: the user is
 * told that (an UnknownError), not "the transaction was aborted". The app aborts none of its own
 * transactions without a reason it throws itself (pull.js).
 */
function whyAborted(tx) {
  const reason = tx.error?.name === "AbortError" ? null : tx.error; // 「Backend aborted error」: none
  return reason || abortedBy.get(tx)
    || new DOMException("The browser ended the transaction and gave no reason.", "UnknownError");
}

// What `done` waits for, by connection: the rejections a connection's close calls.
const waits = new WeakMap();

/**
 * Resolve when a transaction commits; reject when it fails or aborts, or when the browser closes
 * its connection first: closing a database whose files failed a write, Chromium can end its
 * transactions with no abort event after them (seen in the storage-full tests), and a save
 * waiting for one would wait for ever, its button disabled.
 */
export function done(tx) {
  return new Promise((resolve, reject) => {
    if (!waits.has(tx.db)) waits.set(tx.db, new Set());
    const waiting = waits.get(tx.db);
    const fail = (err) => {
      waiting.delete(fail);
      reject(written(err, tx.mode));
    };
    waiting.add(fail);
    tx.oncomplete = () => {
      waiting.delete(fail);
      resolve();
    };
    // A request's error reaches the transaction before tx.error is set (only the abort that
    // follows sets it): the request says why.
    tx.onerror = (event) => fail(causeOf(event.target) || whyAborted(tx));
    tx.onabort = () => fail(whyAborted(tx));
  });
}

/** Start a transaction; `durability: "strict"` for work that exists nowhere else. */
export function transaction(stores, mode = "readonly", durability = "default") {
  // Not opened (the disk full, say): a save refused, if it was one.
  return begin(stores, mode, durability).catch((err) => { throw written(err, mode); });
}

async function begin(stores, mode, durability) {
  const connection = openDb();
  const db = await connection;
  try {
    return wrap(db, stores, mode, durability);
  } catch (err) {
    // The connection is closing: the browser closed the database (a write its files failed)
    // and its close event, which has the next use open it again, has not come yet. The work
    // goes to a new connection now instead of failing.
    if (err?.name !== "InvalidStateError") throw err;
    if (opening === connection) opening = null;
    return wrap(await openDb(), stores, mode, durability);
  }
}

function wrap(db, stores, mode, durability) {
  if (!stores.includes("visits")) return db.transaction(stores, mode, { durability });
  const tx = db.transaction(stores.map((name) => (name === "visits" ? GROUPS : name)), mode, { durability });
  const native = tx.objectStore.bind(tx);
  tx.objectStore = (name) => (name === "visits" ? visitStore(tx, native) : native(name));
  return tx;
}

export async function get(store, key) {
  const tx = await transaction([store]);
  return req(tx.objectStore(store).get(key));
}

export async function getAll(store, query) {
  const tx = await transaction([store]);
  return req(tx.objectStore(store).getAll(query));
}

export async function byIndex(store, index, key) {
  const tx = await transaction([store]);
  return req(tx.objectStore(store).index(index).getAll(key));
}

export async function count(store) {
  const tx = await transaction([store]);
  return req(tx.objectStore(store).count());
}

export async function getMeta(key) {
  return get("meta", key);
}

/** Several meta values in one read: `{key: value}`. */
export async function getMetas(keys) {
  const tx = await transaction(["meta"]);
  const values = await Promise.all(keys.map((key) => req(tx.objectStore("meta").get(key))));
  return Object.fromEntries(keys.map((key, index) => [key, values[index]]));
}

export async function setMeta(values, durability = "strict") {
  const tx = await transaction(["meta"], "readwrite", durability);
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) tx.objectStore("meta").delete(key);
    else tx.objectStore("meta").put(value, key);
  }
  await done(tx);
  // The sign-in and the device id are kept apart too (spare.js).
  if (Object.keys(values).some((key) => spare.KEPT_META.includes(key))) keepSpare();
}

/** Erase every record, the outbox and all sync state, in one transaction. */
export async function wipe() {
  const names = [...(await openDb()).objectStoreNames];
  const tx = await transaction(names, "readwrite", "strict"); // a closing connection, as a save
  for (const name of names) tx.objectStore(name).clear();
  await done(tx);
  spare.clear();
}
