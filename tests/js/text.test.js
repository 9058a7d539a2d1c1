// Japanese-aware search folding (pwa/js/text.js): width, case, kana and spaces disappear, so
// whatever a person types on a tablet finds the customer.

import assert from "node:assert/strict";
import { test } from "node:test";

import { digits, fold, matches, parseHours, parseYen, prepareQuery } from "../../pwa/js/text.js";

test("half-width katakana, katakana and hiragana fold to the same hiragana", () => {
  assert.equal(fold("ﾔﾏﾀﾞ"), "やまだ");
  assert.equal(fold("ヤマダ"), "やまだ");
  assert.equal(fold("やまだ"), "やまだ");
  assert.equal(fold("ｽﾘｰﾌﾞ"), fold("スリーブ"));
  assert.equal(fold("ホクシンフードマシナリー"), "ほくしんふーどましなりー");
});

test("voiced and small kana fold with their marks kept", () => {
  assert.equal(fold("ﾊﾟｯｷﾝ"), "ぱっきん");
  assert.equal(fold("ヴァ"), "ゔぁ");
  assert.notEqual(fold("ハ"), fold("バ"));
});

test("full-width letters and digits fold to lower-case ASCII", () => {
  assert.equal(fold("ＳＵＳ３０４"), "sus304");
  assert.equal(fold("SUS304"), "sus304");
  assert.equal(fold("Ａｌ－５０５２"), fold("al-5052"));
});

test("spaces of any width disappear, kanji stay as they are", () => {
  assert.equal(fold("山田　製作所"), "山田製作所");
  assert.equal(fold(" 株式会社 北辰 "), "株式会社北辰");
});

test("nothing folds to nothing", () => {
  for (const empty of [null, undefined, ""]) assert.equal(fold(empty), "");
});

test("digits keeps only the digits of a phone number, in any width", () => {
  assert.equal(digits("０４８-１２３-４５６７"), "0481234567");
  assert.equal(digits("(048) 123 4567"), "0481234567");
  assert.equal(digits(null), "");
});

const yamada = { folded: `${fold("山田製作所")}\u0001${fold("ヤマダセイサクショ")}`, phone: digits("048-123-4567") };

test("a customer is found by kana in any script and width, or by its name", () => {
  for (const typed of ["やまだ", "ﾔﾏﾀﾞ", "ヤマダ", "山田", "せいさくしょ"]) {
    assert.ok(matches(yamada, prepareQuery(typed)), typed);
  }
  assert.ok(!matches(yamada, prepareQuery("ほくしん")));
});

test("a phone number matches from three digits on", () => {
  assert.ok(matches(yamada, prepareQuery("１２３")));
  assert.ok(matches(yamada, prepareQuery("123-4567")));
  assert.ok(!matches(yamada, prepareQuery("12")), "two digits are too few to mean a phone number");
});

test("an empty query matches everyone", () => {
  assert.ok(matches(yamada, prepareQuery("  ")));
});

test("an amount of yen is read in any width, with commas, spaces, 円 or ¥", () => {
  assert.equal(parseYen("１，２００，０００円"), 1200000);
  assert.equal(parseYen("¥980,000"), 980000);
  assert.equal(parseYen("￥ 45 000"), 45000);
  assert.equal(parseYen("0"), 0);
});

test("a blank amount is none, and anything but a whole amount of at most 12 digits is not an amount", () => {
  assert.equal(parseYen(""), null);
  assert.equal(parseYen("  円 "), null);
  for (const bad of ["1.5", "-100", "約100万", "1234567890123"]) assert.ok(Number.isNaN(parseYen(bad)), bad);
});

test("hours are read in any width, with 時間 or h after them", () => {
  for (const [typed, hours] of [["１２", 12], ["12.5", 12.5], ["７．５時間", 7.5], ["8h", 8], [" 0 ", 0], ["", null]]) {
    assert.equal(parseHours(typed), hours, typed);
  }
  for (const typed of ["abc", "-3", "1.234", "100001", "12時"]) assert.ok(Number.isNaN(parseHours(typed)), typed);
});
