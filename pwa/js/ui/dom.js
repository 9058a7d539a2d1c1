// Building DOM without markup strings: text goes in only as text nodes (textContent), never
// through innerHTML, so a note like `<img src=x onerror=alert(1)>` stays a note.

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "required",
  "multiple", "readOnly", "indeterminate"]);

// How each <details> was drawn, to tell a fold the user turned from one drawn so.
const drawnOpen = new WeakMap();

/** `h("button", {class: "primary", onClick: save}, "保存")` */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "innerHTML" || name === "outerHTML" || name === "style" || /^on[a-z]/.test(name)) {
      throw new Error(`h(): ${name} is not allowed; use textContent, classes and onEvent handlers`);
    }
    if (/^on[A-Z]/.test(name) && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "class") {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (PROPERTIES.has(name)) {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  if (tag === "details") drawnOpen.set(el, el.open);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : text(el, String(child)));
  }
  return el;
}

// A Japanese character; a run of Japanese begins and ends with one and holds no Latin letter.
const KANA_KANJI = String.raw`[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u3000-\u303f\u30fb\u30fc\uff01-\uff60]`;
const JAPANESE = new RegExp(KANA_KANJI, "u");
const JAPANESE_RUNS = new RegExp(`${KANA_KANJI}(?:[^A-Za-z]*${KANA_KANJI})?`, "gu");
const TEXT_ONLY = new Set(["OPTION", "TEXTAREA", "TITLE", "STYLE", "SCRIPT"]);

/**
 * `value` as text for `el`. On a screen in another language, the Japanese in it (a customer's
 * name, a note) is marked as Japanese (WCAG 3.1.2, language of parts): a screen reader reads it
 * with a Japanese voice, and the browser breaks it between phrases (auto-phrase) as on a
 * Japanese screen, not between any two characters (「株式会社小牧パックマシ／ン」).
 */
function text(el, value) {
  if (document.documentElement.lang === "ja" || TEXT_ONLY.has(el.tagName) || !JAPANESE.test(value)) {
    return document.createTextNode(value);
  }
  const runs = document.createDocumentFragment();
  let at = 0;
  for (const run of value.matchAll(JAPANESE_RUNS)) {
    if (run.index > at) runs.append(value.slice(at, run.index));
    const span = document.createElement("span");
    span.lang = "ja";
    span.textContent = run[0];
    runs.append(span);
    at = run.index + run[0].length;
  }
  if (at < value.length) runs.append(value.slice(at));
  return runs;
}

// A company's legal form, before or after its name (「株式会社北辰」, 「三条精工株式会社」, 「㈱北辰」).
const LEGAL_FORM = new RegExp(String.raw`^(?:株式会社|有限会社|合同会社|合資会社|合名会社|(?:一般|公益)(?:社団|財団)法人|医療法人|` +
  String.raw`社会福祉法人|学校法人|特定非営利活動法人|NPO法人|[(\uff08][株有][)\uff09]|[㈱㈲])\s*|` +
  String.raw`\s*(?:株式会社|有限会社|合同会社|合資会社|合名会社|[(\uff08][株有][)\uff09]|[㈱㈲])$`, "u");

/**
 * A company's name with a break allowed between it and its legal form: a name too long for its
 * line breaks as 「株式会社／北辰フードマシナリー」, not 「株式会社北辰フードマシ／ナリー」 (the browser
 * takes such a name for one phrase and cuts it where the line ends).
 */
export function companyName(name) {
  const form = LEGAL_FORM.exec(name || "");
  if (!form || form[0].length === name.length) return name;
  const at = form.index === 0 ? form[0].length : form.index;
  return [name.slice(0, at), h("wbr"), name.slice(at)];
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** Replace `el`'s content; null, undefined and false children are skipped (replaceChildren
 * would show them as the text "null"). A fold the user opened or closed stays so in the new
 * content: a screen drawn again for a sync must not shut what they were reading. */
export function mount(el, ...children) {
  const folded = foldsTurned(el);
  el.replaceChildren();
  append(el, children);
  if (folded.size) turnFolds(el, folded);
  return el;
}

/** A fold's name in its screen: its test id, class or data, and its place among its namesakes. */
function foldKeys(el) {
  const seen = new Map();
  return [...el.querySelectorAll("details")].map((fold) => {
    const name = fold.dataset.testid || fold.className || JSON.stringify({ ...fold.dataset });
    const nth = (seen.get(name) || 0) + 1;
    seen.set(name, nth);
    return [`${name}#${nth}`, fold];
  });
}

function foldsTurned(el) {
  const turned = new Map();
  for (const [key, fold] of foldKeys(el)) {
    if (drawnOpen.has(fold) && drawnOpen.get(fold) !== fold.open) turned.set(key, fold.open);
  }
  return turned;
}

function turnFolds(el, turned) {
  for (const [key, fold] of foldKeys(el)) {
    if (!turned.has(key)) continue;
    fold.open = turned.get(key);
    drawnOpen.set(fold, !fold.open); // still the user's: kept through the next drawing too
  }
}

let uid = 0;
export function uniqueId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}
