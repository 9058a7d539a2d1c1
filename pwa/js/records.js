// Records on the device: applying what the server sends (keeping the newer version and laying
// unanswered outbox edits over it, overlay.js), evictions, and the reads the screens need.

import { SYNCED, done, getMeta, recentBucket, req, transaction } from "./db.js";
import { keysOf, merged, recordKey } from "./overlay.js";
import { digits, fold } from "./text.js";
import { DAYS_PENDING, GROUPS, withDays } from "./visit-groups.js";

/**
 * Apply server changes (`{entity, record}` or `{entity, id, evict}`) inside `tx` (which must
 * include "meta").
 *
 * The newer version wins: a record older than the one held is skipped. An eviction removes a
 * record unless the outbox still holds unanswered edits of it: then it is noted to go once they
 * are answered (`evictAnswered`), unless a later pull delivers it again (`pulled` is false for
 * records that come back in a push's answer: they do not say the record is still in scope).
 * `pending` is the unanswered outbox entries by record, or a function reading them inside `tx`.
 * `seen`, when given, collects
 * the keys of everything the server sent (a fresh pull removes what it did not send).
 * `empty` names stores that held nothing when a fresh pull began: the feed sends each record
 * once before any newer version of it, so there is nothing older to compare with and no record
 * needs reading first. A page wholly of such records is written before anything is read, so its
 * writing overlaps the commit of the page before; edits saved meanwhile are laid over after.
 * `visitTimes`, when given, collects the latest visit per customer instead of the "recent" store
 * (a first pull writes that store once, at its end: `writeRecent`).
 */
export async function applyChanges(tx, allChanges, pending,
  { seen = null, empty = null, pulled = true, visitTimes = null } = {}) {
  // Entities this version of the app does not keep (a newer server's) are skipped.
  const changes = allChanges.filter((change) => SYNCED.includes(change.entity));
  const direct = changes.every((change) => !change.evict && empty?.has(change.entity));
  const read = () => (typeof pending === "function" ? pending() : pending);
  // Written directly, the outbox is read first all the same: its answer comes while the
  // records are stored, and the edits are laid over them with no wait in between.
  const later = direct ? read() : null;
  const unanswered = direct ? new Map() : await read();
  const held = direct ? [] : await Promise.all(changes.map((change) => (change.evict || empty?.has(change.entity)
    ? null : req(tx.objectStore(change.entity).get(change.record.id)))));
  const written = new Map();
  const doomed = { add: [], keep: [] };
  const gone = []; // customers removed, forgotten in "recent"
  changes.forEach((change, index) => {
    const id = change.evict ? change.id : change.record.id;
    const key = recordKey(change.entity, id);
    seen?.add(key);
    const store = tx.objectStore(change.entity);
    if (change.evict) {
      if (unanswered.has(key)) {
        doomed.add.push(key);
      } else {
        store.delete(id);
        written.set(key, null);
        if (change.entity === "customers") gone.push(id);
      }
      return;
    }
    if (pulled) doomed.keep.push(key);
    const current = written.has(key) ? written.get(key) : held[index];
    const record = merged(current, change.record, unanswered.get(key));
    if (!record) return;
    store.put(record);
    written.set(key, record);
  });
  if (direct) {
    // Lay the device's unanswered edits over what was just written.
    for (const [key, entries] of await later) {
      const record = written.get(key);
      if (!record) continue;
      const laid = merged(null, record, entries);
      tx.objectStore(key.slice(0, key.indexOf(":"))).put(laid);
      written.set(key, laid);
    }
  }
  const visits = [...written].filter(([key]) => key.startsWith("visits:")).map(([, record]) => record);
  if (visitTimes) latestVisits(visits, visitTimes);
  else await noteVisits(tx, latestVisits(visits));
  await forgetVisits(tx, gone);
  if (doomed.add.length || doomed.keep.length) await noteEvictions(tx, doomed.add, doomed.keep);
}

/** The latest visit per customer among `visits` (removed ones are null), added to `times`. */
export function latestVisits(visits, times = new Map()) {
  for (const visit of visits) {
    if (!visit || visit.deleted) continue;
    const at = Date.parse(visit.visited_at) || 0;
    if (at > (times.get(visit.customer_id) || 0)) times.set(visit.customer_id, at);
  }
  return times;
}

const EVICT_WHEN_SENT = "evict_when_sent";

