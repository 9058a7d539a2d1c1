// Signing in (online, once per device), signing in again after a token expired, and wiping
// the device when an administrator revoked it.

import * as api from "./api.js";
import { getMeta, setMeta, wipe as wipeDb } from "./db.js";
import * as drafts from "./drafts.js";
import { SINCE_KEY } from "./seen.js";
import { erased, update } from "./store.js";
import { unsentCount } from "./sync.js";

export async function ensureDeviceId(known = undefined) {
  let id = known === undefined ? await getMeta("device_id") : known;
  if (!id) {
    id = crypto.randomUUID();
    await setMeta({ device_id: id });
  }
  update({ deviceId: id });
  return id;
}

function deviceName() {
  const platform = navigator.userAgentData?.platform || navigator.platform || "device";
  const narrow = Math.min(screen.width, screen.height) < 600 ? "phone" : "tablet";
  return `${platform} ${narrow}`.slice(0, 100);
}

export class OtherUserPending extends Error {}
/** The last person left forms typed and not saved (drafts.js); the message is how many. */
export class OtherUserDrafts extends Error {}

/** Sign in and keep the token; another person's data never stays on the device. A device id
 * belongs to the first person who signed in with it, so another person gets a new one. The last
 * person's drafts go only with `dropDrafts` (the next person was told, and agreed). */
export async function signIn(login, password, { dropDrafts = false } = {}) {
  const previous = await getMeta("user");
  const previousLogin = await getMeta("login");
  if (previous && previousLogin && fold(previousLogin) !== fold(login)) await handOver(null, dropDrafts);
  let body;
  try {
    body = await api.signIn(login, password, { id: await ensureDeviceId(), name: deviceName() });
  } catch (err) {
    if (!(err instanceof api.ApiError && err.reason === "device_in_use")) throw err;
    await handOver(null, dropDrafts);
    body = await api.signIn(login, password, { id: await ensureDeviceId(), name: deviceName() });
  }
  // One login now another person's (renamed): signed in already, so their drafts go too.
  if (previous && previous.id !== body.user.id) await handOver(await getMeta("device_id"), true);
  // Read state starts at the first sign-in on this device (a wipe above clears it).
  await setMeta({ token: body.token, user: body.user, login,
    [SINCE_KEY]: (await getMeta(SINCE_KEY)) || new Date().toISOString() });
  update({ user: body.user, authNeeded: false, error: null });
  requestPersistence();
  endOwed(); // the server answers now: end the sign-ins signed out offline here
  return body.user;
}

/** Erase the device's data: records, outbox, sync state, and every draft typed in a form. */
async function wipe() {
  drafts.clearAll();
  await wipeDb();
  erased();
}

function fold(login) {
  return String(login).normalize("NFKC").trim().toLowerCase();
}

/** Leave the device to another person: refuse while the last one's work is unsent (as the status
 * bar counts it: edits, and photos whose bytes are still to go), and while forms they typed are
 * not saved unless `dropDrafts`; then erase everything (keeping ``keepId`` as the device id, or
 * making a new one). */
async function handOver(keepId, dropDrafts) {
  const unsent = await unsentCount();
  if (unsent) throw new OtherUserPending(String(unsent));
  const typed = drafts.count();
  if (typed && !dropDrafts) throw new OtherUserDrafts(String(typed));
  await endToken();
  await wipe();
  if (keepId) await setMeta({ device_id: keepId });
  await ensureDeviceId();
}

/** Ask the browser to keep our storage; remember whether it will. */
export async function requestPersistence() {
  if (!navigator.storage?.persisted) {
    update({ persisted: false });
    return;
  }
  let persisted = await navigator.storage.persisted();
  if (!persisted && navigator.storage.persist) persisted = await navigator.storage.persist();
  update({ persisted });
}

/**
 * Sign out: end the token on the server, when it answers within a few seconds, then erase
 * everything on the device. Offline, the token is erased all the same, and the server ends it
 * once the device is online again (endOwed).
 */
export async function signOut() {
  await endToken();
  await wipeDevice(null);
}

/**
 * End the stored token on the server. Not ended (offline, a timeout, a server error), keep its
 * SHA-256 for endOwed: that ends the sign-in but cannot sign in, so the device holds no token
 * that works once it is erased. Refused as unknown or revoked (401): it works no more already.
 */
async function endToken() {
  const token = await getMeta("token");
  if (!token) return;
  try {
    await api.signOut(token);
  } catch (err) {
    if (!(err instanceof api.ApiError && err.status === 401)) await owe(token);
  }
}

// The SHA-256 of each token signed out without an answer, in localStorage: it outlives the
// erasure of the device's database, and a restart.
const OWED_KEY = "genba.signed-out";
const OWED_AT_MOST = 20;

function owed() {
  try {
    const list = JSON.parse(localStorage.getItem(OWED_KEY));
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function keepOwed(list) {
  try {
    if (list.length) localStorage.setItem(OWED_KEY, JSON.stringify(list.slice(-OWED_AT_MOST)));
    else localStorage.removeItem(OWED_KEY);
  } catch {
    // localStorage full: the token lapses unused on the server, as it did before this list
  }
}

async function owe(token) {
  if (!globalThis.crypto?.subtle) return; // only on an insecure origin, where the app does not run
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  const digest = Array.from(hash, (byte) => byte.toString(16).padStart(2, "0")).join("");
  keepOwed([...owed().filter((held) => held !== digest), digest]);
}

/**
 * Have the server end the sign-ins signed out offline (owe): at start, on "online" and after a
 * sign-in. Each ended is done with (204, whether or not the token still worked), and so is one
 * the server could never take (400); any other answer, or none, keeps it for the next try.
 */
export async function endOwed() {
  const ended = new Set();
  for (const digest of owed()) {
    try {
      await api.endSignIn(digest);
      ended.add(digest);
    } catch (err) {
      if (err instanceof api.ApiError && err.status === 400) ended.add(digest);
    }
  }
  if (ended.size) keepOwed(owed().filter((digest) => !ended.has(digest)));
}

/** Erase everything on the device (records, outbox, token, device id). */
export async function wipeDevice(notice) {
  await wipe();
  update({ user: null, authNeeded: false, error: null, pending: 0, rejected: 0, conflicts: 0,
    oldestPending: null, lastSync: null, notice });
  await ensureDeviceId();
}
