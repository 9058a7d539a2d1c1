// Form building blocks in the DADS manner: a visible label on every field, 必須 marks, hints,
// errors right under the field in words that say how to fix it, and Enter that is safe for
// Japanese input: confirming an IME conversion never submits the form or moves focus.

import { inputValueText } from "../format.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { h, uniqueId } from "./dom.js";

/** A labelled field around `control` (which gets the id, hint and error wiring). */
export function field({ name, label, control, required = false, hint = null }) {
  const id = control.id || uniqueId(name);
  control.id = id;
  control.name = control.name || name;
  if (required) control.setAttribute("aria-required", "true");
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  control.setAttribute("aria-describedby", [hintEl && hintEl.id, error.id].filter(Boolean).join(" "));
  return h("div", { class: "field", dataset: { field: name } },
    h("label", { for: id }, label, required ? requiredMark() : null),
    hintEl, control, DATE_TYPES.has(control.type) ? dateEcho(control) : null, error);
}

const DATE_TYPES = new Set(["date", "datetime-local"]);

/** The chosen date written out under the input, since the browser draws it in its own locale. */
function dateEcho(control) {
  const echo = h("p", { class: "hint date-echo", "data-testid": "date-echo" });
  const write = () => { echo.textContent = inputValueText(control.value); };
  control.addEventListener("input", write);
  control.addEventListener("change", write);
  write();
  return echo;
}

export function requiredMark() {
  return h("span", { class: "required" }, t("form.required"));
}

// The years the server takes a date in (sync.entity.YEARS); a picker offers no others.
const YEAR_RANGE = { date: ["1900-01-01", "2199-12-31"], "datetime-local": ["1900-01-01T00:00", "2199-12-31T23:59"] };

export function input(props = {}) {
  const range = YEAR_RANGE[props.type];
  return h("input", { type: "text", autocomplete: "off", ...(range ? { min: range[0], max: range[1] } : {}), ...props });
}

/** Whether a date input's value names a year the server refuses (「0026」 for a year typed short). */
export function outOfYears(value) {
  const year = Number(String(value || "").slice(0, 4));
  return Boolean(value) && !(year >= 1900 && year <= 2199);
}

export function textarea(props = {}) {
  return h("textarea", { rows: 4, ...props });
}

/** A drop-down of `options` ([value, label] pairs) with `value` chosen. */
export function select(options, value, props = {}) {
  return h("select", props, options.map(([code, text]) => h("option", { value: code, selected: code === value }, text)));
}

/** Big radio buttons in a fieldset: `options` is a list of [value, label]. */
export function choices({ name, legend, options, value, required = false }) {
  const error = h("p", { class: "field-error", id: uniqueId(`${name}-error`), hidden: true });
  return h("fieldset", { class: "field choices", dataset: { field: name }, "aria-describedby": error.id },
    h("legend", {}, legend, required ? requiredMark() : null),
    h("div", { class: "choice-row" }, options.map(([code, text]) => h("label", { class: "choice" },
      h("input", { type: "radio", name, value: code, checked: code === value }),
      h("span", {}, text)))),
    error);
}

export function choiceValue(form, name) {
  return form.querySelector(`input[name="${name}"]:checked`)?.value ?? null;
}

/**
 * Show `{field: [message]}` next to the fields (a fold that holds one opened); focus the first
 * field in error. A field's error goes as soon as its value changes (an `input` or `change`
 * event inside its `data-field` wrapper: typing, choosing, drawing a signature), and all of them
 * when the form is reset.
 */
export function showErrors(form, errors) {
  clearErrors(form);
  clearWhenEdited(form);
  let first = null;
  for (const [name, messages] of Object.entries(errors)) {
    const wrapper = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    const error = wrapper?.querySelector(".field-error");
    if (!error) continue;
    error.textContent = [].concat(messages).join(" ");
    error.hidden = false;
    const fold = wrapper.closest("details");
    if (fold) fold.open = true; // an error folded away would go unseen
    const control = wrapper.querySelector("input, textarea, select");
    control?.setAttribute("aria-invalid", "true");
    first = first || control;
  }
  first?.focus();
  return first !== null;
}

/** A record's field as the screens name it (its key where the vocabulary has no name). */
export function fieldName(name) {
  const key = `field.${name}`;
  return t(key) === key ? name : t(key);
}

/** In a form opened from the sync page to mend a change the server refused (`?fix=seq`), the
 * server's reasons at its top, where the screen opens (a field may be far down, or not on this
 * form), and beside the fields they name, as the form's own checks show theirs. */
export async function showRefusal(form, seq) {
  const errors = seq === null ? null : await outbox.refusal(seq);
  if (!errors) return;
  showErrors(form, errors);
  form.prepend(h("div", { class: "alert error", role: "alert", "data-testid": "refusal" },
    h("p", {}, t("form.refused")),
    h("ul", {}, Object.entries(errors)
      .map(([name, messages]) => h("li", {}, `${fieldName(name)}: ${[].concat(messages).join(" ")}`)))));
}

export function clearErrors(form) {
  for (const error of form.querySelectorAll(".field-error")) {
    error.textContent = "";
    error.hidden = true;
  }
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
}

const watched = new WeakSet();

function clearWhenEdited(form) {
  if (watched.has(form)) return;
  watched.add(form);
  const edited = (event) => {
    const wrapper = event.target.closest?.("[data-field]");
    if (wrapper && form.contains(wrapper)) clearErrors(wrapper);
  };
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  form.addEventListener("reset", () => clearErrors(form));
}

