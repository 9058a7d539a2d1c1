// Past quotes on the device: search them offline by the server's rules (server/quotes/text.py):
// fold width, kana and case; leave out what people say around the thing (前回と同じ…を下さい);
// every word must be in a field; a word naming a material or method group (ステンレス, アルミ,
// 鉄, 旋盤…) also finds that group's quotes at a synonym's weight; a material or method filter
// naming a grade (SUS316) finds that grade only, as the server does.
// The customer's name also finds its quotes (on the device only: it holds the names).
// Also the figures of "make it again": what to copy, and the cost overrun of the old quote.

import { fold } from "./text.js";
import { SYNONYMS } from "./quote-synonyms.js";

export const FIELD_WEIGHTS = {
  drawing_no: 4, product: 3, material: 3, processing_method: 3,
  dimensions: 2, processing_details: 1, difficulties: 1,
};
const SYNONYM_WEIGHT = 0.6;
const CUSTOMER_WEIGHT = 2;
const EXACT_BONUS = 1;
const SEPARATORS = /[^\p{L}\p{N}_×.\-/φ]+/u;
const ASCII_RUN = /[0-9a-zφ]+(?:[-./][0-9a-zφ]+)*/g;
const WIDE_RUN = /(?:(?![a-zφ])[\p{L}\p{Nl}\p{No}])+/gu;
// What people say around the thing they want (「前回と同じフランジを作って下さい」) is in no quote, so
// it is cut from a query: these words with the particles next to them, and a particle alone
// between other letters (フランジとボルト). Not where its kana run on into other hiragana (ボルトの
// keeps its ト, ものさし its もの): so before katakana fold into hiragana.
export const FILLER = ["前回", "以前", "この前", "いつも", "同じ", "おなじ", "もの", "作って", "つくって",
  "下さい", "ください", "お願いします", "おねがいします", "さん", "さま", "御中"];
