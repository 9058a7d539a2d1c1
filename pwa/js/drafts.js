// Drafts: what a user typed in a form and has not saved yet, kept on the device, so Back, a tab,
// a reload or a closed app loses nothing. A draft is kept in localStorage (written at once, so
// the last keystrokes survive a reload too) under the signed-in user and the form's address,
// and holds only the fields the user changed, each with the value the form was drawn with.
// Saving or キャンセル forgets it; signing out (every wipe of the device) removes them all.

import { list, t } from "./i18n.js";
import { getState } from "./store.js";
import { h } from "./ui/dom.js";
import { button } from "./ui/form.js";

const PREFIX = "genba.draft.";
const DELAY = 300; // ms after the last keystroke

/** The localStorage keys of the drafts that start with `prefix` (every user's by default). */
function draftKeys(prefix = PREFIX) {
  const keys = [];
  for (let i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
  return keys.filter((key) => key?.startsWith(prefix));
}

/** How many forms hold a draft on this device (the signed-in person's: a wipe clears them all). */
export function count() {
  return draftKeys().length;
}

/** The signed-in person's drafts, last typed first: `{address, at}` (the form's address, and
 * when it was last typed, null if unreadable). */
export function listed() {
  const user = getState().user;
  if (!user) return [];
  const mine = `${PREFIX}${user.id}:`;
  return draftKeys(mine).map((key) => {
    let at = null;
    try {
      at = JSON.parse(localStorage.getItem(key))?.at || null;
    } catch {
      // unreadable: listed all the same, so the form can still be opened
    }
    return { address: key.slice(mine.length), at };
  }).sort((a, b) => String(b.at).localeCompare(String(a.at)));
}

/** Every value the drafts on this device hold for the field `name`: as typed, and as it was
 * typed over. */
export function heldValues(name) {
  const values = [];
  for (const key of draftKeys()) {
    const field = read(key)?.[name];
    if (field) values.push(field.from, field.to);
  }
  return values;
}

/** Remove every user's drafts (signing out, a revoked device, the next person signing in). */
export function clearAll() {
  for (const key of draftKeys()) localStorage.removeItem(key); // listed first: removing renumbers
}

function controlsOf(form, name) {
  return [...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)];
}

/** The values of the fields `names` in `form` (a radio group's: the checked one's, or ""). */
function valuesOf(form, names) {
  const values = {};
  for (const name of names) {
    const controls = controlsOf(form, name);
    if (!controls.length) continue;
    values[name] = controls[0].type === "radio"
      ? controls.find((c) => c.checked)?.value ?? "" : controls[0].value;
  }
  return values;
}

/** Put `value` in the field `name`, and tell its listeners (a date's echo, look-alikes). */
function put(form, name, value) {
  const controls = controlsOf(form, name);
  if (!controls.length) return;
  let changed = controls[0];
  if (changed.type === "radio") {
    for (const control of controls) control.checked = control.value === value;
    changed = controls.find((c) => c.checked) || changed;
  } else {
    const drawn = changed.value;
    changed.value = value;
    if (changed.value !== value) changed.value = drawn; // an option the form no longer has
  }
  changed.dispatchEvent(new Event("input", { bubbles: true }));
  changed.dispatchEvent(new Event("change", { bubbles: true }));
}

/** The field's label (its first text: not the 必須 mark) or a radio group's legend. */
function labelOf(form, name) {
  const label = controlsOf(form, name)[0].closest(".field")?.querySelector("label, legend");
  return label?.firstChild?.textContent || name;
}

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key))?.fields || null;
  } catch {
    return null;
  }
}

/**
 * Keep what the user types in the fields `names` of `form` (drawn with the saved values, or
 * blank) as the draft of `address`, and put back the draft left there before: only the fields
 * the user had changed, so an edit form shows what changed meanwhile in the others. With
 * `edit`, a field restored over a saved value that changed since the draft was taken is named
 * in the notice (the user's text is kept, and saving writes it), every time the draft comes
 * back while the saved value still differs.
 *
 * Returns `notice` (null, or 「前回入力途中の内容を戻しました」 with 破棄, for the top of the
 * form), `saved()` (what the form holds now is saved: forget the draft, go on keeping),
 * `discard()` (forget the draft and stop keeping: saved and left, or キャンセル) and
 * `dispose()` (the screen is left: write the draft now).
 */
