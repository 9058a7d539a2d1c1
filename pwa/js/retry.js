// The two shapes of "try again" that sync and the photo upload queue share: a task that runs
// one at a time, and a retry timer that backs off after each failure.

/**
 * `task` wrapped so that one run goes at a time: in this tab, and in every tab of the app when
 * `lock` names a Web Lock. A call while a run goes on asks for one more run right after it
 * (however many calls came), so work that arrived meanwhile is picked up and never twice at
 * once. Each call returns the promise of the run going on.
 */
export function oneAtATime(task, { lock = null } = {}) {
  let running = null;
  let again = false;
  const locked = () => (lock && globalThis.navigator?.locks ? navigator.locks.request(lock, task) : task());
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await locked();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

/**
 * A retry timer: each `failed()` calls `retry` after a delay that doubles from `baseMs` up to
 * `maxMs`. The delay is drawn between half and all of that, so devices that lost the server
 * together do not all come back in the same second. `reset()` starts again from `baseMs`
 * (after a success, or when the network comes back); `cancel()` drops the waiting retry.
 */
export function backoff(retry, { baseMs, maxMs, random = Math.random }) {
  let failures = 0;
  let timer = null;
  return {
    failed() {
      failures += 1;
      const ceiling = Math.min(maxMs, baseMs * 2 ** (failures - 1));
      const delay = ceiling * (0.5 + random() / 2);
      clearTimeout(timer);
      timer = setTimeout(retry, delay);
      return delay;
    },
    reset() {
      failures = 0;
    },
    cancel() {
      clearTimeout(timer);
      timer = null;
    },
  };
}
