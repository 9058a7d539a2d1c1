// The company's day of an instant (Asia/Tokyo, as on the server): what "today" means, which day
// a visit counts on. Apart from format.js, which speaks the user's language, so the pull worker
// can file visits by day without the screens' modules.

export const COMPANY_TZ = "Asia/Tokyo";
const ymd = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: COMPANY_TZ });

/** A Date of `value` (a Date, an ISO string, milliseconds), or null: never 1970 for nothing. */
export function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The instant's date in the company's time zone, `YYYY-MM-DD` ("" for none). */
export function companyDay(value) {
  const date = toDate(value);
  return date ? ymd.format(date) : "";
}
