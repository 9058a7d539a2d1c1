// Japanese first, English second; the choice is kept on the device (it is not business data,
// so a remote wipe leaves it).

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
}

/**
 * The text for `key`, with `{name}` placeholders filled from `vars`. A text that depends on a
 * count is an entry of plural forms, `{one: "{n} day", other: "{n} days"}`, named as
 * Intl.PluralRules names them for the language (Japanese has only `other`); `vars.n` chooses.
 */
export function t(key, vars = {}) {
  const entry = DICTIONARIES[current][key] ?? ja[key] ?? key;
  const text = typeof entry === "string" ? entry : entry[pluralRules().select(Number(vars.n))] ?? entry.other;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
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

export function locale() {
  return current === "ja" ? "ja-JP" : "en-GB";
}
