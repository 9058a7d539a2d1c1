// Japanese-aware folding for search: width (NFKC), case and katakana/hiragana differences
// disappear, so ﾔﾏﾀﾞ, ヤマダ and やまだ all find 山田製作所 by its name_kana.

const KATAKANA = /[\u30a1-\u30f6]/g;
// Case folding as the server's (Python's `casefold`), which goes past lower case: ß is ss, a
// final ς is σ, Greek with iota subscript spells the iota. Lower-cased already, these letters
// fold as their capitals lower-case; Cherokee folds to its capitals.
const FOLDS_FURTHER = /[\u00df\u01f0\u0345\u0390\u03b0\u03c2\u1c80-\u1c88\u1e96-\u1e99\u1f50-\u1f56\u1f80-\u1fb7\u1fc2-\u1fc7\u1fd2-\u1fd7\u1fe2-\u1fe7\u1ff2-\u1ff7]/g;
const CHEROKEE_SMALL = /[\u13f8-\u13fd\uab70-\uabbf]/g;
// What the server's `str.split()` takes for space, and the byte-order mark an Excel file leaves.
const SPACE = /[\s\x1c-\x1f\x85]+/g;

/** NFKC, case-folded, katakana as hiragana, without spaces: exactly the server's `fold`. */
export function fold(text) {
  if (!text) return "";
  return String(text).normalize("NFKC").toLowerCase()
    .replace(FOLDS_FURTHER, (ch) => ch.toUpperCase().toLowerCase())
    .replace(CHEROKEE_SMALL, (ch) => ch.toUpperCase())
    .replace(KATAKANA, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x60))
    .replace(SPACE, "");
}

/** The digits 0-9 of a text in any width (a phone number as typed): exactly the server's. */
export function digits(text) {
  return String(text || "").normalize("NFKC").replace(/\D+/g, "");
}

/**
 * An amount of yen as typed, in any width, with commas, spaces, 円 or ¥, in 万 and 億 as people
 * say amounts (「450万」, 「1億2000万」, 「4.5万」, 「120万5000」): the number, null when nothing
 * was typed, NaN when it is not a whole amount below a trillion (「約100万」, 「1.5」).
 */
export function parseYen(text) {
  const plain = String(text ?? "").normalize("NFKC").replace(/[,\s円¥]/g, "");
  if (!plain) return null;
  const units = plain.match(/^(?:(\d+(?:\.\d+)?)億)?(?:(\d+(?:\.\d+)?)万)?(\d+)?$/);
  if (!units || plain.endsWith(".")) return NaN;
  const [, oku, man, rest] = units;
  if (!oku && !man) return /^\d{1,12}$/.test(plain) ? Number(plain) : NaN;
  if ((oku && man && Number(man) >= 10000) || (rest && rest.length > 4)) return NaN; // 「1億12000万」「120万12000」
  const value = Number(oku || 0) * 1e8 + Number(man || 0) * 1e4 + Number(rest || 0);
  const whole = Math.round(value);
  return Math.abs(value - whole) < 1e-6 && whole < 1e12 ? whole : NaN;
}

/**
 * A count or a size as typed, in any width, with commas or spaces and a unit after it (mm, 個,
 * 日…): the number, null when nothing was typed, NaN when it is not a number of at least 0 (a
 * whole one unless `decimal`).
 */
export function parseNumber(text, { decimal = false } = {}) {
  const plain = String(text ?? "").normalize("NFKC").replace(/[,\s]/g, "").replace(UNIT, "");
  if (!plain) return null;
  const pattern = decimal ? /^\d{1,9}(\.\d+)?$/ : /^\d{1,9}$/;
  return pattern.test(plain) ? Number(plain) : NaN;
}

/**
 * Minutes of work as typed, in any width: 「90」「90分」「1時間30分」「1.5時間」「1:30」「2h」. The
 * whole number of minutes, null when nothing was typed, NaN when it is not a time of work.
 */
export function parseMinutes(text) {
  const plain = String(text ?? "").normalize("NFKC").replace(/[,\s]/g, "").toLowerCase();
  if (!plain) return null;
  let minutes = NaN;
  const clock = plain.match(/^(\d{1,3}):([0-5]\d)$/);
  const spoken = plain.match(/^(?:(\d{1,3}(?:\.\d+)?)(?:時間|h))?(?:(\d{1,5})(?:分|m|min)?)?$/);
  if (clock) minutes = Number(clock[1]) * 60 + Number(clock[2]);
  else if (spoken && (spoken[1] || spoken[2])) minutes = Number(spoken[1] || 0) * 60 + Number(spoken[2] || 0);
  const whole = Math.round(minutes);
  return Math.abs(minutes - whole) < 1e-6 ? whole : NaN;
}

const UNIT = /(mm|個|日|営業日|本|枚|台|式|点|セット|pcs)$/i;

/**
 * Hours as typed, in any width, with 時間 or h after them: the number, null when nothing was
 * typed, NaN when it is not a number of hours from 0 to 100000.
 */
export function parseHours(text) {
  const plain = String(text ?? "").normalize("NFKC").replace(/[,\s]|時間$|h$/gi, "");
  if (!plain) return null;
  const value = /^\d{1,6}(\.\d{1,2})?$/.test(plain) ? Number(plain) : NaN;
  return value <= 100000 ? value : NaN;
}

/** Whether a prepared entry ({folded, phone}) matches a query folded once per keystroke. */
export function matches(entry, query) {
  if (!query.folded) return true;
  if (entry.folded.includes(query.folded)) return true;
  return query.digits.length >= 3 && entry.phone.includes(query.digits);
}

/**
 * The entries a query finds, in their order: those whose name, reading or phone match, then
 * those whose address (`place`, folded) alone does: 「川口」 lists 川口鉄工 before the customers
 * in 川口市. An entry without `place` (an index cached by an older app) is found by name only.
 */
export function findEntries(entries, query) {
  if (!query.folded) return entries;
  const named = [];
  const placed = [];
  for (const entry of entries) {
    if (matches(entry, query)) named.push(entry);
    else if (entry.place?.includes(query.folded)) placed.push(entry);
  }
  return placed.length ? named.concat(placed) : named;
}

export function prepareQuery(text) {
  return { folded: fold(text), digits: digits(text) };
}
