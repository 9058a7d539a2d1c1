// The fields the device writes as the server will (pwa/js/server-fields.js): a signed visit whose
// work changes shows the mark at once, offline, as the server will store it.

import assert from "node:assert/strict";
import { test } from "node:test";

import { serverFields } from "../../pwa/js/server-fields.js";

const CLOCK = "1796175000000:000000:device";
const WHEN = new Date(1796175000000).toISOString();
const signed = { id: "v1", handling: "ベアリング交換", signed_by: "山田", signed_at: "2026-12-02T11:30:00+09:00",
  parts: [{ name: "ベアリング", quantity: 2 }], changed_after_signing_at: null };

test("changing the work of a signed visit marks it with the change's time", () => {
  assert.deepEqual(serverFields("visits", signed, { handling: "追加でモーター交換" }, CLOCK), { changed_after_signing_at: WHEN });
  assert.deepEqual(serverFields("visits", signed, { parts: [{ name: "モーター", quantity: 1 }] }, CLOCK),
    { changed_after_signing_at: WHEN });
});

test("the signer, what is not signed, an unchanged value and an unsigned visit leave it unmarked", () => {
  for (const changes of [{ signed_by: "山田 花子" }, { contact_ids: ["c1"] }, { handling: "ベアリング交換" },
    { parts: [{ name: "ベアリング", quantity: 2 }] }]) {
    assert.deepEqual(serverFields("visits", signed, changes, CLOCK), {}, JSON.stringify(changes));
  }
  assert.deepEqual(serverFields("visits", { ...signed, signed_at: null }, { handling: "x" }, CLOCK), {});
  assert.deepEqual(serverFields("visits", null, { handling: "x", signed_at: signed.signed_at }, CLOCK), {});
});

test("a new signature clears the mark, also when it comes with a change", () => {
  const marked = { ...signed, changed_after_signing_at: WHEN };
  const again = { signed_at: "2026-12-02T12:00:00+09:00" };
  assert.deepEqual(serverFields("visits", marked, again, CLOCK), { changed_after_signing_at: null });
  assert.deepEqual(serverFields("visits", signed, { ...again, handling: "x" }, CLOCK), {});
  assert.deepEqual(serverFields("visits", marked, { handling: "y" }, CLOCK), { changed_after_signing_at: WHEN });
});
