// Checking the device's records against the server's: once a day, and when asked on the sync
// page. A pull to the end asks for the server's digest of the user's scope (digest.js), and each
// entity the device keeps is compared by count and hash sum. Where one differs, the server's
// digests by the ids' last digits narrow it down (the app's ids start with their time, so
// those made in the same weeks share their first digits; they end at random), and each range
// that still differs is fetched again (`/sync/range`) and replaces what the device holds of it: a record the device lost comes
// back, one it holds in an older version is brought up to date, one the server no longer has
// in scope goes. Only with nothing unsent: until they are answered, the device's own edits are
// laid over its records and would differ on purpose.

import * as api from "./api.js";
import { SYNCED, count, done, req, transaction } from "./db.js";
import { differing, digester } from "./digest.js";
import { pullAll } from "./pull.js";
import { latestVisits, noteVisits } from "./records.js";
import { GROUPS } from "./visit-groups.js";

const SPLIT_ABOVE = 500; // a range holding more is narrowed by one more character first
const MAX_DIGITS = 4; // the server's longest ending (hex digits)
// Records (or groups of visits) read at a time: the check holds a page, never a whole store (an
// office device keeps tens of thousands of records).
const PAGE = 500;

/**
 * Pull to the end (pull.js's `options`) and, with `check`, compare and repair (`checkDevice`):
 * answer `{pulled, checked}`, `checked` null when not asked, and nothing to compare after a pull
 * that began afresh (it brought the whole scope).
 */
export async function pullAndCheck(token, limit, options, check) {
  let theirs = null;
  let fresh = false;
  const digest = check ? (found, afresh) => { theirs = found; fresh = afresh; } : null;
  const pulled = await pullAll(token, limit, { ...options, digest });
  if (!check) return { pulled, checked: null };
  if (fresh) return { pulled, checked: { entities: [], ranges: 0, records: 0, waiting: 0, fresh: true } };
  let checked;
  try {
    checked = await checkDevice(token, theirs);
  } catch (err) { // the pull went through: a check cut off (offline, say) is tried again later
    console.warn("the device check did not finish", err);
    return { pulled, checked: { failed: true, entities: [], ranges: 0, records: 0, waiting: 0 } };
  }
  if (checked.records) options.progress?.({ refreshed: true });
  return { pulled, checked };
}

/**
 * Compare the device with `theirs` (the scope digest of the pull that just ended) and repair
 * what differs. Answer `{entities, ranges, records, waiting}`: the entities that differed, the
 * ranges fetched again, the records they changed on the device and those left as they are for an
 * edit saved meanwhile (checked again once it is sent); or `{skipped}` with why not.
 */
export async function checkDevice(token, theirs) {
  if (!theirs) return { skipped: "no digest" }; // a server that did not send one: nothing to compare
  if (await count("outbox")) return { skipped: "unsent" };
  const kept = Object.fromEntries(Object.entries(theirs).filter(([entity]) => SYNCED.includes(entity)));
  const entities = differing(kept, await deviceDigest());
  const total = { entities, ranges: 0, records: 0, waiting: 0 };
  for (const entity of entities) add(total, await repair(token, entity, ""));
  return total;
}

function add(total, part) {
  total.ranges += part.ranges;
  total.records += part.records;
  total.waiting += part.waiting;
}

/** The device's digest of every entity it keeps: `{entity: {count, sum}}`. */
export async function deviceDigest() {
  const out = {};
  for (const entity of SYNCED) {
    const digest = digester(entity);
    await eachPage(entity, (records) => digest.add(records));
    const found = digest.result();
    if (found) out[entity] = found;
  }
  return out;
}

/**
 * Call `use(records)` with the device's records of `entity`, a page at a time, each page read in
 * a transaction of its own. Visits are kept in groups by customer (visit-groups.js): their pages
 * are pages of groups.
 */
async function eachPage(entity, use) {
  const grouped = entity === "visits";
  let after = null;
  for (;;) {
    const tx = await transaction([grouped ? GROUPS : entity]);
    const store = tx.objectStore(grouped ? GROUPS : entity);
    const page = await req(store.getAll(after === null ? null : IDBKeyRange.lowerBound(after, true), PAGE));
    if (!page.length) return;
    use(grouped ? page.flatMap((group) => group.visits) : page);
    const last = page.at(-1);
    after = grouped ? [last.customer_id, last.n] : last.id;
    if (page.length < PAGE) return;
  }
}

