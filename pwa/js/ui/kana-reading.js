// フリガナ suggested from the IME: while a name is typed with a Japanese IME, each composition
// shows its reading in kana before it is converted (やまだ → 山田). Those readings, joined in
// the order they were committed, become the suggested フリガナ in katakana. The suggestion
// fills the kana field only while it is empty or still holds the previous suggestion: what
// the user typed there is never overwritten.

const KANA_ONLY = /^[\u3041-\u3096\u30a1-\u30fc\s\u3000]+$/;
const SPACES = /^[\s\u3000]+$/;
const HIRAGANA = /[\u3041-\u3096]/g;
// A company's legal form is not part of its フリガナ (有限会社三条精工 is read サンジョウセイコウ),
// whether it was converted on its own or together with the rest of the name.
const LEGAL_FORMS = [
  ["株式会社", /^かぶしき[かが]いしゃ|かぶしき[かが]いしゃ$/],
  ["有限会社", /^ゆうげん[かが]いしゃ|ゆうげん[かが]いしゃ$/],
  ["合同会社", /^ごうどう[かが]いしゃ|ごうどう[かが]いしゃ$/],
];

/** Hiragana as katakana (フリガナ is written in katakana); other characters unchanged. */
export function toKatakana(text) {
  return text.replace(HIRAGANA, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60));
}

/**
 * The reading of what was typed: `segments` are `{text, reading}` in order, `reading` null
 * where the IME gave none (then there is no reading: half a reading would mislead). Legal
 * forms are left out; spaces between words are kept.
 */
export function readingOf(segments, { dropLegalForms = false } = {}) {
  if (segments.some((s) => s.reading === null && !SPACES.test(s.text))) return "";
  const parts = segments.map((s) => {
    if (SPACES.test(s.text)) return " ";
    let reading = s.reading ?? "";
    for (const [form, said] of dropLegalForms ? LEGAL_FORMS : []) {
      if (s.text.includes(form)) reading = reading.replace(said, "");
    }
    return reading;
  });
  return toKatakana(parts.join("")).replace(/\s+/g, " ").trim();
}

/**
 * Follow the IME on `nameInput` and suggest its reading in `kanaInput`.
 *
 * `dropLegalForms` leaves 株式会社 and the like out of a company's reading.
 */
export function suggestKana(nameInput, kanaInput, { dropLegalForms = false } = {}) {
  let segments = [];  // what the name holds, piece by piece, as far as we know its reading
  let before = "";  // the name when the current composition started
  let lastKana = "";  // the composition's text the last time it was still all kana
  let composing = false;
  let suggested = kanaInput.value ? null : "";

  // Keep the pieces the name still starts with (the user may have deleted the end).
  const align = (value) => {
    let text = "";
    const kept = [];
    for (const segment of segments) {
      if (!value.startsWith(text + segment.text)) break;
      text += segment.text;
      kept.push(segment);
    }
    segments = kept;
    return text;
  };
  // Text typed without the IME after the known pieces: kana and spaces read as themselves.
  const addTyped = (value) => {
    const extra = value.slice(align(value).length);
    if (extra) segments.push({ text: extra, reading: KANA_ONLY.test(extra) ? extra : null });
  };
  const offer = () => {
    const reading = readingOf(segments, { dropLegalForms });
    if (kanaInput.value !== suggested && kanaInput.value !== "") return;
    kanaInput.value = reading;
    suggested = reading;
  };

  nameInput.addEventListener("compositionstart", () => {
    before = nameInput.value;
    lastKana = "";
    composing = true;
  });
  nameInput.addEventListener("compositionupdate", (event) => {
    if (event.data && KANA_ONLY.test(event.data)) lastKana = event.data;
  });
  nameInput.addEventListener("compositionend", (event) => {
    composing = false;
    const committed = event.data || "";
    const value = nameInput.value;
    // Only a composition at the end of the name can be placed; elsewhere the reading is lost.
    if (committed && value === before + committed) {
      addTyped(before);
      segments.push({ text: committed, reading: KANA_ONLY.test(committed) ? committed : lastKana || null });
    } else {
      align(value);
    }
    offer();
  });
  nameInput.addEventListener("input", (event) => {
    if (event.isComposing || composing) return;
    addTyped(nameInput.value);
    offer();
  });
}
