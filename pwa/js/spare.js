// A spare copy of what exists nowhere but on this device: the edits the server has not taken
// (the outbox), the sign-in and the device's identity, and the bytes of photos not yet sent.
//
// IndexedDB is where they live. The copy is for the day the browser throws the database away:
// Chromium does when it finds its files broken, after the disk filled in the middle of a write,
// and opens an empty one in its place. db.js then puts back what this copy holds, so the work
// is sent and the device syncs on, signed in. The copy is kept in this page's memory, and,
// but for photos, in localStorage, so it also outlives a restart.
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
}

export function dropPhoto(id) {
  photos.delete(id);
}

export function heldPhotos() {
  return [...photos.values()];
}

/** Forget everything (the device wiped for another person, or revoked). */
export function clear() {
  copy = null;
  photos.clear();
  storage()?.removeItem(KEY);
}
