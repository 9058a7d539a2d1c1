// Dates and day counts for display (pwa/js/format.js): "today" is the company's day in
// Asia/Tokyo, whatever the device's time zone.

import assert from "node:assert/strict";
import { test } from "node:test";

import { addMonths, ago, companyDay, daysSince, instantFromLocal, instantNow, inputValueText, localInput, relativeDays, yen } from "../../pwa/js/format.js";

const NOW = Date.parse("2026-11-27T10:00:00+09:00");

test("the company day of an instant is its date in Tokyo", () => {
  assert.equal(companyDay("2026-11-26T15:30:00Z"), "2026-11-27"); // 00:30 JST
  assert.equal(companyDay("2026-11-26T14:30:00Z"), "2026-11-26"); // 23:30 JST
  assert.equal(companyDay(null), "");
  assert.equal(companyDay("not a date"), "");
});

test("days since count Tokyo days, not 24-hour periods", () => {
  assert.equal(daysSince("2026-11-26T23:30:00+09:00", NOW), 1);
  assert.equal(daysSince("2026-11-27T00:10:00+09:00", NOW), 0);
  assert.equal(daysSince("2026-11-30T09:00:00+09:00", NOW), -3);
  assert.equal(daysSince(undefined, NOW), null);
});

test("a day count reads as today, yesterday, some days ago or ahead", () => {
  assert.deepEqual([0, 1, 5, -2, null].map(relativeDays), ["今日", "昨日", "5日前", "2日後", ""]);
  assert.equal(ago("2026-11-26T09:00:00+09:00", NOW), "昨日");
  assert.equal(ago(null, NOW), "");
});

test("long ago reads in months, then years, as a person says it", () => {
  const at = (days) => NOW - days * 86400000;
  assert.deepEqual([44, 45, 100, 319, 320, 400, 2529].map((days) => ago(at(days), NOW)),
    ["44日前", "1か月前", "3か月前", "10か月前", "1年前", "1年前", "7年前"]);
});

test("yen are grouped in thousands with 円, and nothing shows nothing", () => {
  assert.equal(yen(1200000), "1,200,000円");
  assert.equal(yen(0), "0円");
  assert.equal(yen(null), "");
});

test("a date input's value is echoed with its year as typed, four digits", () => {
  assert.equal(inputValueText("2026-12-07"), "2026年12月7日(月)");
  assert.equal(inputValueText("2026-12-07T09:05"), "2026年12月7日(月) 09:05");
  assert.equal(inputValueText("0026-12-07"), "0026年12月7日(月)"); // not 「26年」, read as 2026
  assert.equal(inputValueText(""), "");
});

test("date-and-time inputs hold Tokyo's wall clock whatever the device's time zone", () => {
  const before = process.env.TZ;
  try {
    for (const zone of ["UTC", "America/Los_Angeles", "Asia/Tokyo"]) {
      process.env.TZ = zone; // a tablet left on another zone
      assert.equal(localInput("2026-12-06T20:29:00Z"), "2026-12-07T05:29", zone);
      assert.equal(instantFromLocal("2026-12-07T05:29"), "2026-12-07T05:29:00+09:00", zone);
      assert.equal(localInput(instantFromLocal("2026-07-01T23:59")), "2026-07-01T23:59", zone);
      // to the millisecond: a signature given again a moment later is another value
      assert.equal(instantNow(new Date("2026-12-06T20:29:05.007Z")), "2026-12-07T05:29:05.007+09:00", zone);
    }
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
  assert.equal(instantFromLocal(""), null);
  assert.equal(instantFromLocal("not a time"), null);
});

test("months are added as people count them, to the month's last day where it is shorter", () => {
  assert.equal(addMonths("2026-11-20", 1), "2026-12-20");
  assert.equal(addMonths("2026-11-20", 3), "2027-02-20"); // across the year
  assert.equal(addMonths("2026-01-31", 1), "2026-02-28");
  assert.equal(addMonths("2028-01-31", 1), "2028-02-29"); // a leap year
  assert.equal(addMonths("2026-08-31", 6), "2027-02-28");
  assert.equal(addMonths("2026-03-31", 12), "2027-03-31");
});
