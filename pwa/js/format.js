// Dates, day counts and money for display. Instants are shown in the company's time zone,
// which also decides what "today" means (Asia/Tokyo by default, as on the server).

import { COMPANY_TZ, companyDay, toDate } from "./company-day.js";
import { lang, list, locale, t } from "./i18n.js";

export { COMPANY_TZ, companyDay };
const DAY_MS = 86400000;
const formats = new Map();

function formatter(kind) {
  const key = `${lang()}:${kind}`;
  if (!formats.has(key)) {
    const options = {
      datetime: { dateStyle: "medium", timeStyle: "short" },
      date: { dateStyle: "medium" },
      // 2026/12/7(月) in Japanese; in English the month by name, as 12/7 and 7/12 are both read
      weekday: { year: "numeric", month: lang() === "ja" ? "numeric" : "short", day: "numeric", weekday: "short" },
      time: { hour: "2-digit", minute: "2-digit" },
    }[kind];
    formats.set(key, new Intl.DateTimeFormat(locale(),
      { ...options, timeZone: COMPANY_TZ }));
  }
  return formats.get(key);
}

export function dateTime(value) {
  const date = toDate(value);
  return date ? formatter("datetime").format(date) : "";
}

export function time(value) {
  const date = toDate(value);
  return date ? formatter("time").format(date) : "";
}

/** A `YYYY-MM-DD` company date shown in the user's language. */
export function day(ymd) {
  if (!ymd) return "";
  const date = toDate(`${ymd}T12:00:00+09:00`);
  return date ? formatter("date").format(date) : ymd;
}

/** A `YYYY-MM-DD` day with its weekday, for paging through days (「2026/12/7(月)」, "Mon, 7 Dec 2026"). */
export function dayWithWeekday(ymd) {
  if (!ymd) return "";
  const date = toDate(`${ymd}T12:00:00+09:00`);
  return date ? formatter("weekday").format(date) : ymd;
}

/** The `YYYY-MM-DD` date `n` calendar months after `ymd`, on the month's last day where the
 * month is shorter (1月31日 + 1 → 2月28日 or 29日), as people count 「1か月後」. */
export function addMonths(ymd, n) {
  const [y, m, d] = ymd.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(d, last));
  return date.toISOString().slice(0, 10);
}

/** Whole company days from the instant's date to today (negative: in the future). */
export function daysSince(value, now = Date.now()) {
  const then = companyDay(value);
  if (!then) return null;
  const today = companyDay(now);
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${then}T00:00:00Z`)) / DAY_MS);
}

/**
 * How long ago an instant was, as a person says it: in company days up to six weeks (「今日」
 * 「昨日」「3日前」), then months, then years (「2529日前」 of a visit in 2020 said nothing; 「7年前」
 * does). A count that decides something (days with the ball, days idle) stays in days:
 * `relativeDays`.
 */
export function ago(value, now = Date.now()) {
  const days = daysSince(value, now);
  if (days === null || days < 45) return relativeDays(days);
  if (days < 320) return t("months.ago", { n: Math.round(days / 30.44) });
  return t("years.ago", { n: Math.max(1, Math.round(days / 365.25)) });
}

export function relativeDays(days) {
  if (days === null) return "";
  if (days === 0) return t("days.today");
  if (days === 1) return t("days.yesterday");
  if (days > 1) return t("days.ago", { n: days });
  return t("days.ahead", { n: -days });
}

export function yen(amount) {
  if (amount === null || amount === undefined) return "";
  return t("money.yen", { amount: new Intl.NumberFormat("ja-JP").format(amount) });
}

// Date and time inputs hold the company's wall clock, as every time shown does: a tablet left
// on UTC (or abroad) shows and takes 14:00 as 14:00 in Tokyo, not its own 14:00.
const wallClock = new Intl.DateTimeFormat("en-CA", { timeZone: COMPANY_TZ, hourCycle: "h23",
  year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });

/** `{year, month, day, hour, minute}` (numbers) of an instant (ms) on the company's clock. */
function wallOf(ms) {
  const parts = Object.fromEntries(wallClock.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour) % 24, minute: Number(parts.minute) };
}

/** The company's offset from UTC (minutes) at an instant (ms). */
function companyOffset(ms) {
  const w = wallOf(ms);
  const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  return Math.round((wall - Math.floor(ms / 60000) * 60000) / 60000);
}

/** The value of an `<input type="datetime-local">` for an instant, on the company's clock. */
export function localInput(value = new Date()) {
  const date = toDate(value) || new Date();
  const w = wallOf(date.getTime());
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

const inputFormats = new Map();

/**
 * What a `date` or `datetime-local` input holds, written out in the user's language
 * (「2026年12月3日(木) 15:19」), whatever language the browser draws the input in.
 */
export function inputValueText(value) {
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?/.exec(value || "");
  if (!match) return "";
  const key = `${lang()}:${Boolean(match[2])}`;
  if (!inputFormats.has(key)) {
    inputFormats.set(key, new Intl.DateTimeFormat(locale(), {
      year: "numeric", month: "long", day: "numeric", weekday: "short", timeZone: "UTC",
      ...(match[2] ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } : {}) }));
  }
  // The wall-clock value read as UTC and shown in UTC: no time zone moves it. The year as typed,
  // all four digits: 「0026年」 (a year typed short) must not read as 「26年」, taken for 2026.
  return inputFormats.get(key).formatToParts(new Date(`${match[1]}T${match[2] || "12:00"}:00Z`))
    .map((part) => (part.type === "year" ? match[1].slice(0, 4) : part.value)).join("");
}

/** An RFC 3339 instant with the company's offset from a datetime-local value (its wall clock). */
export function instantFromLocal(local) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || "");
  if (!match || !toDate(local)) return null;
  const [year, month, dayOf, hour, minute] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, dayOf, hour, minute);
  const offset = companyOffset(wall - companyOffset(wall) * 60000); // the offset in force then
  const sign = offset >= 0 ? "+" : "-";
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${local.length === 16 ? `${local}:00` : local}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** Now as an RFC 3339 instant on the company's clock, to the millisecond (as `instantFromLocal`):
 * two signatures a second apart are two values, so the second is seen as new. */
export function instantNow(now = new Date()) {
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  return instantFromLocal(`${localInput(now)}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}`);
}

/** A visit's parts as one line: 「ベアリング 6204×2、グリス×1」. */
export function partsText(parts) {
  return list((parts || []).map((p) => `${p.name}×${p.quantity ?? ""}`));
}

/**
 * A device as people tell it apart: the last four characters of its id, in capitals (「末尾
 * D9F9」). The sync page names its own device so, the admin's pages every device.
 */
export function deviceMark(id) {
  return id ? t("device.mark", { mark: String(id).slice(-4).toUpperCase() }) : "";
}
