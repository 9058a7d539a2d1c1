// Past-quote search on the device (pwa/js/quote-search.js): the words a query is cut into, and
// what each result says it matched.

import assert from "node:assert/strict";
import { test } from "node:test";

import { explain, matchedFields, prepare, wordsOf } from "../../pwa/js/quote-search.js";

const shaft = prepare({ product: "シャフト", material: "SUS304", processing_method: "旋盤" });
const fields = (entry, query) => matchedFields(explain(entry, wordsOf(query))[1]);

test("a result names each field it matched once, however many words matched it", () => {
  assert.deepEqual(fields(shaft, "sus 304"), [{ field: "material", synonym: false }]);
});

test("a result names its fields in the order the screens do, not the order of the words", () => {
  assert.deepEqual(fields(shaft, "sus304 しゃふと").map((m) => m.field), ["product", "material"]);
  assert.deepEqual(fields(shaft, "旋盤 sus 304 シャフト").map((m) => m.field), ["product", "material", "processing_method"]);
});

test("a field found only through a synonym says so, and not when a word was found as typed", () => {
  assert.deepEqual(fields(shaft, "ステンレス"), [{ field: "material", synonym: true }]);
  assert.deepEqual(fields(shaft, "ステンレス 304"), [{ field: "material", synonym: false }]);
});

test("the server's reasons for a filter are named once with the word that matched the field", () => {
  const why = [{ field: "material", term: "sus", word: "sus" }, { field: "material", term: "sus", filter: true },
    { field: "length_mm", filter: true }];
  assert.deepEqual(matchedFields(why), [{ field: "material", synonym: false }, { field: "length_mm", synonym: false }]);
});
