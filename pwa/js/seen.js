// "Seen" marks for my requests: what each request looked like (version, status, answer) when
// its author last opened it, kept on the device only. A status or answer that changed since is
// unread.

import { getMeta, setMeta } from "./db.js";

const KEY = "seen_requests";

export async function seenMarks() {
  return (await getMeta(KEY)) || {};
}

/** Whether the status or the answer changed since the author last opened the request. */
export function isUnread(request, marks) {
  const seen = marks[request.id] || { status: "new", response: null };
  return (request.status || "new") !== seen.status || (request.response ?? null) !== (seen.response ?? null);
}

export async function markSeen(request) {
  const marks = await seenMarks();
  const seen = marks[request.id];
  if (seen && seen.version === request.version && !isUnread(request, marks)) return;
  marks[request.id] = { version: request.version ?? null, status: request.status || "new", response: request.response ?? null };
  await setMeta({ [KEY]: marks }, "relaxed");
}
