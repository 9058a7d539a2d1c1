// The outbox: every local edit waits here until the server has answered for it.
//
// Rules (see WatermelonDB's sync notes): a save writes the record and its mutation in ONE
// transaction; edits of a record collapse into its last entry only while that entry has never
// been sent (once sent, the server may have recorded its mutation_id, so new edits go in a new
// entry); an entry is removed only after the server answered for it and only if its revision is
// unchanged since it was sent; a rejected entry stays, with the server's errors, until the user
// fixes it (it is then resent under a new mutation_id) or discards it.

import { SYNCED, done, keepSpare, req, transaction } from "./db.js";
import * as hlc from "./hlc.js";
import { keysOf, pendingByRecord } from "./overlay.js";
import { applyChanges, evictAnswered, noteVisits } from "./records.js";
import { serverFields } from "./server-fields.js";
import { dataChanged } from "./store.js";
import { newId } from "./ids.js";

let afterSave = () => {};

// Entities whose records are no one's work (seen.js's read marks): their entries are sent like
// any other, but not counted or listed as unsent, never hold up a hand-over, and one the server
// refuses is dropped rather than left for the user to fix.
const INCIDENTAL = new Set(["request_reads"]);
export const isWork = (entry) => !INCIDENTAL.has(entry.entity);

/** Let the sync client hear about saves without a dependency cycle. */
export function onSaved(listener) {
  afterSave = listener;
}

// A signature covers the record as it was when given: an entry that carries one (`signed_at`)
// takes no later edit, which goes in its own entry after it, so the server sees the edit come
// after the signature and marks the change (server/visits/entities.py `SignatureRules`).
const signs = (entry) => "signed_at" in entry.changes;

function canCollapse(entry, op, base) {
  return entry && entry.status === "pending" && !entry.attempted && entry.op === "upsert"
    && op === "upsert" && entry.base_version === base && !signs(entry);
}

// An edit of a record whose create the server refused is its fix: a create must carry the
// record whole, so the edit goes into it and it is sent again (under a new mutation_id), never
// as a second create of a few fields that the server would refuse for what it lacks.
function fixesRefusedCreate(entry, op, base) {
  return entry && entry.status === "rejected" && entry.op === "upsert" && entry.base_version === null
    && op === "upsert" && base === null;
}

function beforeValues(current, changes) {
  const before = {};
  for (const name of Object.keys(changes)) before[name] = current ? current[name] ?? null : null;
  return before;
}

/**
 * Save local edits, each `{entity, id, changes, op?, local?}`, with their mutations in one
 * transaction. `local` holds fields shown on the device before the server answers (never sent).
 */
export async function save(edits, { group = null } = {}) {
  const started = performance.now();
  const stores = [...new Set(edits.map((e) => e.entity)), "outbox", "meta", "recent"];
  const tx = await transaction(stores, "readwrite", "strict");
  const meta = tx.objectStore("meta");
  const outbox = tx.objectStore("outbox");
  const [last, node] = await Promise.all([req(meta.get("hlc")), req(meta.get("device_id"))]);
  let clock = last || hlc.ZERO;
  const visitTimes = new Map();
  for (const edit of edits) {
    clock = hlc.send(clock, Date.now(), node);
    const op = edit.op || "upsert";
    const store = tx.objectStore(edit.entity);
    const [current, entries] = await Promise.all([
      req(store.get(edit.id)), req(outbox.index("record").getAll([edit.entity, edit.id]))]);
    const base = current?.version ?? null;
    const record = { ...(current || { id: edit.id }), ...(edit.local || {}), ...edit.changes,
      ...(op === "delete" ? {} : serverFields(edit.entity, current, edit.changes, clock)) };
    if (op === "delete") record.deleted = true;
    store.put(record);
    if (edit.entity === "visits" && !record.deleted) {
      visitTimes.set(record.customer_id, Date.parse(record.visited_at) || Date.now());
    }
    const lastEntry = entries[entries.length - 1];
    const fixing = fixesRefusedCreate(lastEntry, op, base);
    if (canCollapse(lastEntry, op, base) || fixing) {
      for (const [name, value] of Object.entries(beforeValues(current, edit.changes))) {
        if (!(name in lastEntry.before)) lastEntry.before[name] = value;
      }
      Object.assign(lastEntry.changes, edit.changes);
      lastEntry.hlc = clock;
      lastEntry.rev += 1;
      if (fixing) Object.assign(lastEntry, { mutation_id: newId(), status: "pending", errors: null, attempted: false });
      outbox.put(lastEntry);
    } else {
      outbox.add({
        mutation_id: newId(), entity: edit.entity, record_id: edit.id, op,
        base_version: base, changes: { ...edit.changes }, hlc: clock, rev: 1,
        attempted: false, status: "pending", errors: null, created_ms: Date.now(), group,
        before: beforeValues(current, edit.changes),
      });
    }
  }
  meta.put(clock, "hlc");
  await noteVisits(tx, visitTimes);
  await done(tx);
  keepSpare();
  performance.measure("genba:save", { start: started });
  dataChanged({ local: true });
  afterSave();
}

