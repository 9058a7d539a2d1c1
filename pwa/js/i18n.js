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

/** The text for `key`, with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = DICTIONARIES[current][key] ?? ja[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
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
