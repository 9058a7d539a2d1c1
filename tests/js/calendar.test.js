// Business days on the device (pwa/js/calendar.js): weekdays that are not public holidays,
// counted in Asia/Tokyo, and each team's response target by urgency, as the server counts.

import assert from "node:assert/strict";
import { test } from "node:test";

import { businessAge, isOverdue, prepareCalendar, targetDays } from "../../pwa/js/calendar.js";

// 2026-11-20 is a Friday; Monday 2026-11-23 is 勤労感謝の日.
const calendar = prepareCalendar({
  holidays: [{ date: "2026-11-23", name: "勤労感謝の日" }], weekend: [6, 0],
  response_targets: { high: 1, normal: 3, low: 10 },
  team_targets: { manufacturing: { high: 2, normal: 5, low: 10 } },
});
const at = (text) => Date.parse(text);

test("a request heard today is zero business days old", () => {
  assert.equal(businessAge("2026-11-24T09:00:00+09:00", calendar, at("2026-11-24T18:00:00+09:00")), 0);
});

test("the weekend and a public holiday are not counted", () => {
  // Friday to Tuesday: Saturday, Sunday and the holiday Monday go, Tuesday counts.
  assert.equal(businessAge("2026-11-20T10:00:00+09:00", calendar, at("2026-11-24T10:00:00+09:00")), 1);
  assert.equal(businessAge("2026-11-20T10:00:00+09:00", calendar, at("2026-11-25T10:00:00+09:00")), 2);
  assert.equal(businessAge("2026-11-20T10:00:00+09:00", prepareCalendar({ holidays: [] }), at("2026-11-24T10:00:00+09:00")), 2);
});

test("days are Tokyo days: 23:30 JST is already the next day in UTC terms of the company", () => {
  // 2026-11-24T14:30Z is 23:30 on Tuesday in Tokyo; 15:30Z is 00:30 on Wednesday.
  const now = at("2026-11-26T12:00:00+09:00"); // Thursday
  assert.equal(businessAge("2026-11-24T14:30:00Z", calendar, now), 2);
  assert.equal(businessAge("2026-11-24T15:30:00Z", calendar, now), 1);
});

test("a request with no time has no age", () => {
  assert.equal(businessAge(null, calendar, at("2026-11-26T12:00:00+09:00")), null);
});

test("a team's own target wins over the company's, and the urgency defaults to normal", () => {
  assert.equal(targetDays({ route_to: "manufacturing", urgency: "high" }, calendar), 2);
  assert.equal(targetDays({ route_to: "sales", urgency: "high" }, calendar), 1);
  assert.equal(targetDays({ route_to: "manufacturing" }, calendar), 5);
  assert.equal(targetDays({}, calendar), 3, "unrouted requests are triage's, with the company's targets");
  assert.equal(targetDays({ urgency: "low" }, prepareCalendar({})), 10, "the defaults when no calendar was fetched");
});

test("a request is overdue past its target unless it was answered or closed", () => {
  const request = { route_to: "sales", urgency: "normal", status: "triaged" };
  assert.equal(isOverdue(request, 3, calendar), false);
  assert.equal(isOverdue(request, 4, calendar), true);
  assert.equal(isOverdue({ ...request, status: "answered" }, 40, calendar), false);
  assert.equal(isOverdue({ ...request, status: "closed" }, 40, calendar), false);
  assert.equal(isOverdue(request, null, calendar), false);
});
