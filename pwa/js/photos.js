// Photos taken on the shop floor: shrunk on the device, kept in IndexedDB until the server has
// them, and sent by an upload queue of their own, one file at a time, in parts that resume.
//
// The `attachments` record goes through the normal outbox and syncs at once; the bytes follow
// once the server has accepted the record: HEAD tells how many bytes the server has, PUTs with
// Content-Range send the rest. A photo leaves the device only when the server said it has all
// of it (or the user frees space from photos the server has); photos of others are downloaded
// when shown and kept as a cache.

import * as api from "./api.js";
import { done, get, getAll, getMeta, req, transaction } from "./db.js";
import * as outbox from "./outbox.js";
import { pendingByRecord } from "./overlay.js";
import { applyChanges } from "./records.js";
import { backoff, oneAtATime } from "./retry.js";
import * as spare from "./spare.js";
import { getState, onData } from "./store.js";
import { newId } from "./ids.js";

export const MAX_SIDE = 2048;
export const QUALITY = 0.8;
export const PART_BYTES = 256 * 1024;
export const ACCEPTED = ["image/jpeg", "image/png", "image/heic", "image/heif", "image/webp",
  "application/pdf"];
// Server answers after which sending the same bytes again cannot help. (Not 422
// `sha256_mismatch`: the server dropped what it had, and the next run sends it all again.)
const HOPELESS = new Set([403, 404, 413, 415]);

export class PhotoError extends Error {}

const progress = new Map(); // attachment id -> bytes the server has, while sending
const listeners = new Set();
const RETRY_BASE_MS = 5000;
const RETRY_MAX_MS = 5 * 60 * 1000;
// One file at a time across tabs; after a cut, try again from 5 s to 5 min (the `online`
// event comes sooner).
const run = oneAtATime(uploadAll, { lock: "genba-uploads" });
const retry = backoff(() => requestUploads(), { baseMs: RETRY_BASE_MS, maxMs: RETRY_MAX_MS });

/** Hear about upload progress (the queue's states change without a record changing). */
export function onPhotos(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() {
  for (const listener of listeners) listener();
}

/** Shrink an image (longest side 2048 px, JPEG 0.8) keeping its capture time; others as they are. */
export async function prepare(file) {
  const takenAt = new Date(file.lastModified || Date.now()).toISOString();
  let blob = file;
  let type = file.type || "application/octet-stream";
  if (type.startsWith("image/")) {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      const jpeg = await encodeJpeg(bitmap, width, height);
      bitmap.close();
      // A JPEG already small enough is kept as it is when re-encoding would not shrink it.
      if (!(type === "image/jpeg" && scale === 1 && file.size <= jpeg.size)) {
        blob = jpeg;
        type = "image/jpeg";
      }
    } catch {
      // The browser cannot decode it (HEIC on most): it goes as it is.
    }
  }
  if (!ACCEPTED.includes(type)) throw new PhotoError("photo.unsupported");
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const base = (file.name || "photo").replace(/\.[^.]*$/, "") || "photo";
  const filename = type === "image/jpeg" ? `${base}.jpg` : file.name || base;
  return { blob, type, size: blob.size, sha256, takenAt, filename: filename.slice(0, 255) };
}

/** Draw a bitmap at the given size and encode it as JPEG (OffscreenCanvas, or a canvas element). */
async function encodeJpeg(bitmap, width, height) {
  if (typeof OffscreenCanvas !== "undefined") {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    return canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
  }
  const canvas = Object.assign(document.createElement("canvas"), { width, height });
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  return new Promise((resolve, reject) => canvas.toBlob(
    (blob) => (blob ? resolve(blob) : reject(new Error("the photo could not be encoded"))), "image/jpeg", QUALITY));
}

/**
 * Keep a prepared photo's bytes on the device under a new attachment id, before any record
 * names it; return the id. The caller saves the `attachments` record (see `attachmentChanges`).
 */
export async function keepPhoto(photo) {
  const id = newId();
  const kept = { id, blob: photo.blob, size: photo.size, type: photo.type, mine: true,
    state: "waiting", added_ms: Date.now() };
  const tx = await transaction(["photos"], "readwrite", "strict");
  tx.objectStore("photos").put(kept);
  await done(tx);
  spare.keepPhoto(kept);
  return id;
}

/** A kept photo's stored entry (`{id, blob, size, type, …}`), or undefined. */
export function keptPhoto(id) {
  return get("photos", id);
}

/** Forget a kept photo no record names (a draft's photo when the draft is abandoned). */
export async function discardPhoto(id) {
  const tx = await transaction(["photos"], "readwrite", "relaxed");
  tx.objectStore("photos").delete(id);
  await done(tx);
  spare.dropPhoto(id);
}