/** Keep the keys of records to drop once their edits are answered (inside `tx`, with "meta"). */
async function noteEvictions(tx, add, keep) {
  const meta = tx.objectStore("meta");
  const held = new Set((await req(meta.get(EVICT_WHEN_SENT))) || []);
  if (!held.size && !add.length) return;
  for (const key of keep) held.delete(key);
  for (const key of add) held.add(key);
  meta.put([...held], EVICT_WHEN_SENT);
}

/**
 * Drop records that left the user's scope while they had unsent edits, now that no edit of
 * theirs waits (inside `tx`, with "meta", "recent", "outbox" and every synced store). A rejected
 * edit still waits: the user fixes or discards it first.
 */
export async function evictAnswered(tx) {
  const meta = tx.objectStore("meta");
  const held = (await req(meta.get(EVICT_WHEN_SENT))) || [];
  if (!held.length) return;
  const open = keysOf(await req(tx.objectStore("outbox").getAll()));
  const left = [];
  const gone = [];
  for (const key of held) {
    if (open.has(key)) {
      left.push(key);
      continue;
    }
    const [entity, id] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    if (!SYNCED.includes(entity)) continue; // a newer server's entity, not kept here
    tx.objectStore(entity).delete(id);
    if (entity === "customers") gone.push(id);
  }
  meta.put(left, EVICT_WHEN_SENT);
  await forgetVisits(tx, gone);
}

/** The latest visit per customer, by customer id (inside `tx`, with "recent"). */
async function recentVisits(tx) {
  return new Map((await req(tx.objectStore("recent").getAll())).flatMap((times) => [...times]));
}

/**
 * Change the latest visits of customers `ids` in their buckets (db.js `recentBucket`):
 * `change(times, id)` changes a bucket's Map and tells whether it did.
 */
async function changeRecent(tx, ids, change) {
  const buckets = new Map();
  for (const id of ids) {
    const key = recentBucket(id);
    if (!buckets.has(key)) buckets.set(key, []);
    buckets.get(key).push(id);
  }
  if (!buckets.size) return; // `tx` need not hold "recent"
  const store = tx.objectStore("recent");
  await Promise.all([...buckets].map(async ([key, members]) => {
    const times = (await req(store.get(key))) || new Map();
    const changed = members.map((id) => change(times, id)).some(Boolean);
    if (changed) store.put(times, key);
  }));
}

/** Remember the latest visit per customer (the "recent" store, for the customer list order). */
export async function noteVisits(tx, visitTimes) {
  await changeRecent(tx, visitTimes.keys(), (times, id) => {
    const at = visitTimes.get(id);
    if (at <= (times.get(id) || 0)) return false;
    times.set(id, at);
    return true;
  });
}

/** Forget the latest visits of customers no longer on the device. */
async function forgetVisits(tx, customerIds) {
  await changeRecent(tx, customerIds, (times, id) => times.delete(id));
}

// A first pull left the "recent" store to be written at its end: set in each page's
// transaction, cleared by `writeRecent`. Still set when a pull starts, that pull was cut off.
export const RECENT_PENDING = "recent_pending";

/**
 * Write the latest visit per customer to the "recent" store at the end of a first pull: from
 * `visitTimes` when the pull collected them all, or read afresh from every visit stored when
 * an earlier pull was cut off before writing its own.
 */
export async function writeRecent(visitTimes) {
  const tx = await transaction(["visits", "recent", "meta"], "readwrite", "relaxed");
  await noteVisits(tx, visitTimes || latestVisits(await req(tx.objectStore("visits").getAll())));
  tx.objectStore("meta").delete(RECENT_PENDING);
  await done(tx);
}

const FILL_PAGE = 200; // groups of visits a transaction of fillDays writes (10,000 visits at most)

/**
 * Give the groups of visits stored without their `days` or `dues` (a first pull's, or kept from
 * before db.js step 11 or 12) both, a page of groups to a transaction so a save waits for one
 * page at most; then clear DAYS_PENDING, unless a first pull's page set it again meanwhile (then
 * over).
 * Resolves to whether there was anything to fill (the screens reading by days read again).
 */