export function keep(form, { address, names, edit = false }) {
  const user = getState().user;
  if (!user) return { notice: null, saved() {}, discard() {}, dispose() {} };
  const key = `${PREFIX}${user.id}:${address}`;
  let drawn = valuesOf(form, names);
  // What each field's draft was typed over: the value the form was drawn with, or, for a field
  // put back from a draft, the one that draft was typed over, so that rewriting the draft keeps
  // a change made meanwhile in sight for the next time it is put back.
  let bases = { ...drawn };
  const draft = read(key);
  let notice = null;
  if (draft) {
    const meanwhile = [];
    for (const [name, { from, to }] of Object.entries(draft)) {
      if (!(name in drawn)) continue;
      if (edit && drawn[name] !== from && drawn[name] !== to) meanwhile.push(labelOf(form, name));
      bases[name] = from;
      put(form, name, to);
    }
    notice = h("div", { class: "alert info draft-notice", role: "status", "data-testid": "draft-notice" },
      h("div", {}, h("p", {}, t("draft.restored")),
        meanwhile.length ? h("p", {}, t("draft.changedMeanwhile", { fields: list(meanwhile) })) : null),
      button(t("draft.discard"), { class: "button small", "data-testid": "draft-discard", onClick: () => {
        for (const name of Object.keys(draft)) if (name in drawn) put(form, name, drawn[name]);
        bases = { ...drawn };
        localStorage.removeItem(key);
        notice.closest(".screen")?.querySelector("h1")?.focus();
        notice.remove();
      } }));
  }

  let keeping = true;
  let unkept = null; // the warning shown while the draft cannot be written
  let timer = null;
  const write = () => {
    clearTimeout(timer);
    if (!keeping) return;
    const fields = {};
    for (const [name, value] of Object.entries(valuesOf(form, names))) {
      if (value !== drawn[name]) fields[name] = { from: bases[name], to: value };
    }
    try {
      if (Object.keys(fields).length) localStorage.setItem(key, JSON.stringify({ at: new Date().toISOString(), fields }));
      else localStorage.removeItem(key);
      unkept?.remove();
      unkept = null;
    } catch (err) {
      // Storage full or refused: the form still works, but a reload would lose what is typed.
      console.warn("draft not kept", err);
      if (!unkept) {
        unkept = h("p", { class: "alert warn", role: "status", "data-testid": "draft-not-kept" }, t("draft.notKept"));
        form.prepend(unkept);
      }
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(write, DELAY);
  };
  const hidden = () => { if (document.visibilityState === "hidden") write(); };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  window.addEventListener("pagehide", write); // a reload or a closed tab within the delay
  document.addEventListener("visibilitychange", hidden); // the app switched away, maybe killed
  const stop = () => {
    write();
    keeping = false;
    form.removeEventListener("input", later);
    form.removeEventListener("change", later);
    window.removeEventListener("pagehide", write);
    document.removeEventListener("visibilitychange", hidden);
  };
  return {
    notice,
    saved() {
      drawn = valuesOf(form, names);
      bases = { ...drawn };
      localStorage.removeItem(key);
      notice?.remove();
    },
    discard() {
      keeping = false;
      stop();
      localStorage.removeItem(key);
    },
    dispose: stop,
  };
}

/**
 * A choice made outside the form's fields (a customer picked in a picker), kept in a hidden
 * field `name` so a draft keeps it: `set(id)` records a choice (and tells the draft at once),
 * and a draft putting one back calls `onPutBack(id)`. `el` goes inside the form.
 */
export function keptChoice(name, value, onPutBack) {
  const el = h("input", { type: "hidden", name, value: value || "" });
  el.addEventListener("change", () => onPutBack(el.value));
  return {
    el,
    set(id) {
      if (el.value === (id || "")) return;
      el.value = id || "";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    },
  };
}
