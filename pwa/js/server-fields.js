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

const RULES = { deals: dateTheBall };

/** The server-written fields a change of `entity` from `before` to `changes` at `clock` sets. */
export function serverFields(entity, before, changes, clock) {
  const rule = RULES[entity];
  return rule ? rule(before, changes, clock) : {};
}
