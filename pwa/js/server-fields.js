// Fields the server writes when a change arrives, written on the device by the same rule and
// the same clock value, so a screen shows them right before the sync (and the server's copy
// agrees when it comes). Plain values in and out: the outbox and the overlay both apply them.

import { physical } from "./hlc.js";

/** `ball_since` is the HLC time of the write that last moved the ball (server/deals/entities.py). */
function dateTheBall(before, after, clock) {
  if (!before || ("ball" in after && (after.ball ?? "ours") !== (before.ball ?? "ours"))) {
    return { ball_since: new Date(physical(clock)).toISOString() };
  }
  return {};
}

// What the customer confirms by signing a visit: the facts the sign screen shows and the service
// report prints (SIGNED_CONTENT in server/visits/entities.py; a test checks they agree).
export const SIGNED_CONTENT = ["kind", "visited_at", "work_minutes", "purpose", "handling", "notes", "parts",
  "next_action", "next_action_due"];

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * `changed_after_signing_at` is the HLC time of the latest change of the signed content of a
 * visit with `signed_at` that brought no new `signed_at`; a new signature (or none) clears it
 * (server/visits/entities.py `SignatureRules`).
 */
function markChangeAfterSigning(before, after, clock) {
  if (!before) return {};
  const signedAt = "signed_at" in after ? after.signed_at : before.signed_at;
  if (("signed_at" in after && !same(after.signed_at, before.signed_at)) || !signedAt) {
    return before.changed_after_signing_at != null ? { changed_after_signing_at: null } : {};
  }
  if (SIGNED_CONTENT.some((name) => name in after && !same(after[name], before[name]))) {
    return { changed_after_signing_at: new Date(physical(clock)).toISOString() };
  }
  return {};
}

const RULES = { deals: dateTheBall, visits: markChangeAfterSigning };

/** The server-written fields a change of `entity` from `before` to `changes` at `clock` sets. */
export function serverFields(entity, before, changes, clock) {
  const rule = RULES[entity];
  return rule ? rule(before, changes, clock) : {};
}