// 様 after a name (山田製作所様の), where a word does not end in it (仕様, 模様, 同様…).
const HONORIFIC = /(?<![仕模同多文紋外異一])様(?=[\sのとを、。,]|$)/gu;
export const PARTICLES = ["と", "の", "を"];
// The same words written in katakana (同じモノ, コノ前), read as hiragana where they stand apart
// from other katakana (モノレール keeps its モノ).
const KATAKANA_FILLER = /(?<![ァ-ヺー])(?:コノ前|イツモ|オナジ|モノ|ツクッテ|クダサイ|オネガイシマス)(?![ァ-ヺー])/gu;
const hiragana = (said) => said.replace(/[ァ-ヶ]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
const APART = "(?:(?<![ぁ-ゖ])|(?![ぁ-ゖ]))";
const SAID = `(?:${FILLER.join("|")})`;
const PARTICLE = `(?:${PARTICLES.join("|")})`;
const FILLER_RUN = new RegExp(`(?:${PARTICLE}|${APART})${SAID}(?:${PARTICLE}?${SAID})*(?:${PARTICLE}|${APART})`
  + `|${APART}${PARTICLE}+${APART}`, "gu");

const GROUPS = SYNONYMS.map((line) => line.map(fold).filter(Boolean));

/** ASCII runs (sus304, ys-2023-0153, φ45) and Japanese runs (溶接歪み) of folded text. */
export function runsOf(folded) {
  return [...(folded.match(ASCII_RUN) || []), ...(folded.match(WIDE_RUN) || [])];
}

/** Split a query into folded words without its filler, as the server does. */
export function wordsOf(query) {
  const words = [];
  const said = String(query || "").normalize("NFKC").replace(HONORIFIC, " ").replace(KATAKANA_FILLER, hiragana);
  for (const part of said.replace(FILLER_RUN, " ").split(/\s+/)) {
    for (let piece of fold(part).split(SEPARATORS)) {
      piece = piece.replace(/^[._\-/]+|[._\-/]+$/g, "");
      if (!piece || !runsOf(piece).length) continue;
      if (piece.length === 1 && /^[\x00-\x7f]$/.test(piece)) continue;
      if (!words.includes(piece)) words.push(piece);
    }
  }
  return words.slice(0, 8);
}

export function groupOf(word) {
  const index = GROUPS.findIndex((group) => group.includes(word));
  return index < 0 ? null : GROUPS[index][0];
}

/** The group a material or method belongs to (its longest member found in it wins). */
export function familyOf(value) {
  const folded = fold(value);
  if (!folded) return null;
  let best = null;
  GROUPS.forEach((group) => {
    for (const member of group) {
      if (folded.includes(member) && (!best || member.length > best.length)) best = { name: group[0], length: member.length };
    }
  });
  return best ? best.name : folded;
}

function wordIn(word, folded) {
  const runs = runsOf(word);
  return runs.length > 0 && runs.every((run) => folded.includes(run));
}

/** A quote prepared once for searching: its folded fields (and customer's names) and families. */
export function prepare(quote, customer = null) {
  const folded = { customer: fold([customer?.name, customer?.name_kana].filter(Boolean).join(" ")) };
  for (const field of Object.keys(FIELD_WEIGHTS)) folded[field] = fold(quote[field]);
  return {
    quote, folded,
    families: { material: familyOf(quote.material), processing_method: familyOf(quote.processing_method) },
  };
}

/** Score a prepared quote against query words: [score, why]. */
export function explain(entry, words) {
  let score = 0;
  const why = [];
  for (const word of words) {
    let best = 0;
    let reason = null;
    for (const [field, weight] of Object.entries(FIELD_WEIGHTS)) {
      if (wordIn(word, entry.folded[field])) {
        const value = weight + (entry.folded[field] === word ? EXACT_BONUS : 0);
        if (value > best) { best = value; reason = { field, term: word, word }; }
      }
    }
    const family = groupOf(word);
    if (!reason && family) {
      for (const field of ["material", "processing_method"]) {
        if (entry.families[field] === family && !reason) {
          best = FIELD_WEIGHTS.material * SYNONYM_WEIGHT;
          reason = { field, term: entry.folded[field], word, synonym: true };
        }
      }
    }
    // The customer's name or reading (山田製作所, やまだ) finds that customer's quotes.
    if (!reason && entry.folded.customer && wordIn(word, entry.folded.customer)) {
      best = CUSTOMER_WEIGHT;
      reason = { field: "customer", term: word, word };
    }
    if (reason) { score += best; why.push(reason); }
  }
  return [score, why];
}

// The order the screens name fields in (品名・図番・材質・加工方法・寸法…), whichever word matched first.
const FIELD_ORDER = ["product", "drawing_no", "material", "processing_method", "dimensions",
  "processing_details", "difficulties", "length_mm", "customer"];

/**
 * The fields a result matched, each once (「sus 304」 matches 材質 twice) and in FIELD_ORDER, as
 * {field, synonym}: a synonym only when no word was found in that field as typed.
 */
export function matchedFields(why) {
  const fields = new Map();
  for (const { field, synonym } of why) fields.set(field, (fields.get(field) ?? true) && Boolean(synonym));
  const rank = (field) => (FIELD_ORDER.includes(field) ? FIELD_ORDER.indexOf(field) : FIELD_ORDER.length);
  return [...fields].sort(([a], [b]) => rank(a) - rank(b)).map(([field, synonym]) => ({ field, synonym }));
}

const DIAMETER = /(?:φ|ø|⌀|径)\s*(\d+(?:\.\d+)?)/;

/** The longest side in mm: the numeric field where given, else the largest figure in the text. */
export function longestSide(quote) {
  const given = ["length_mm", "width_mm", "thickness_mm", "diameter_mm"].map((k) => quote[k]).filter((v) => v > 0);
  if (given.length) return Math.max(...given);
  const text = String(quote.dimensions || "").normalize("NFKC").toLowerCase();
  const figures = (text.match(/\d+(?:\.\d+)?/g) || []).map(Number);
  const diameter = DIAMETER.exec(text);
  return figures.length ? Math.max(...figures, diameter ? Number(diameter[1]) : 0) : null;
}

/** Search prepared quotes: free text and filters, best first, newest first among equals. */
export function searchQuotes(entries, { q = "", material = "", method = "", lengthMin = null, lengthMax = null } = {}, limit = 50) {
  const words = wordsOf(q);
  const materialWord = fold(material);
  const methodWord = fold(method);
  // A grade (SUS316, A5052) is matched as typed; a family word (ステンレス) finds its kin.
  const kin = (word) => (/\d/.test(word) ? null : groupOf(word));
  if (!words.length && !materialWord && !methodWord && lengthMin === null && lengthMax === null) return [];
  const results = [];
  for (const entry of entries) {
    if (materialWord && !entry.folded.material.includes(materialWord)
        && (!kin(materialWord) || entry.families.material !== kin(materialWord))) continue;
    if (methodWord && !entry.folded.processing_method.includes(methodWord)
        && (!kin(methodWord) || entry.families.processing_method !== kin(methodWord))) continue;
    if (lengthMin !== null || lengthMax !== null) {
      const side = longestSide(entry.quote);
      if (side === null || (lengthMin !== null && side < lengthMin) || (lengthMax !== null && side > lengthMax)) continue;
    }
    const [score, why] = explain(entry, words);
    if (words.length && score === 0) continue;
    results.push({ quote: entry.quote, score, why, customer: entry.customer || "" });
  }
  const when = (quote) => Date.parse(quote.submitted_at || quote.created_at) || 0;
  results.sort((a, b) => (b.score - a.score) || (when(b.quote) - when(a.quote)));
  return results.slice(0, limit);
}

/** Where a folded term falls in the original text, as [start, end) pairs, for highlighting. */
export function highlightRanges(text, term) {
  const source = String(text || "");
  if (!term) return [];
  let folded = "";
  const origin = [];
  for (let i = 0; i < source.length; i += 1) {
    const piece = fold(source[i]);
    for (let k = 0; k < piece.length; k += 1) origin.push(i);
    folded += piece;
  }
  const ranges = [];
  for (const run of runsOf(term)) {
    let at = folded.indexOf(run);
    while (at >= 0) {
      ranges.push([origin[at], origin[at + run.length - 1] + 1]);
      at = folded.indexOf(run, at + run.length);
    }
  }
  return ranges.sort((a, b) => a[0] - b[0]);
}

// --- make it again ------------------------------------------------------------------------

export const COPIED = ["product", "drawing_no", "material", "dimensions", "length_mm", "width_mm",
  "thickness_mm", "diameter_mm", "processing_method", "processing_details", "quantity", "amount",
  "lead_time_days", "process_hours"];

/** How much the actual cost went over the quoted amount, or null when it did not. */
export function overrun(quote) {
  if (!quote || !(quote.actual_cost > 0) || !(quote.amount > 0) || quote.actual_cost <= quote.amount) return null;
  const yen = quote.actual_cost - quote.amount;
  return { yen, percent: Math.round((yen / quote.amount) * 1000) / 10 };
}

/** The fields of a new draft quote made from an old one. */
export function againFields(source, customerId) {
  const fields = { customer_id: customerId, status: "draft", source_quote_id: source.id };
  for (const name of COPIED) if (source[name] !== null && source[name] !== undefined) fields[name] = source[name];
  if (source.difficulties) fields.carried_notes = source.difficulties;
  return fields;
}
