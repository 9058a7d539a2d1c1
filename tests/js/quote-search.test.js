// Past-quote search on the device (pwa/js/quote-search.js): the words a query is cut into, and
// what each result says it matched.

import assert from "node:assert/strict";
import { test } from "node:test";

import { explain, matchedFields, prepare, searchQuotes, wordsOf } from "../../pwa/js/quote-search.js";

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

const flanges = [
  prepare({ id: "f1", product: "フランジ", material: "SS400", submitted_at: "2024-07-01T10:00:00+09:00" }),
  prepare({ id: "f2", product: "フランジ", material: "SUS316L", submitted_at: "2024-09-18T10:00:00+09:00" }),
  shaft,
];
const found = (query) => searchQuotes(flanges, query).map((r) => r.quote.id);

test("a wish said as a sentence searches for its thing alone", () => {
  for (const said of ["前回と同じフランジ", "以前と同じフランジ", "この前のフランジと同じもの", "前回のフランジ"]) {
    assert.deepEqual(wordsOf(said), ["ふらんじ"], said);
    assert.deepEqual(found({ q: said }), ["f2", "f1"], said);
  }
});

test("filler is cut only where it stands apart, not out of a word's kana", () => {
  assert.deepEqual(wordsOf("ノズルの"), ["のずる"]);
  assert.deepEqual(wordsOf("ぼるとの"), ["ぼるとの"]);
  assert.deepEqual(wordsOf("ものさし"), ["ものさし"]);
  assert.deepEqual(wordsOf("ふらんじと同じもの"), ["ふらんじ"]);
  assert.deepEqual(wordsOf("フランジとボルト"), ["ふらんじ", "ぼると"]);
});

test("a query of filler alone is an empty query: nothing without a filter, the filter with one", () => {
  assert.deepEqual(wordsOf("以前と同じものを作って下さい"), []);
  assert.deepEqual(found({ q: "以前と同じもの" }), []);
  assert.deepEqual(found({ q: "以前と同じもの", material: "SUS316L" }), found({ material: "SUS316L" }));
  assert.deepEqual(found({ material: "SUS316L" }), ["f2"]);
});
