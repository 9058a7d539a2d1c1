// The pull worker: runs one pull (pull.js, and when due the check of check.js) off the page's
// thread, so that decoding pages and writing them to IndexedDB never holds up a screen, and
// reports back to sync.js.

import { ApiError, NetworkError, speak } from "./api.js";
import { pullAndCheck } from "./check.js";
import { fillDays } from "./records.js";

let go = () => {};

self.onmessage = async ({ data }) => {
  if (data.type === "go") {
    go();
    return;
  }
  if (data.type === "fill") { // no pull (sync.js fillLeft): only what a pull left
    await fillLeft();
    return;
  }
  const progress = (what) => {
    self.postMessage({ type: "progress", what });
    // When the customers are all in, wait (at most a second) for the page to queue its reads.
    if (what.lists) return new Promise((resolve) => { go = resolve; setTimeout(resolve, 1000); });
    return undefined;
  };
  speak(data.language);
  const measure = (name, start, detail) =>
    self.postMessage({ type: "measure", name, duration: performance.now() - start, detail });
  try {
    const kept = (n) => self.postMessage({ type: "kept", n });
    const { pulled, checked } = await pullAndCheck(data.token, data.limit, { progress, kept, measure }, data.check);
    self.postMessage({ type: "done", pulled, checked });
  } catch (err) {
    self.postMessage({ type: "failed", error: describe(err) });
    return;
  }
  // The sync is done; what a first pull left to do after it is done here, before the page lets
  // this worker go (a page closed meanwhile leaves it to the next pull's worker).
  await fillLeft();
};

/** Fill the days a first pull or an update left (fillDays), then tell the page to let go. */
async function fillLeft() {
  try {
    // 今日's next actions, read by days, show once the days are there.
    if (await fillDays()) self.postMessage({ type: "progress", what: { days: true } });
  } catch {
    // Left as it is (DAYS_PENDING still set): the next pull's worker goes on with it.
  }
  self.postMessage({ type: "idle" });
}

function describe(err) {
  if (err instanceof ApiError) {
    return { kind: "api", status: err.status,
      body: { message: err.message, reason: err.reason, errors: err.errors } };
  }
  // Anything else failed here, on the device: IndexedDB refusing a page (a DOMException such as
  // QuotaExceededError), or the page after one that was not written.
  return { kind: err instanceof NetworkError ? "network" : "storage", name: err?.name,
    message: String(err?.message || err) };
}
