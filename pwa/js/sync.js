// The sync client: one run at a time (across tabs too, with a Web Lock), pushing the outbox in
// batches of at most 500 and then pulling until `has_more` is false.
//
// Triggers: start, the `online` event, every save, a timer while the page is visible, the
// button. Failures back off exponentially with jitter. A 401 `token_revoked` wipes the device;
// any other 401 keeps everything and asks for the password; 409 `clock_skew` asks the user to
// fix the clock; 410 drops the cursor and pulls afresh, keeping the outbox.

import * as api from "./api.js";
import { refreshCalendar } from "./calendar.js";
import { pullAndCheck } from "./check.js";
import { count, getMeta, req, setMeta, transaction } from "./db.js";
import { lang } from "./i18n.js";
import * as outbox from "./outbox.js";
import * as photos from "./photos.js";
import { fillDays } from "./records.js";
import { DAYS_PENDING } from "./visit-groups.js";
import { backoff, oneAtATime } from "./retry.js";
import { dataChanged, getState, update } from "./store.js";

export const PUSH_BATCH = 500;
export const PULL_LIMIT = 2000;
const TIMER_MS = 3 * 60 * 1000;
const BACKOFF_BASE_MS = 2000;
const BACKOFF_MAX_MS = 5 * 60 * 1000;
const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

const run = oneAtATime(runOnce, { lock: "genba-sync" });
const retry = backoff(() => requestSync("retry"), { baseMs: BACKOFF_BASE_MS, maxMs: BACKOFF_MAX_MS });
let onRevoked = async () => {};
let checkAsked = false;

/** What to do when the server says this device was revoked (wipe it and show the login). */
export function setRevokedHandler(handler) {
  onRevoked = handler;
}

/** Sync now and check the device's records against the server's (check.js) at its end. */
export function requestCheck() {
  checkAsked = true;
  return requestSync("manual");
}

/** Run a sync now, or once more right after the one running. */
export function requestSync(reason = "manual") {
  if (reason === "manual" || reason === "online" || reason === "restored") retry.reset();
  retry.cancel(); // the run asked for now replaces the retry that was waiting
  return run();
}

async function runOnce() {
  const token = await getMeta("token");
  if (!token || getState().authNeeded) return refreshStatus();
  if (!navigator.onLine) {
    update({ online: false });
    fillLeft();
    return refreshStatus();
  }
  update({ syncing: true, online: true });
  const started = performance.now();
  try {
    // The calendar (business-day ages) is fetched alongside: nothing the sync writes touches it.
    const calendar = refreshCalendar(token).catch(() => {}); // ages fall back to the last one held
    const pushed = await pushAll(token);
    const { pulled, checked } = await pullAll(token, await checkDue());
    await calendar;
    performance.measure("genba:sync", { start: started, detail: { pushed, pulled } });
    const now = Date.now();
    await setMeta({ last_sync: now, ...(checked && !checked.skipped ? { checked: { ...checked, at: now } } : {}) });
    retry.reset();
    update({ lastSync: now, error: null });
  } catch (err) {
    await handleFailure(err);
  } finally {
    update({ syncing: false });
    await refreshStatus();
  }
}

async function pushAll(token) {
  let limit = PUSH_BATCH;
  let pushed = 0;
  for (let round = 0; round < 10000; round += 1) {
    const batch = await outbox.takeBatch(limit);
    if (!batch.length) return pushed;
    let answer;
    try {
      answer = await api.push(token, {
        device_id: getState().deviceId, client_time: Date.now(), mutations: batch.map(outbox.toWire),
      });
    } catch (err) {
      if (err.status === 413 && limit > 1) {
        limit = Math.ceil(limit / 2); // over 5 MB: send smaller batches
        continue;
      }
      throw err;
    }
    await outbox.settle(batch, answer.results, answer.hlc);
    pushed += batch.length;
    dataChanged({ pushed: batch.length });
    await refreshStatus();
  }
  return pushed;
}