export async function fillDays() {
  let filled = false;
  for (;;) {
    const started = await getMeta(DAYS_PENDING);
    if (!started) return filled;
    let after = null;
    for (;;) {
      const tx = await transaction([GROUPS, "meta"], "readwrite", "relaxed");
      const store = tx.objectStore(GROUPS);
      const pending = req(tx.objectStore("meta").get(DAYS_PENDING));
      const page = await req(store.getAll(after === null ? null : IDBKeyRange.lowerBound(after, true), FILL_PAGE));
      for (const group of page) if (!group.days || !group.dues) store.put(withDays(group));
      const last = page.length < FILL_PAGE;
      if (last && (await pending) === started) tx.objectStore("meta").delete(DAYS_PENDING);
      await done(tx);
      if (last) break;
      after = [page.at(-1).customer_id, page.at(-1).n];
    }
    filled = true;
  }
}

/**
 * After a fresh pull: drop records the server no longer sends; those with unsent edits go once
 * the edits are answered.
 */
export async function removeUnseen(seen) {
  const tx = await transaction([...SYNCED, "outbox", "meta"], "readwrite");
  const unsent = keysOf(await req(tx.objectStore("outbox").getAll()));
  const later = [];
  for (const entity of SYNCED) {
    const keys = await req(tx.objectStore(entity).getAllKeys());
    for (const id of keys) {
      const key = recordKey(entity, id);
      if (seen.has(key)) continue;
      if (unsent.has(key)) later.push(key);
      else tx.objectStore(entity).delete(id);
    }
  }
  if (later.length) await noteEvictions(tx, later, []);
  await done(tx);
}

// --- reads -------------------------------------------------------------------------------

/** Every live customer, prepared for instant search, recently visited first. */
export async function customerIndex() {
  const tx = await transaction(["customers", "recent"]);
  const [customers, last] = await Promise.all([req(tx.objectStore("customers").getAll()), recentVisits(tx)]);
  return customers.filter((c) => !c.deleted).map((c) => {
    const kana = fold(c.name_kana);
    return {
      id: c.id,
      name: c.name || "",
      kana: c.name_kana || "",
      phoneText: c.phone || "",
      address: c.address || "",
      folded: `${fold(c.name)}\u0001${kana}`,
      place: fold(c.address),
      order: kana || fold(c.name), // hiragana sorts in gojūon order by code point
      phone: digits(c.phone),
      last: last.get(c.id) || 0,
    };
  }).sort((a, b) => (b.last - a.last) || (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
}

/** The index as the customer list last saw it: shown at once on start, then refreshed. */
export async function cachedCustomerIndex() {
  const tx = await transaction(["cache"]);
  return (await req(tx.objectStore("cache").get("customer_index"))) || null;
}

export async function cacheCustomerIndex(index) {
  const tx = await transaction(["cache"], "readwrite", "relaxed");
  tx.objectStore("cache").put(index, "customer_index");
}

/**
 * A customer with everything the customer page shows: its live records of each kind, and in
 * `deletedContacts` the contacts deleted whose tombstones the device holds, so a visit that
 * named one can still say who it was.
 */
export async function customerBundle(id) {
  const children = ["contacts", "visits", "requests", "deals", "quotes", "deal_events"];
  const tx = await transaction(["customers", "users", ...children]);
  const [customer, users, ...lists] = await Promise.all([
    req(tx.objectStore("customers").get(id)),
    req(tx.objectStore("users").getAll()),
    ...children.map((name) => req(tx.objectStore(name).index("customer_id").getAll(id))),
  ]);
  const bundle = { customer, users: new Map(users.map((u) => [u.id, u])) };
  children.forEach((name, index) => { bundle[name] = lists[index].filter((r) => !r.deleted); });
  bundle.deletedContacts = lists[0].filter((r) => r.deleted);
  return bundle;
}

export async function getRecord(entity, id) {
  const tx = await transaction([entity]);
  return req(tx.objectStore(entity).get(id));
}

/** The records of `entity` with these ids that the device holds (deleted ones too), by id: one
 * read each rather than the whole store, which on a technician's device is every customer. */
export async function recordsById(entity, ids) {
  const wanted = [...new Set(ids)].filter(Boolean);
  if (!wanted.length) return new Map();
  const tx = await transaction([entity]);
  const found = await Promise.all(wanted.map((id) => req(tx.objectStore(entity).get(id))));
  return new Map(found.filter(Boolean).map((record) => [record.id, record]));
}

export async function usersById() {
  const tx = await transaction(["users"]);
  const users = await req(tx.objectStore("users").getAll());
  return new Map(users.map((u) => [u.id, u]));
}
