// Hybrid logical clock values "<ms 13 digits>:<counter 6 digits>:<node>", compared as strings.
//
// send: a local event gets max(wall clock, last) with the counter bumped when the clock did not
// move; receive: a remote value (the server's `hlc` in every push and pull answer) moves the
// clock past it, so the device's next edit orders after everything it has seen.

export const ZERO = "0000000000000:000000:0";

export function parse(value) {
  const match = /^(\d{13}):(\d{6}):([A-Za-z0-9._-]{1,64})$/.exec(value || "");
  if (!match) return [0, 0, ""];
  return [Number(match[1]), Number(match[2]), match[3]];
}

export function format(ms, counter, node) {
  return `${String(ms).padStart(13, "0")}:${String(counter).padStart(6, "0")}:${node}`;
}

/** The clock value of a local event after `last` at wall time `now`. */
export function send(last, now, node) {
  const [lastMs, lastCounter] = parse(last);
  if (now > lastMs) return format(now, 0, node);
  return format(lastMs, lastCounter + 1, node);
}

/** The clock after receiving `remote` at wall time `now`. */
export function receive(last, remote, now, node) {
  const [lastMs, lastCounter] = parse(last);
  const [remoteMs, remoteCounter] = parse(remote);
  const ms = Math.max(lastMs, remoteMs, now);
  let counter = 0;
  if (ms === lastMs && ms === remoteMs) counter = Math.max(lastCounter, remoteCounter) + 1;
  else if (ms === lastMs) counter = lastCounter + 1;
  else if (ms === remoteMs) counter = remoteCounter + 1;
  return format(ms, counter, node);
}

/** The physical time of an HLC value in epoch milliseconds. */
export function physical(value) {
  return parse(value)[0];
}
