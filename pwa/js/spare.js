// A spare copy of what exists nowhere but on this device: the edits the server has not taken
// (the outbox), the sign-in and the device's identity, and the bytes of photos not yet sent.
//
// IndexedDB is where they live. The copy is for the day the browser throws the database away:
// Chromium does when it finds its files broken, after the disk filled in the middle of a write,
// and opens an empty one in its place. db.js then puts back what this copy holds, so the work
// is sent and the device syncs on, signed in. The copy is kept in this page's memory, and in
// localStorage (photos in Cache Storage, which takes bytes), so it also outlives a restart.
//
// No imports: db.js uses this module, and the pull worker loads db.js (it has no localStorage).

const KEY = "genba.spare";
// localStorage holds about 5 million characters an origin, and drafts (drafts.js) need their
// share: an outbox larger than this stays in memory only.
const MOST_CHARS = 1_000_000;
const TOO_LARGE = ""; // in localStorage: the copy is in the memory of the page that wrote it only
/** The meta values the copy keeps (the rest comes back from the server). */
export const KEPT_META = ["token", "user", "login", "device_id", "hlc", "seen_since"];

let copy = null; // {meta, outbox}: as last read from IndexedDB
const photos = new Map(); // id -> the photo's record, with the Blob the app made (never IDB's)
// Photos not yet sent, in Cache Storage too: the browser keeps it apart from IndexedDB (a
// database thrown away leaves it) and across restarts. One entry a photo: the bytes, and the
// rest of its record in a header. Every change goes through one chain, so a drop never runs
// before its put.
const PHOTO_CACHE = "genba-spare-photos";
const PHOTO_HEADER = "Genba-Photo";
const photoUrl = (id) => `/spare-photos/${encodeURIComponent(id)}`;
let cacheWork = Promise.resolve();

/** Run `work(cache)` after the changes before it; only a put makes the cache when there is none. */
function withPhotoCache(work, { put = false } = {}) {
  if (typeof caches === "undefined") return cacheWork;
  cacheWork = cacheWork.then(async () => {
    if (put || await caches.has(PHOTO_CACHE)) await work(await caches.open(PHOTO_CACHE));
  }).catch((err) => console.warn("spare photo copy", err)); // full or refused: memory still holds it
  return cacheWork;
}

const storage = () => (typeof localStorage === "undefined" ? null : localStorage);

// Another tab of the app keeps the copy too, in the same localStorage: when it writes a newer
// one (its outbox then holds this tab's edits and its own) or clears it (a sign-out, a wipe),
// this tab's copy in memory is out of date, and the one in localStorage is the copy. Only a copy
// too large for localStorage, which another tab keeps in its memory alone, leaves this tab's.
if (typeof window !== "undefined") {
  window.addEventListener("storage", (event) => {
    if (event.key === null || (event.key === KEY && event.newValue !== TOO_LARGE)) copy = null;
  });
}

/** Keep `{meta, outbox}` as the copy (the latest read of IndexedDB). */
export function note(held) {
  copy = held;
  const local = storage();
  if (!local) return;
  const text = JSON.stringify(held);
  try {
    local.setItem(KEY, text.length > MOST_CHARS ? TOO_LARGE : text); // no copy rather than an old one
  } catch {
    try {
      local.setItem(KEY, TOO_LARGE); // full: memory only (shorter than any copy, so it fits)
    } catch {
      local.removeItem(KEY); // not even that: other tabs take the copy as cleared
    }
  }
}

/** The copy: this page's, else the one a page before it left; null when there is none. */
export function held() {
  if (copy) return copy;
  try {
    return JSON.parse(storage()?.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

/** Keep a photo's record with its bytes until the server has them. */
export function keepPhoto(record) {
  photos.set(record.id, record);
  const { blob, ...rest } = record;
  withPhotoCache((cache) => cache.put(photoUrl(record.id), new Response(blob, { headers: {
    "Content-Type": record.type || "application/octet-stream",
    [PHOTO_HEADER]: encodeURIComponent(JSON.stringify(rest)) } })), { put: true });
}

export function dropPhoto(id) {
  photos.delete(id);
  withPhotoCache((cache) => cache.delete(photoUrl(id)));
}

/** Drop the copies of photos other than `ids` (those the server has: a drop a crash missed). */
export function keepPhotosOnly(ids) {
  for (const id of photos.keys()) if (!ids.has(id)) photos.delete(id);
  withPhotoCache(async (cache) => {
    for (const request of await cache.keys()) {
      const id = decodeURIComponent(new URL(request.url).pathname.split("/").pop());
      if (!ids.has(id)) await cache.delete(request);
    }
  });
}

/** The photos kept: this page's, and those in Cache Storage (from any tab, or before a restart). */
export async function heldPhotos() {
  const all = new Map();
  await withPhotoCache(async (cache) => {
    for (const request of await cache.keys()) {
      try {
        const response = await cache.match(request);
        const record = JSON.parse(decodeURIComponent(response.headers.get(PHOTO_HEADER)));
        all.set(record.id, { ...record, blob: await response.blob() });
      } catch (err) {
        console.warn("spare photo copy unreadable", request.url, err); // the others still come back
      }
    }
  });
  for (const [id, record] of photos) all.set(id, record);
  return [...all.values()];
}

/** Forget everything (the device wiped for another person, or revoked). */
export function clear() {
  copy = null;
  photos.clear();
  storage()?.removeItem(KEY);
  if (typeof caches !== "undefined") {
    cacheWork = cacheWork.then(() => caches.delete(PHOTO_CACHE)).catch(() => {});
  }
}
