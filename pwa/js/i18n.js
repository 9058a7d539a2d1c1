// Japanese first, English second; the choice is kept on the device (it is not business data,
// so a remote wipe leaves it).

import { speak } from "./api.js";
import { en } from "./messages-en.js";
import { ja } from "./messages-ja.js";

const DICTIONARIES = { ja, en };
const KEY = "genba.lang";
let current = readLang();

function readLang() {
  try {
    const stored = localStorage.getItem(KEY);
    return stored in DICTIONARIES ? stored : "ja";
  } catch {
    return "ja";
  }
}

export function lang() {
  return current;
}

export function setLang(next) {
  if (!(next in DICTIONARIES)) return;
  current = next;
  try {
    localStorage.setItem(KEY, next);
  } catch { /* private mode: the choice lasts for this page only */ }
  document.documentElement.lang = next;
  speak(next); // the server's error sentences, too
}

/**
 * The text for `key`, with `{name}` placeholders filled from `vars`. A text that depends on a
 * count is an entry of plural forms, `{one: "{n} day", other: "{n} days"}`, named as
 * Intl.PluralRules names them for the language (Japanese has only `other`); `vars.n` chooses.
 */
export function t(key, vars = {}) {
  return template(key, vars).replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

function template(key, vars) {
  const entry = DICTIONARIES[current][key] ?? ja[key] ?? key;
  return typeof entry === "string" ? entry : entry[pluralRules().select(Number(vars.n))] ?? entry.other;
}

/**
 * The text for `key` as pieces for `h()`, with each `{name}` replaced by `vars[name]` as it is,
 * so an element (a link) can sit inside a sentence whose punctuation is the language's:
 * pieces("text.named", { kind, name: link }) is [kind, "「", link, "」"] in Japanese.
 */
export function pieces(key, vars = {}) {
  return template(key, vars).split(/(\{\w+\})/).filter(Boolean)
    .map((piece) => (/^\{\w+\}$/.test(piece) && piece.slice(1, -1) in vars ? vars[piece.slice(1, -1)] : piece));
}

/** `items` in one run of text, as the language separates them: 「A、B」, "A, B" (`short` words: 「A・B」). */
export function list(items, { short = false } = {}) {
  return items.join(t(short ? "text.shortList" : "text.list"));
}

const plurals = new Map();

function pluralRules() {
  if (!plurals.has(current)) plurals.set(current, new Intl.PluralRules(current));
  return plurals.get(current);
}

/** The label of an enumeration code, e.g. label("visit.kind", "aftercare"). */
export function label(group, code) {
  if (code === null || code === undefined || code === "") return "";
  const key = `${group}.${code}`;
  return key in DICTIONARIES[current] || key in ja ? t(key) : String(code);
}

/** The codes a group names (`team` → sales, manufacturing, …), from the Japanese vocabulary. */
export function codes(group) {
  const prefix = `${group}.`;
  return Object.keys(ja).filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
}

export function locale() {
  return current === "ja" ? "ja-JP" : "en-GB";
}