/**
 * Whether this run checks the device (check.js): when asked, else once a day with nothing
 * unsent (an hour after a check that did not finish).
 */
async function checkDue() {
  if (checkAsked) {
    checkAsked = false;
    return true;
  }
  const [unsent, checked] = await Promise.all([count("outbox"), getMeta("checked")]);
  // A check cut off, or one that left records for their unsent edits, is made again an hour on.
  const soon = checked?.failed || checked?.waiting;
  return !unsent && Date.now() - (checked?.at || 0) > (soon ? HOUR_MS : DAY_MS);
}

/**
 * Pull in the pull worker (the page's own thread stays free for the screens), and with `check`
 * check the device at the end: `{pulled, checked}`.
 */
function pullAll(token, check) {
  const progress = (what) => dataChanged(what);
  const kept = (n) => update({ received: n }); // the status bar's 「同期中… 12,000件受信」
  const measure = (name, start, detail) => performance.measure(name, { start, detail });
  update({ received: 0 });
  if (typeof Worker === "undefined") {
    return pullAndCheck(token, PULL_LIMIT, { progress, kept, measure }, check).then((result) => {
      fillLeft(); // after the sync, as the worker does (the next one tries again if it fails)
      return result;
    }, (err) => {
      if (err instanceof api.ApiError || err instanceof api.NetworkError) throw err;
      throw pullError({ kind: "storage", name: err.name, message: err.message }); // as the worker reports it
    });
  }
  return new Promise((resolve, reject) => {
    const worker = takeWorker();
    const finish = (settle, value) => {
      worker.terminate(); // a worker per run: nothing of a failed one lingers
      spareWorker();
      settle(value);
    };
    worker.onmessage = ({ data }) => {
      if (data.type === "progress") {
        if (data.what.lists) performance.mark("genba:lists-ready");
        progress(data.what);
        // The screens open their reads now; the worker writes on once they are queued, so a
        // customer list drawn at this moment does not wait for the next pages' writes.
        if (data.what.lists) setTimeout(() => worker.postMessage({ type: "go" }), 0);
      } else if (data.type === "kept") {
        kept(data.n);
      } else if (data.type === "measure") {
        const end = performance.now();
        performance.measure(data.name, { start: end - data.duration, end, detail: data.detail });
      } else if (data.type === "done") {
        // The sync is done; the worker finishes what a first pull left (fillDays), then is let go.
        spareWorker();
        resolve({ pulled: data.pulled, checked: data.checked });
      } else if (data.type === "idle") {
        worker.terminate();
      } else {
        finish(reject, pullError(data.error));
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      finish(reject, new Error(event.message || "the pull worker failed to start"));
    };
    worker.postMessage({ type: "pull", token, limit: PULL_LIMIT, check, language: lang() });
  });
}

// A fill of what a first pull or an update of the app left (records.js fillDays) with no pull:
// after a sync with no Worker, and while no server answers, so that on a shop floor with no
// signal 今日 still gets its days and next actions. In a worker of its own (a spare one), one
// at a time; it reports as a pull's does.
let filling = false;

async function fillLeft() {
  if (filling || !(await getMeta(DAYS_PENDING))) return;
  filling = true;
  const over = () => { filling = false; };
  if (typeof Worker === "undefined") {
    fillDays().then((filled) => { if (filled) dataChanged({ days: true }); }, () => {}).finally(over);
    return;
  }
  const worker = takeWorker();
  spareWorker();
  const end = () => {
    worker.terminate();
    over();
  };
  worker.onmessage = ({ data }) => {
    if (data.type === "progress") dataChanged(data.what);
    else if (data.type === "idle") end();
  };
  worker.onerror = (event) => {
    event.preventDefault();
    end();
  };
  worker.postMessage({ type: "fill" });
}

// The next run's worker, started ahead (its modules load while the user signs in or between
// runs), so a pull starts at once.
let spare = null;

function spareWorker() {
  if (!spare && typeof Worker !== "undefined") {
    spare = new Worker(new URL("./pull-worker.js", import.meta.url), { type: "module" });
  }
  return spare;
}

function takeWorker() {
  const worker = spareWorker();
  spare = null;
  return worker;
}

/** The error a pull in the worker failed with, as api.js would have thrown it here. */
function pullError({ kind, name, message, status, body }) {
  if (kind === "api") return new api.ApiError(body, status);
  if (kind === "network") return new api.NetworkError(message);
  return Object.assign(new Error(message), { storage: kind === "storage", name: name || "Error" });
}

async function handleFailure(err) {
  if (err instanceof api.ApiError && err.status === 401) {
    if (err.reason === "token_revoked") {
      await onRevoked();
      return;
    }
    update({ authNeeded: true, error: { kind: "auth", message: err.message } });
    return;
  }
  if (err instanceof api.ApiError && err.status === 409 && err.reason === "clock_skew") {
    update({ error: { kind: "clock", message: err.message } });
  } else if (err instanceof api.ApiError && err.status === 426) {
    // The server needs a newer app: keep the outbox and look for the new version now.
    update({ error: { kind: "outdated", message: err.message } });
    navigator.serviceWorker?.getRegistration().then((r) => r?.update()).catch(() => {});
  } else if (err.storage || (err instanceof DOMException && err.name !== "AbortError")) {
    // IndexedDB refused a page, or the outbox's own writes (a full disk): the device's to mend.
    update({ error: { kind: "storage", name: err.name, message: err.message } });
  } else if (err instanceof api.NetworkError) {
    update({ error: navigator.onLine ? { kind: "network", message: err.message } : null,
      online: navigator.onLine });
    fillLeft();
  } else {
    update({ error: { kind: "server", message: err.message } });
    console.error(err);
  }
  retry.failed();
}

/**
 * Recount what the status bar shows: pending (unsent records, and photos whose bytes are still
 * to go), rejected (records and photos the server refused), conflicts, the oldest unsent edit.
 */
export async function refreshStatus() {
  const [entries, queue, conflicts, lastSync] = await Promise.all([
    outbox.entries(), photos.queue(), unresolvedConflicts(), getMeta("last_sync")]);
  const work = entries.filter(outbox.isWork); // read marks are no one's work
  const pending = work.filter((e) => e.status === "pending");
  // A photo whose record is still in the outbox is counted once, as that record.
  const inOutbox = new Set(entries.map((e) => e.record_id));
  const photosLeft = queue.filter((item) => item.state !== "sent" && !inOutbox.has(item.record.id));
  const photosFailed = photosLeft.filter((item) => item.state === "failed").length;
  update({
    pending: pending.length + photosLeft.length - photosFailed,
    rejected: work.length - pending.length + photosFailed,
    oldestPending: pending.length ? Math.min(...pending.map((e) => e.created_ms)) : null,
    conflicts: conflicts.filter((c) => c.lost_by === getState().user?.id).length,
    lastSync: lastSync || null,
  });
}

/** Everything not on the server yet, as the status bar counts it (sent or refused). */
export async function unsentCount() {
  await refreshStatus();
  return getState().pending + getState().rejected;
}

export async function unresolvedConflicts() {
  const tx = await transaction(["conflicts"]);
  const all = await req(tx.objectStore("conflicts").getAll());
  return all.filter((c) => !c.resolved && !c.deleted);
}

export function staleSince(state, now = Date.now()) {
  return state.oldestPending !== null && now - state.oldestPending > DAY_MS;
}

/** Wire up the triggers: `online`, visibility, and the timer while the page is visible. */
export function start() {
  spareWorker();
  outbox.onSaved(() => requestSync("save"));
  window.addEventListener("online", () => {
    update({ online: true });
    requestSync("online");
  });
  window.addEventListener("offline", () => update({ online: false }));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") requestSync("visible");
  });
  setInterval(() => {
    if (document.visibilityState === "visible") requestSync("timer");
  }, TIMER_MS);
  return requestSync("start");
}

export async function outboxSize() {
  return count("outbox");
}
