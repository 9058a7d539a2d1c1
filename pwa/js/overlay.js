// What the device holds for a record the server sent: the server's version with the device's
// unanswered edits laid over it, so a pull never hides work that has not reached the server.
// Plain values in and out (no IndexedDB): records.js applies it inside its transactions.

import { serverFields } from "./server-fields.js";

export function recordKey(entity, id) {
  return `${entity}:${id}`;
}

/** The keys of every record with an outbox entry (pending or rejected). */
export function keysOf(entries) {
  return new Set(entries.map((entry) => recordKey(entry.entity, entry.record_id)));
}

/** Outbox entries the server has not answered yet, by record (rejected ones are not laid over). */
export function pendingByRecord(entries) {
  const out = new Map();
  for (const entry of entries) {
    if (entry.status === "rejected") continue;
    const key = recordKey(entry.entity, entry.record_id);
    if (!out.has(key)) out.set(key, []);
    out.get(key).push(entry);
  }
  return out;
}

/** The server's record with the device's unanswered edits laid over it, in outbox order. */
export function overlay(record, entries) {
  if (!entries) return record;
  const out = { ...record };
  for (const entry of entries) {
    if (entry.op === "delete") out.deleted = true;
    else Object.assign(out, entry.changes, serverFields(entry.entity, out, entry.changes, entry.hlc));
  }
  return out;
}

/**
 * The record to store when the server sends `incoming` while the device holds `held`, with
 * `entries` the record's unanswered outbox entries; null when the held version is newer (pull
 * pages and push answers can arrive out of order) and must stay.
 */
export function merged(held, incoming, entries) {
  if (held && held.version != null && held.version > incoming.version) return null;
  return overlay(incoming, entries);
}
