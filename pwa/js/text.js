// Japanese-aware folding for search: width (NFKC), case and katakana/hiragana differences
// disappear, so ﾔﾏﾀﾞ, ヤマダ and やまだ all find 山田製作所 by its name_kana.

const KATAKANA = /[\u30a1-\u30f6]/g;

export function fold(text) {
  if (!text) return "";
  return String(text).normalize("NFKC").toLowerCase()
    .replace(KATAKANA, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x60))
    .replace(/\s+/g, "");
}

export function digits(text) {
  return String(text || "").normalize("NFKC").replace(/\D+/g, "");
}

/**
 * An amount of yen as typed, in any width, with commas, spaces, 円 or ¥: the number, null
 * when nothing was typed, NaN when it is not a whole amount of at most 12 digits.
 */
export function parseYen(text) {
  const plain = String(text ?? "").normalize("NFKC").replace(/[,\s円¥]/g, "");
  if (!plain) return null;
  return /^\d{1,12}$/.test(plain) ? Number(plain) : NaN;
}

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

export function prepareQuery(text) {
  return { folded: fold(text), digits: digits(text) };
}