/**
 * Compare the device's records of `entity` whose ids end with `ending` with the server's, a
 * bucket (one more digit) at a time, and replace each bucket that differs; a bucket too large
 * is narrowed first. Answer `{ranges, records, waiting}` as `checkDevice` sums them.
 */
async function repair(token, entity, ending) {
  const { buckets } = await api.scopeDigest(token, entity, ending);
  const digest = digester(entity, ending);
  const held = new Map(); // bucket: the ids the device holds in it, tombstones too
  await eachPage(entity, (records) => {
    digest.add(records);
    for (const { id } of records) {
      if (!String(id).endsWith(ending)) continue;
      const bucket = String(id).slice(-(ending.length + 1));
      if (!held.has(bucket)) held.set(bucket, []);
      held.get(bucket).push(id);
    }
  });
  const total = { ranges: 0, records: 0, waiting: 0 };
  for (const bucket of differing(buckets, digest.result())) {
    if ((buckets[bucket]?.count || 0) > SPLIT_ABOVE && bucket.length < MAX_DIGITS) {
      add(total, await repair(token, entity, bucket));
      continue;
    }
    const { records: fresh } = await api.recordRange(token, entity, bucket);
    add(total, { ranges: 1, ...await replaceRange(entity, bucket, fresh, held.get(bucket) || []) });
  }
  return total;
}

/** The records of `entity` in `tx` with these `ids` that it still holds (read before any write). */
async function heldOf(tx, entity, ids) {
  if (entity !== "visits") {
    const store = tx.objectStore(entity);
    return (await Promise.all(ids.map((id) => req(store.get(id))))).filter(Boolean);
  }
  // The groups holding them, by the groups' index of visit ids.
  const index = tx.objectStore(GROUPS).index("ids");
  const groups = await Promise.all(ids.map((id) => req(index.get(id))));
  const wanted = new Set(ids);
  const visits = new Map();
  for (const group of groups) {
    for (const visit of group?.visits || []) if (wanted.has(visit.id)) visits.set(visit.id, visit);
  }
  return [...visits.values()];
}

/**
 * Make the device's records of `entity` whose ids end with `ending` (`held`: their ids, as read
 * for the digest) the server's `fresh` ones, in one transaction; a record with an edit saved
 * meanwhile is left as it is. Answer `{records, waiting}`: how many records it changed, and how
 * many that differ it left so.
 */
async function replaceRange(entity, ending, fresh, held) {
  const visits = entity === "visits";
  const tx = await transaction([entity, "outbox", ...(visits ? ["recent"] : [])], "readwrite");
  const unsent = IDBKeyRange.bound([entity, ""], [entity, "\uffff"]);
  const [entries, mine] = await Promise.all([
    req(tx.objectStore("outbox").index("record").getAll(unsent)),
    heldOf(tx, entity, held),
  ]);
  const store = tx.objectStore(entity);
  const saved = new Set(entries.map((e) => e.record_id).filter((id) => String(id).endsWith(ending)));
  const theirs = new Map(fresh.map((record) => [record.id, record]));
  let changed = 0;
  let waiting = 0;
  for (const record of mine) {
    const server = theirs.get(record.id);
    const same = server && server.version === record.version && !record.deleted;
    if (saved.has(record.id)) {
      if (!same) waiting += 1;
      theirs.delete(record.id);
      continue;
    }
    if (same) {
      theirs.delete(record.id); // the same: nothing to write
    } else if (!server) {
      store.delete(record.id);
      if (!record.deleted) changed += 1;
    }
  }
  const written = [];
  for (const record of theirs.values()) {
    if (saved.has(record.id)) {
      waiting += 1;
      continue;
    }
    store.put(record);
    written.push(record);
    changed += 1;
  }
  // The customer list's order: a visit brought back may be its customer's latest.
  if (visits && written.length) await noteVisits(tx, latestVisits(written));
  await done(tx);
  return { records: changed, waiting };
}
