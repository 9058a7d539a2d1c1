// A customer's contacts as the screens sort them (pwa/js/contacts.js): those who left are kept
// apart, not offered for new visits, and still named on the visits they were at.

import assert from "node:assert/strict";
import { test } from "node:test";

import { byStanding, offered, peopleMet, visitsNaming } from "../../pwa/js/contacts.js";

const yamada = { id: "y", name: "山田 太郎" };
const takahashi = { id: "t", name: "高橋 一郎", left: true };
const sato = { id: "s", name: "佐藤 花子", deleted: true };
const compacted = { id: "c", deleted: true }; // a tombstone the server compacted: no name
const suzuki = { id: "z", name: "鈴木 次郎", left: false };

test("current contacts and those who left are apart, and a deleted one is neither", () => {
  const { current, former } = byStanding([yamada, takahashi, sato, suzuki]);
  assert.deepEqual(current.map((c) => c.id), ["y", "z"]);
  assert.deepEqual(former.map((c) => c.id), ["t"]);
});

test("a visit names the people it met, those who left and deleted ones still held by name", () => {
  const visit = { contact_ids: ["t", "y", "s", "c", "unknown"] };
  assert.deepEqual(peopleMet(visit, [yamada, takahashi, sato, compacted]).map((c) => c.id), ["t", "y", "s"]);
  assert.deepEqual(peopleMet({}, [yamada]), []);
});

test("the visits naming a contact are counted, deleted visits not", () => {
  const visits = [{ contact_ids: ["t", "y"] }, { contact_ids: ["t"] }, { contact_ids: ["t"], deleted: true }, {}];
  assert.equal(visitsNaming(visits, "t"), 2);
  assert.equal(visitsNaming(visits, "s"), 0);
});

test("a visit form offers who left or was deleted only when the visit named them already", () => {
  const contacts = [yamada, takahashi, sato, compacted, suzuki];
  assert.deepEqual(offered(contacts, new Set()).map((c) => c.id), ["y", "z"]);
  // Shown, ticked, to be kept or unticked; a tombstone with no name cannot be shown.
  assert.deepEqual(offered(contacts, new Set(["t", "s", "c"])).map((c) => c.id), ["y", "t", "s", "z"]);
});
