// Read marks for my requests: what each request looked like (status, and the answer as a
// digest) when its author last opened it. A status or answer that changed since is unread.
//
// A mark is a synced record (`request_reads`, private to its writer), one per person, device and
// request: a request opened on the phone is read on the tablet too, and two devices never write
// one mark at once (no conflict to review for having read something twice). A request is read
// when any of my marks matches it. Marks are no one's work: they are not counted as unsent, and
// one the server refuses (its request deleted meanwhile) is dropped (outbox.js `INCIDENTAL`).
//
// Read state starts when the person signed in on this device: what the office did before that
// is not news, so a new tablet does not greet anyone with every old request 未読.

import { getMeta, getMetas, req, setMeta, transaction } from "./db.js";
import * as outbox from "./outbox.js";
import { NAMESPACE, uuidV5 } from "./reports.js";

const LEGACY_KEY = "seen_requests"; // marks kept on the device only, before they synced
export const SINCE_KEY = "seen_since";

/** The one id of what `userId` last saw of a request on device `deviceId` (as the server's). */
export function readMarkId(userId, deviceId, requestId) {
  return uuidV5(NAMESPACE, `genba:request_read:${userId}:${deviceId}:${requestId}`);
}

/** 32-bit FNV-1a of a text's UTF-16 code units, in hex (null stays null): an answer as seen. */
export function digestOf(text) {
  if (text === null || text === undefined) return null;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * `{marks, own, since}` for `userId`: every mark of theirs by request id (a list: one per device),
 * this device's own record by request id, and the instant read state starts (ms).
 */
export async function seenMarks(userId) {
  const tx = await transaction(["request_reads"]);
  const [records, metas, deviceId] = await Promise.all([
    req(tx.objectStore("request_reads").getAll()), getMetas([LEGACY_KEY, SINCE_KEY]), getMeta("device_id")]);
  const marks = new Map();
  const own = new Map();
  const add = (requestId, mark) => marks.set(requestId, [...(marks.get(requestId) || []), mark]);
  for (const record of records) {
    if (record.user_id !== userId) continue; // the server sends only mine: a guard
    add(record.request_id, { status: record.status, digest: record.response_digest ?? null });
    if (record.device_id === deviceId) own.set(record.request_id, record);
  }
  for (const [requestId, mark] of Object.entries(metas[LEGACY_KEY] || {})) {
    add(requestId, { status: mark.status, digest: digestOf(mark.response ?? null) });
  }
  let since = metas[SINCE_KEY];
  if (!since) {
    // A device signed in before read state had a start: it starts now.
    since = new Date().toISOString();
    await setMeta({ [SINCE_KEY]: since }, "relaxed");
  }
  return { marks, own, since: Date.parse(since) };
}

/** Whether the status or the answer changed since the author last opened the request. */
export function isUnread(request, { marks, since }) {
  const seen = marks.get(request.id);
  if (!seen && (Date.parse(request.updated_at) || 0) <= since) return false;
  const status = request.status || "new";
  const digest = digestOf(request.response ?? null);
  return !(seen || [{ status: "new", digest: null }])
    .some((mark) => (mark.status || "new") === status && mark.digest === digest);
}

/** Note that the author has seen `request` as it is now (nothing to write if already read). */
export async function markSeen(request, userId) {
  if (!userId || request.author_id !== userId) return;
  const seen = await seenMarks(userId);
  if (!isUnread(request, seen)) return;
  const deviceId = await getMeta("device_id");
  const mine = seen.own.get(request.id);
  const changes = { status: request.status || "new", response_digest: digestOf(request.response ?? null) };
  if (!mine) changes.request_id = request.id;
  await outbox.save([{ entity: "request_reads", id: mine?.id || await readMarkId(userId, deviceId, request.id),
    changes, local: mine ? {} : { user_id: userId, device_id: deviceId } }]);
}