/** The `attachments` record of a kept photo of `owner` ({entity, id, customer_id}). */
export function attachmentEdit(id, photo, owner, purpose = "photo") {
  return { entity: "attachments", id, changes: {
    customer_id: owner.customer_id, owner_entity: owner.entity, owner_id: owner.id,
    filename: photo.filename, content_type: photo.type, size: photo.size, sha256: photo.sha256,
    taken_at: photo.takenAt, purpose,
  }, local: { author_id: getState().user?.id, uploaded: null } };
}

/** Add files to a visit or request (`owner`: {entity, id, customer_id}); return how many. */
export async function addPhotos(owner, files) {
  let added = 0;
  for (const file of files) {
    const photo = await prepare(file);
    // The bytes first: a record never names a photo the device does not hold.
    const id = await keepPhoto(photo);
    await outbox.save([attachmentEdit(id, photo, owner)]);
    added += 1;
  }
  requestUploads();
  return added;
}

/** Keep a signature drawn on the device (a PNG blob) as the owner's `signature` attachment. */
export async function addSignature(owner, blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const id = await keepPhoto({ blob, size: blob.size, type: "image/png" });
  await outbox.save([{ entity: "attachments", id, changes: {
    customer_id: owner.customer_id, owner_entity: owner.entity, owner_id: owner.id,
    filename: "signature.png", content_type: "image/png", size: blob.size, sha256,
    taken_at: new Date().toISOString(), purpose: "signature",
  }, local: { author_id: getState().user?.id, uploaded: null } }]);
  requestUploads();
  return id;
}

/** The attachments of a visit or request, oldest first. */
export async function attachmentsOf(ownerId) {
  const all = await getAll("attachments");
  return all.filter((a) => a.owner_id === ownerId && !a.deleted)
    .sort((a, b) => String(a.taken_at || a.created_at).localeCompare(String(b.taken_at || b.created_at)));
}

/**
 * A photo's state: mine waiting, sending (with percent), sent or failed; someone else's on the
 * server (remote) or not yet sent by the device that took it (elsewhere).
 */
export function stateOf(record, photo) {
  if (photo?.mine && photo.state === "failed") return { state: "failed", status: photo.error };
  if (photo?.mine && photo.state !== "sent") {
    const have = progress.get(record.id);
    return have === undefined ? { state: "waiting" }
      : { state: "sending", percent: Math.floor((100 * have) / Math.max(1, photo.size)) };
  }
  if (photo?.mine || (record.uploaded && record.author_id === getState().user?.id)) return { state: "sent" };
  return { state: record.uploaded ? "remote" : "elsewhere" };
}

/** My photos in the upload queue (those not freed), with their records and states. */
export async function queue() {
  const [photos, records] = await Promise.all([getAll("photos"), getAll("attachments")]);
  const byId = new Map(records.map((r) => [r.id, r]));
  return photos.filter((p) => p.mine && byId.has(p.id))
    .sort((a, b) => a.added_ms - b.added_ms)
    .map((photo) => {
      const record = byId.get(photo.id);
      return { record, photo, ...stateOf(record, photo) };
    });
}

/** Send waiting photos now (or once more right after the run going on). */
export function requestUploads() {
  return run();
}

async function uploadAll() {
  const token = await getMeta("token");
  if (!token || !navigator.onLine) return;
  const [photos, entries] = await Promise.all([getAll("photos"), outbox.entries()]);
  const unanswered = new Set(entries.filter((e) => e.entity === "attachments").map((e) => e.record_id));
  const waiting = photos.filter((p) => p.mine && p.state === "waiting")
    .sort((a, b) => a.added_ms - b.added_ms);
  for (const photo of waiting) {
    if (unanswered.has(photo.id)) continue; // the record goes first, through the outbox
    const record = await get("attachments", photo.id);
    if (!record || record.version == null) continue;
    try {
      await upload(token, photo);
    } catch (err) {
      progress.delete(photo.id);
      changed();
      if (err.status && HOPELESS.has(err.status)) {
        await setPhoto(photo.id, { state: "failed", error: err.status, detail: err.message });
        changed();
        continue;
      }
      retry.failed(); // offline or a cut: the next run resumes from the server's offset
      return;
    }
  }
  retry.reset();
  // The spare copy keeps the photos the server does not have (spare.js), and no others.
  const unsent = (await getAll("photos")).filter((p) => p.mine && p.state !== "sent");
  spare.keepPhotosOnly(new Set(unsent.map((p) => p.id)));
}

async function upload(token, photo) {
  const held = await api.uploadOffset(token, photo.id);
  let offset = held.complete ? photo.size : held.received;
  progress.set(photo.id, offset);
  changed();
  let answer = null;
  while (offset < photo.size || !answer?.uploaded) {
    const end = Math.min(photo.size, offset + PART_BYTES);
    const range = offset < photo.size ? `bytes ${offset}-${end - 1}/${photo.size}` : `bytes */${photo.size}`;
    answer = await api.uploadPart(token, photo.id, photo.blob.slice(offset, end), range);
    if (answer.received <= offset && !answer.uploaded) throw new PhotoError("no progress");
    offset = answer.received;
    progress.set(photo.id, offset);
    changed();
  }
  if (answer.record) await storeRecord(answer.record);
  await setPhoto(photo.id, { state: "sent" });
  spare.dropPhoto(photo.id);
  progress.delete(photo.id);
  changed();
}

