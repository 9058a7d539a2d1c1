// "Seen" marks for my requests: what each request looked like (version, status, answer) when
// its author last opened it, kept on the device only. A status or answer that changed since is
// unread. Read state starts when the person signed in on this device: what the office did
// before that is not news, so a new tablet does not greet anyone with every old request 未読.

import { getMetas, req, setMeta, transaction } from "./db.js";
import { dataChanged } from "./store.js";

const KEY = "seen_requests";
export const SINCE_KEY = "seen_since";

/** `{marks, since}`: the device's marks and the instant read state starts (ms). */
export async function seenMarks() {
  const { [KEY]: marks, [SINCE_KEY]: since } = await getMetas([KEY, SINCE_KEY]);
  if (!since) {
    // A device signed in before read state had a start: it starts now.
    const now = new Date().toISOString();
    await setMeta({ [SINCE_KEY]: now }, "relaxed");
    return { marks: marks || {}, since: Date.parse(now) };
  }
  return { marks: marks || {}, since: Date.parse(since) };
}

/** Whether the status or the answer changed since the author last opened the request. */
export function isUnread(request, { marks, since }) {
  const seen = marks[request.id];
  if (!seen && (Date.parse(request.updated_at) || 0) <= since) return false;
  const was = seen || { status: "new", response: null };
  return (request.status || "new") !== was.status || (request.response ?? null) !== (was.response ?? null);
}

export async function markSeen(request) {
  const seen = await seenMarks();
  const mark = seen.marks[request.id];
  if (mark && mark.version === request.version && !isUnread(request, seen)) return;
  const marks = { ...seen.marks,
    [request.id]: { version: request.version ?? null, status: request.status || "new", response: request.response ?? null } };
  await setMeta({ [KEY]: marks }, "relaxed");
  dataChanged({ seen: true });
}

/** How many of `userId`'s requests are unread (the menu's count). */
export async function unreadCount(userId) {
  if (!userId) return 0;
  const tx = await transaction(["requests"]);
  const [requests, seen] = await Promise.all([req(tx.objectStore("requests").getAll()), seenMarks()]);
  return requests.filter((r) => !r.deleted && r.author_id === userId && isUnread(r, seen)).length;
}
