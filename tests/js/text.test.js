// Japanese-aware search folding (pwa/js/text.js): width, case, kana and spaces disappear, so
// whatever a person types on a tablet finds the customer.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  digits, findEntries, fold, matches, parseHours, parseMinutes, parseNumber, parseYen, prepareQuery,
} from "../../pwa/js/text.js";

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

test("a search lists the names that match before the addresses that do, each in the list's order", () => {
  const entry = (name, address) => ({ name, folded: `${fold(name)}\u0001`, place: fold(address), phone: "" });
  const entries = [
    entry("山田製作所", "埼玉県川口市"),
    entry("北辰フードマシナリー", "新潟県燕市"),
    entry("川口鉄工", "東京都大田区"),
    entry("三条精工", "埼玉県川口市"),
  ];
  const names = (typed) => findEntries(entries, prepareQuery(typed)).map((e) => e.name);
  assert.deepEqual(names("川口"), ["川口鉄工", "山田製作所", "三条精工"]);
  assert.deepEqual(names("ｶﾜｸﾞﾁ"), [], "an address is matched as written, not by its reading");
  assert.deepEqual(names("燕市"), ["北辰フードマシナリー"]);
  assert.deepEqual(names("山田"), ["山田製作所"]);
  assert.equal(findEntries(entries, prepareQuery(" ")), entries);
  const cachedByAnOlderApp = [{ name: "山田製作所", folded: yamada.folded, phone: yamada.phone }];
  assert.deepEqual(findEntries(cachedByAnOlderApp, prepareQuery("川口")), []);
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

test("amounts are read as people say them, in 万 and 億", () => {
  for (const [typed, yen] of [["450万", 4500000], ["４５０万円", 4500000], ["1億2000万", 120000000], ["4.5万", 45000],
    ["120万5000", 1205000], ["1,200万円", 12000000], ["0.7万", 7000], ["3億", 300000000]]) {
    assert.equal(parseYen(typed), yen, typed);
  }
  for (const bad of ["約100万", "120万12000", "1億12000万", "1.23456万", "万", "100万.", "10000億"]) {
    assert.ok(Number.isNaN(parseYen(bad)), bad);
  }
});

test("counts and sizes are read in any width with their unit", () => {
  for (const [typed, decimal, value] of [["１２個", false, 12], ["14日", false, 14], ["1,000", false, 1000],
    ["12.5mm", true, 12.5], ["１５０㎜", true, 150], ["", false, null]]) {
    assert.equal(parseNumber(typed, { decimal }), value, typed);
  }
  for (const [bad, decimal] of [["12.5", false], ["-3", false], ["約10", true], ["1.2.3", true]]) {
    assert.ok(Number.isNaN(parseNumber(bad, { decimal })), bad);
  }
});

test("minutes of work are read as people write them", () => {
  for (const [typed, minutes] of [["90", 90], ["９０分", 90], ["1時間30分", 90], ["１時間", 60], ["1.5時間", 90],
    ["1:30", 90], ["2h", 120], ["1h30", 90], ["", null]]) {
    assert.equal(parseMinutes(typed), minutes, typed);
  }
  for (const bad of ["約1時間", "1.25分", "-5", "1:75", "時間"]) assert.ok(Number.isNaN(parseMinutes(bad)), bad);
});