/** Take up to `limit` pending entries in order, marking them sent (they never collapse again). */
export async function takeBatch(limit) {
  const tx = await transaction(["outbox"], "readwrite", "strict");
  const store = tx.objectStore("outbox");
  const all = await req(store.getAll());
  let batch = all.filter((e) => e.status === "pending").slice(0, limit + 1);
  if (batch.length > limit) {
    const next = batch.pop();
    // Never split a group (a restored value and its `resolved` flag go in the same push).
    if (next.group) {
      const kept = batch.filter((e) => e.group !== next.group);
      if (kept.length) batch = kept;
    }
  }
  for (const entry of batch) {
    if (!entry.attempted) {
      entry.attempted = true;
      store.put(entry);
    }
  }
  await done(tx);
  return batch.map((entry) => ({ ...entry, changes: { ...entry.changes } }));
}

export function toWire(entry) {
  return {
    mutation_id: entry.mutation_id, entity: entry.entity, record_id: entry.record_id,
    op: entry.op, base_version: entry.base_version, changes: entry.changes, hlc: entry.hlc,
  };
}

/** Record the server's answers for a sent batch, and store the records it returned. */
export async function settle(sent, results, serverHlc) {
  const tx = await transaction([...SYNCED, "outbox", "meta", "recent"], "readwrite", "strict");
  const store = tx.objectStore("outbox");
  const answers = new Map(results.map((r) => [r.mutation_id, r]));
  const changes = [];
  const current = await Promise.all(sent.map((entry) => req(store.get(entry.seq))));
  const dropped = [];
  sent.forEach((entry, index) => {
    const result = answers.get(entry.mutation_id);
    const now = current[index];
    if (!result || !now) return;
    const rejected = result.status === "rejected"
      || (result.status === "duplicate" && result.original_status === "rejected");
    if (rejected && !isWork(now)) {
      console.warn("refused, dropped:", entry.entity, entry.record_id, result.errors);
      dropped.push(entry.seq);
    } else if (rejected) {
      now.status = "rejected";
      now.errors = result.errors || {};
      store.put(now);
    } else if (now.rev === entry.rev) {
      store.delete(entry.seq);
    } else {
      // Edited while in flight: what the server stored is not all of it; send the rest anew.
      now.mutation_id = newId();
      now.attempted = false;
      store.put(now);
    }
    if (result.record) changes.push({ entity: entry.entity, record: result.record });
    // The server applied a create to the record it stands for (a second follow of one
    // customer, a merged customer): the device's copy under the sent id has no server twin.
    if (result.record && result.record.id !== entry.record_id) {
      changes.push({ entity: entry.entity, id: entry.record_id, evict: true });
    }
    for (const conflict of result.conflicts || []) {
      if (conflict?.id && conflict.version) changes.push({ entity: "conflicts", record: conflict });
    }
  });
  const pending = pendingByRecord(await req(store.getAll()));
  await applyChanges(tx, changes, pending, { pulled: false });
  await evictAnswered(tx);
  await advanceClock(tx, serverHlc);
  await done(tx);
  for (const seq of dropped) await discard(seq);
  keepSpare();
}

