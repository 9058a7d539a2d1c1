// The only global state of the app: who is signed in, the sync status, and a "data changed"
// signal. Screens read IndexedDB for records and subscribe here to re-render.

const state = {
  user: null,
  deviceId: null,
  online: navigator.onLine,
  syncing: false,
  received: 0, // records a running pull has stored so far
  lastSync: null,
  pending: 0,
  rejected: 0,
  conflicts: 0,
  oldestPending: null,
  error: null,
  authNeeded: false,
  persisted: null,
  updateReady: false,
  notice: null,
  lost: null, // with notice "lost": {edits, photosLost}, what db.js put back and could not
  notSaved: null, // why the last save with no form to show it was refused (ui/form.js notSavedText)
  wiped: null, // with notice "revoked": {unsent, typed}, the work the wipe took
};
const listeners = new Set();
const dataListeners = new Set();
const channel = "BroadcastChannel" in self ? new BroadcastChannel("genba") : null;

export function getState() {
  return state;
}

export function update(patch) {
  let changed = false;
  for (const [key, value] of Object.entries(patch)) {
    if (state[key] !== value) {
      state[key] = value;
      changed = true;
    }
  }
  if (changed) for (const listener of listeners) listener(state);
}

export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tell screens (in this tab and the others) that stored records changed. */
export function dataChanged(what = {}) {
  for (const listener of dataListeners) listener(what);
  channel?.postMessage({ type: "data", what });
}

export function onData(listener) {
  dataListeners.add(listener);
  return () => dataListeners.delete(listener);
}

/** Tell the other tabs that this one erased the device (a sign-out, or another person's sign-in). */
export function erased() {
  channel?.postMessage({ type: "erased" });
}

let onErasedElsewhere = () => {};

/** What to do when another tab erased the device: its screens show what is no longer there. */
export function whenErasedElsewhere(listener) {
  onErasedElsewhere = listener;
}

channel?.addEventListener("message", (event) => {
  if (event.data?.type === "data") for (const listener of dataListeners) listener(event.data.what);
  if (event.data?.type === "erased") onErasedElsewhere();
});