/** Whether a keydown belongs to an IME composition (Safari reports 229 after compositionend). */
export function composingKey(event, composing = false) {
  return event.isComposing || event.keyCode === 229 || composing;
}

/**
 * Make Enter safe in `form` and call `onSubmit` only for a deliberate submit.
 *
 * Enter that confirms an IME conversion does nothing at all. Enter in a field whose keyboard
 * key says 「実行」 (`enterkeyhint="go"`, as the password on the login form) submits; in any
 * other single-line field it moves to the next field (a tablet keyboard's "next"), never
 * submits: only the primary button saves.
 */
const SUBMIT_KEYS = new Set(["go", "send"]); // not "search": a picker inside a form searches

export function guardForm(form, onSubmit) {
  let composing = false;
  form.addEventListener("compositionstart", () => { composing = true; });
  form.addEventListener("compositionend", () => { composing = false; });
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.keyCode !== 229) return;
    if (composingKey(event, composing)) return;
    const target = event.target;
    if (target.tagName === "TEXTAREA" || target.tagName === "BUTTON" || target.tagName === "A") return;
    if (target.tagName === "INPUT" || target.tagName === "SELECT") {
      event.preventDefault();
      if (SUBMIT_KEYS.has(target.getAttribute("enterkeyhint"))) form.requestSubmit();
      else focusNext(form, target);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (composing) return;
    form.querySelector(":scope > .not-saved")?.remove();
    const ready = [...form.elements].filter((el) => el.tagName === "BUTTON" && !el.disabled);
    // A save the device refused (its storage full, say): say so by the buttons, which work again,
    // and leave everything typed where it is for another try.
    const failed = (err) => {
      console.error("not saved", err);
      for (const el of ready) el.disabled = false;
      const note = h("p", { class: "alert error not-saved", role: "alert", "data-testid": "not-saved" },
        notSavedText(err));
      form.insertBefore(note, form.querySelector(":scope > .actions"));
      note.scrollIntoView({ block: "center" });
    };
    try {
      Promise.resolve(onSubmit(event)).catch(failed);
    } catch (err) {
      failed(err);
    }
  });
  form.noValidate = true;
}

/** Whether `err` says the device's storage is full, or failed to write (which a full disk causes). */
export function storageFull(err) {
  // UnknownError is what IndexedDB answers when its files fail to take a write, of which a full
  // disk is the usual cause.
  return ["QuotaExceededError", "UnknownError"].includes(err?.name)
    || /NO_SPACE|no space|quota|IO ?error|backing store/i.test(String(err?.message ?? ""));
}

/**
 * Why nothing was saved, in words a user can act on: the device's storage full, or what the
 * browser said. On a form (`onForm`) what was typed is still there; otherwise the tap is to be
 * made again.
 */
export function notSavedText(err, onForm = true) {
  const key = storageFull(err) ? "save.full" : "save.failed";
  return t(onForm ? key : `${key}Again`, { reason: err?.message || err?.name || String(err) });
}

/** The values of the named inputs, selects and text areas in `el` (a form or what holds one). */
export function formValues(el) {
  const values = {};
  for (const control of el.querySelectorAll("input[name], select[name], textarea[name]")) {
    if (!["radio", "checkbox", "submit", "button"].includes(control.type)) values[control.name] = control.value;
  }
  return values;
}

function named(el, name) {
  return el.querySelector(`[name="${CSS.escape(name)}"]`);
}

/**
 * A form drawn anew for newer data (`fresh`) takes over what the user changed in the one it
 * replaces (`old`, drawn with the values `initial`): nothing typed is lost to a sync. A value
 * the new form cannot take (an option it no longer has) is left as drawn.
 */
export function carryEdits(old, initial, fresh) {
  for (const [name, value] of Object.entries(formValues(old))) {
    const control = named(fresh, name);
    if (value === initial[name] || !control) continue;
    const drawn = control.value;
    control.value = value;
    if (control.value !== value) control.value = drawn;
  }
}

/** Where the focus and the cursor are in `el` (null if not there), for `refocus`. */
export function focusSpot(el) {
  const focused = document.activeElement;
  if (!el || !focused?.name || !el.contains(focused)) return null;
  const text = typeof focused.selectionStart === "number";
  return { name: focused.name, start: text ? focused.selectionStart : null, end: text ? focused.selectionEnd : null };
}

/** Put the focus and the cursor back where `focusSpot` found them, in `el` as drawn now. */
export function refocus(el, spot) {
  const control = spot && named(el, spot.name);
  if (!control) return;
  control.focus({ preventScroll: true });
  if (spot.start !== null && typeof control.setSelectionRange === "function") {
    control.setSelectionRange(spot.start, spot.end);
  }
}

function focusNext(form, from) {
  const focusable = [...form.querySelectorAll("input, select, textarea, button")].filter((el) =>
    !el.disabled && !el.closest("[hidden]") && el.type !== "hidden"
    && !(el.type === "radio" && !el.checked && el.name === from.name));
  const next = focusable[focusable.indexOf(from) + 1];
  next?.focus();
}

/** A bar of big buttons at the bottom of the screen; the first is the primary action. */
export function actionBar(...buttons) {
  return h("div", { class: "actions" }, buttons);
}

export function button(text, props = {}) {
  return h("button", { type: "button", class: "button", ...props }, text);
}

/** The button that submits a form: the screen's primary action unless `props` say otherwise. */
export function submitButton(text, props = {}) {
  return h("button", { type: "submit", class: "button primary", ...props }, text);
}

export function linkButton(text, href, props = {}) {
  return h("a", { class: "button", href, ...props }, text);
}