/** Move the device clock past the server's (inside `tx`, which must include "meta"). */
export async function advanceClock(tx, serverHlc) {
  if (!serverHlc) return;
  const meta = tx.objectStore("meta");
  const [last, node] = await Promise.all([req(meta.get("hlc")), req(meta.get("device_id"))]);
  meta.put(hlc.receive(last, serverHlc, Date.now(), node), "hlc");
}

export async function entries() {
  const tx = await transaction(["outbox"]);
  return req(tx.objectStore("outbox").getAll());
}

/** The keys (overlay.js `recordKey`) of the records with edits the server has not taken yet. */
export async function unsentKeys() {
  return keysOf(await entries());
}

/** From one read of the outbox: the keys of the records with edits the server has not taken
 * (`unsent`), and of those with an edit it refused, to be fixed on the sync page (`refused`). */
export async function unsentAndRefused() {
  const all = await entries();
  return { unsent: keysOf(all), refused: keysOf(all.filter((entry) => entry.status === "rejected" && isWork(entry))) };
}

/** The server's reasons for refusing entry `seq`, by field; null once it is no longer refused. */
export async function refusal(seq) {
  const entry = (await entries()).find((e) => e.seq === seq);
  return entry?.status === "rejected" ? entry.errors || {} : null;
}

/** Resend a rejected entry, with the user's corrections, under a new mutation_id. False when
 * the entry is gone (sent or discarded since the form opened): the caller saves the
 * corrections as a new edit, so they are not lost. */
export async function resend(seq, corrections = {}) {
  const tx = await transaction(["outbox", "meta", ...SYNCED], "readwrite", "strict");
  const store = tx.objectStore("outbox");
  const entry = await req(store.get(seq));
  if (!entry) return false;
  const meta = tx.objectStore("meta");
  const [last, node] = await Promise.all([req(meta.get("hlc")), req(meta.get("device_id"))]);
  const clock = hlc.send(last, Date.now(), node);
  Object.assign(entry, {
    mutation_id: newId(), changes: { ...entry.changes, ...corrections }, hlc: clock,
    status: "pending", errors: null, attempted: false, rev: entry.rev + 1,
  });
  store.put(entry);
  meta.put(clock, "hlc");
  if (Object.keys(corrections).length) {
    const records = tx.objectStore(entry.entity);
    const record = await req(records.get(entry.record_id));
    records.put({ ...(record || { id: entry.record_id }), ...corrections });
  }
  await done(tx);
  keepSpare();
  dataChanged({ local: true });
  afterSave();
  return true;
}

/** Give up a rejected entry: a never-created record goes, an edit's old values come back. */
export async function discard(seq) {
  const tx = await transaction(["outbox", "meta", "recent", ...SYNCED], "readwrite", "strict");
  const store = tx.objectStore("outbox");
  const entry = await req(store.get(seq));
  if (!entry) return;
  store.delete(seq);
  const others = (await req(store.index("record").getAll([entry.entity, entry.record_id])))
    .filter((e) => e.seq !== seq);
  const records = tx.objectStore(entry.entity);
  const record = await req(records.get(entry.record_id));
  if (record && entry.base_version === null && record.version == null && !others.length) {
    records.delete(entry.record_id);
  } else if (record) {
    const touchedLater = new Set(others.filter((e) => e.seq > seq).flatMap((e) => Object.keys(e.changes)));
    for (const [name, value] of Object.entries(entry.before || {})) {
      if (!touchedLater.has(name)) record[name] = value;
    }
    if (entry.op === "delete") record.deleted = false;
    records.put(record);
  }
  await evictAnswered(tx);
  await done(tx);
  keepSpare();
  dataChanged({ local: true });
}
