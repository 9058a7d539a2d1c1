// The customer's signature on site: first the work they confirm (when, what kind, what was
// done, parts, next steps), then the signer's name and a finger-drawn signature on a canvas,
// kept as a PNG attachment of the visit (purpose "signature") and `signed_by` and `signed_at`
// on the visit, both in one go through the outbox. Works offline; the PNG uploads like a photo.

import { dateTime, day, instantNow, partsText } from "../format.js";
import { label, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { addSignature } from "../photos.js";
import { customerBundle, getRecord } from "../records.js";
import { h, mount } from "./dom.js";
import { actionBar, button, clearErrors, field, guardForm, input, linkButton, showErrors } from "./form.js";
import { fact, heardOn, heardText } from "./widgets.js";

const WIDTH = 900;
// A phone's pad is 2:1, not 3:1: at 3:1 a 360 px screen left a strip 95 px high to sign in.
const HEIGHT = { wide: 300, narrow: 450 };

export async function render(view, { params, navigate }) {
  const visit = await getRecord("visits", params[0]);
  if (!visit) return navigate("#/customers");
  const bundle = await customerBundle(visit.customer_id);
  const name = input({ value: visit.signed_by || "", maxlength: 200, autocomplete: "name", "data-testid": "signer-name" });
  const pad = signaturePad();
  const content = signedContent(visit, bundle.requests);
  const form = h("form", { class: "form sign-form" },
    h("p", {}, t("sign.intro")),
    h("p", { class: "chosen" }, bundle.customer?.name || ""),
    visit.signed_at ? h("p", { class: "alert info", role: "note", "data-testid": "sign-replaces" },
      t("sign.replaces", { name: visit.signed_by || "", when: dateTime(visit.signed_at) })) : null,
    content.el,
    field({ name: "signed_by", label: t("sign.name"), control: name, required: true }),
    h("div", { class: "field", dataset: { field: "signature" } },
      h("p", { class: "label-like" }, t("sign.pad")), pad.el,
      h("p", { class: "field-error", hidden: true })),
    actionBar(
      h("button", { type: "submit", class: "button primary", "data-testid": "save-signature" }, t("sign.save")),
      button(t("sign.clear"), { onClick: () => pad.clear() }),
      linkButton(t("form.cancel"), `#/visits/${visit.id}`)));
  mount(view, h("h1", { tabindex: "-1" }, t("sign.title")), form);
  // Drawn once the screen is on the page and scrolled to its top; again when the screen turns.
  const clear = () => requestAnimationFrame(() => {
    content.showMore();
    scrollClearOfBars(pad.el);
  });
  clear();
  window.addEventListener("resize", clear);
  guardForm(form, async () => {
    clearErrors(form);
    const errors = {};
    if (!name.value.trim()) errors.signed_by = [t("sign.nameMissing")];
    if (pad.isEmpty()) errors.signature = [t("sign.empty")];
    if (showErrors(form, errors)) return;
    const blob = await pad.png();
    const shown = heardOn(bundle.requests, visit).map((r) => r.id);
    await outbox.save([{ entity: "visits", id: visit.id,
      changes: { signed_by: name.value.trim(), signed_at: instantNow(), signed_request_ids: shown } }]);
    await addSignature({ entity: "visits", id: visit.id, customer_id: visit.customer_id }, blob);
    navigate(`#/visits/${visit.id}/print`, { replace: true });
  });
  return () => window.removeEventListener("resize", clear);
}

/**
 * What the signature confirms, as the service report prints it; read only, user text as text.
 * On a phone the work scrolls inside its box, so that it stays in sight above the pad;
 * `showMore` says so under the box when there is more in it than it shows.
 */
function signedContent(visit, requests) {
  const minutes = visit.work_minutes != null ? t("report.minutes", { n: visit.work_minutes }) : "";
  const more = h("p", { class: "hint", hidden: true, "data-testid": "sign-content-more" }, t("sign.more"));
  const facts = h("dl", { class: "facts", tabindex: "0", "aria-labelledby": "sign-content-title" },
      fact(t("print.when"), [dateTime(visit.visited_at), minutes].filter(Boolean).join(t("text.gap"))),
      fact(t("visit.kind"), label("visit.kind", visit.kind)),
      fact(t("visit.purpose"), visit.purpose),
      fact(t("visit.handling"), visit.handling),
      fact(t("visit.notes"), visit.notes),
      fact(t("visit.parts"), partsText(visit.parts)),
      fact(t("print.requests"), heardText(requests, visit, { marked: false })), // what is being signed
      fact(t("visit.nextAction"), [visit.next_action, day(visit.next_action_due)].filter(Boolean).join(t("text.gap"))));
  return {
    el: h("section", { class: "sign-content", "aria-labelledby": "sign-content-title", "data-testid": "sign-content" },
      h("h2", { id: "sign-content-title" }, t("sign.content")), facts, more),
    showMore() { more.hidden = facts.scrollHeight <= facts.clientHeight + 1; },
  };
}

/**
 * Scroll so that all of `el` is clear of the bars at the bottom (the form's action bar, a
 * phone's tab bar) and of the header: a stroke low in the signature pad must never land on
 * 署名を保存 or 書き直す. The CSS keeps the pad short enough for the screen; this is the guarantee.
 */
export function scrollClearOfBars(el, margin = 8) {
  if (!el.isConnected) return;
  const box = el.getBoundingClientRect();
  const top = document.getElementById("header")?.getBoundingClientRect().bottom ?? 0;
  // The bars that stay put at the bottom, wherever the pad is: one compared with the pad's place
  // missed them when the work shown above had pushed the pad below the screen.
  const bars = [...document.querySelectorAll(".actions, .tabbar")]
    .filter((bar) => ["sticky", "fixed"].includes(getComputedStyle(bar).position))
    .map((bar) => bar.getBoundingClientRect()).filter((bar) => bar.height > 0).map((bar) => bar.top);
  const bottom = Math.min(innerHeight, ...bars) - margin;
  if (box.bottom > bottom) window.scrollBy(0, Math.min(box.bottom - bottom, box.top - top - margin));
}

/** A canvas to sign on with a finger, a pen or a mouse (pointer events, no library). */
export function signaturePad() {
  const height = matchMedia("(max-width: 600px)").matches ? HEIGHT.narrow : HEIGHT.wide;
  const canvas = h("canvas", { class: "signature-pad", width: WIDTH, height,
    "aria-label": t("sign.pad"), "data-testid": "signature-pad" });
  const context = canvas.getContext("2d");
  context.lineWidth = 5;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#111";
  let drawing = false;
  let strokes = 0;
  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (WIDTH / box.width), (event.clientY - box.top) * (height / box.height)];
  };
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.dispatchEvent(new Event("input", { bubbles: true })); // the form hears the pad change
    canvas.setPointerCapture?.(event.pointerId);
    context.beginPath();
    context.moveTo(...point(event));
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    context.lineTo(...point(event));
    context.stroke();
    strokes += 1;
  });
  const stop = () => { drawing = false; };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  return {
    el: canvas,
    clear() { context.clearRect(0, 0, WIDTH, height); strokes = 0; },
    isEmpty() { return strokes === 0; },
    png() { return new Promise((resolve) => canvas.toBlob(resolve, "image/png")); },
  };
}