async function storeRecord(record) {
  const tx = await transaction(["attachments", "outbox", "recent"], "readwrite", "relaxed");
  const pending = pendingByRecord(await req(tx.objectStore("outbox").getAll()));
  await applyChanges(tx, [{ entity: "attachments", record }], pending, { pulled: false });
  await done(tx);
}

async function setPhoto(id, patch) {
  const tx = await transaction(["photos"], "readwrite", "strict");
  const store = tx.objectStore("photos");
  const photo = await req(store.get(id));
  if (photo) store.put({ ...photo, ...patch });
  await done(tx);
}

// --- showing photos ----------------------------------------------------------------------

/** A Blob to show for an attachment: the device's own copy, else downloaded once and kept. */
export async function imageOf(record, { full = false } = {}) {
  const photo = await get("photos", record.id);
  if (photo?.blob) return photo.blob;
  if (!full && photo?.thumb) return photo.thumb;
  if (!record.uploaded || !navigator.onLine) return null;
  let blob;
  try {
    blob = await api.attachmentFile(await getMeta("token"), record.id, full ? "content" : "thumbnail");
  } catch {
    return null; // not reachable now: shown as "not on this device"
  }
  const tx = await transaction(["photos"], "readwrite", "relaxed");
  const store = tx.objectStore("photos");
  const held = await req(store.get(record.id));
  store.put({ ...(held || { id: record.id, mine: false, state: "cached", added_ms: Date.now() }),
    [full ? "blob" : "thumb"]: blob, size: full ? blob.size : held?.size || 0 });
  await done(tx);
  return blob;
}

// --- space -------------------------------------------------------------------------------

/** How much space photos take: `{unsent, sent, cached, usage, quota}` in bytes. */
export async function usage() {
  const [photos, estimate] = await Promise.all([
    getAll("photos"), navigator.storage?.estimate?.().catch(() => null)]);
  const out = { unsent: 0, sent: 0, cached: 0, usage: estimate?.usage ?? null, quota: estimate?.quota ?? null };
  for (const photo of photos) {
    const bytes = (photo.blob?.size || 0) + (photo.thumb?.size || 0);
    if (photo.mine && photo.state !== "sent") out.unsent += bytes;
    else if (photo.mine) out.sent += bytes;
    else out.cached += bytes;
  }
  return out;
}

/** Delete photos the server has (sent ones and downloaded copies); never one it lacks. */
export async function freeSpace() {
  const records = new Map((await getAll("attachments")).map((r) => [r.id, r]));
  const tx = await transaction(["photos"], "readwrite", "strict");
  const store = tx.objectStore("photos");
  let freed = 0;
  for (const photo of await req(store.getAll())) {
    const serverHasIt = photo.state === "sent" || (!photo.mine && records.get(photo.id)?.uploaded);
    if (!serverHasIt || (photo.mine && photo.state !== "sent")) continue;
    freed += (photo.blob?.size || 0) + (photo.thumb?.size || 0);
    store.delete(photo.id);
  }
  await done(tx);
  changed();
  return freed;
}

/** A size such as 「12 KB」, its number and unit kept on one line (a no-break space). */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return "—";
  if (bytes < 1024 * 1024) return `${Math.max(0, Math.round(bytes / 1024))}\u00a0KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)}\u00a0MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)}\u00a0GB`;
}

const KEEP_UNNAMED_MS = 24 * 3600 * 1000;

/**
 * Delete the bytes of photos taken in a form that was never saved and that no draft names any
 * more (`held`: the drafts' `draft_photos` values, JSON lists), a day after they were taken: a
 * form still open elsewhere may not have written its draft yet. Returns how many went.
 */
export async function sweepUnsaved(held, now = Date.now()) {
  const named = new Set();
  for (const value of held) {
    try {
      for (const photo of [].concat(JSON.parse(value) || [])) if (photo?.id) named.add(photo.id);
    } catch { /* unreadable: names none */ }
  }
  const [all, records, entries] = await Promise.all([getAll("photos"), getAll("attachments"), outbox.entries()]);
  for (const record of records) named.add(record.id);
  for (const entry of entries) if (entry.entity === "attachments") named.add(entry.record_id);
  const gone = all.filter((p) => p.mine && p.state === "waiting" && !named.has(p.id)
    && now - (p.added_ms || 0) > KEEP_UNNAMED_MS);
  for (const photo of gone) await discardPhoto(photo.id);
  return gone.length;
}

/** Send photos whenever records were pushed or the network came back. */
export function start() {
  onData((what) => {
    if (what?.pushed || what?.pulled || what?.local) requestUploads();
  });
  window.addEventListener("online", () => {
    retry.reset();
    requestUploads();
  });
  requestUploads();
}
