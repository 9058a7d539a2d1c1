// Exhibition mode (展示会モード): name the event once, then one tap per business card. Each
// card becomes, in one outbox transaction, a prospect customer, its contact, a visit of kind
// `event` and a deal at 名刺交換 with the card's photo attached; the fields are filled in later
// (the server reads the card and suggests them). Nothing waits for the network. Cards are
// numbered per event, on from the last number used, and named with who took them, so no two
// share a placeholder name.

import { getAll } from "../db.js";
import { time } from "../format.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { attachmentEdit, keepPhoto, prepare, requestUploads } from "../photos.js";
import { getState, update } from "../store.js";
import { h, mount } from "./dom.js";
import { field, input, notSavedText } from "./form.js";
import { newId } from "../ids.js";

const EVENT_KEY = "genba.exhibition";
const NUMBERS_KEY = "genba.exhibition.numbers"; // the last card number used on this device, by event
const SHOWN = 6;
// The cards photographed since the app started, newest first: `{url, event}`, the last few.
const session = { thumbs: [] };

function numbersUsed() {
  try {
    return JSON.parse(localStorage.getItem(NUMBERS_KEY)) || {};
  } catch {
    return {};
  }
}

/** How many customers on the device came from `event`: its cards, from here or elsewhere. */
async function cardsAt(event) {
  return (await getAll("customers")).filter((customer) => customer.source === event).length;
}

/**
 * The last card number at `event`: the highest used on this device, or the number of the
 * event's cards on the device (photographed on another device of the user's or by a teammate,
 * or here before the numbers were kept), whichever is higher.
 */
async function lastNumber(event) {
  return event ? Math.max(numbersUsed()[event] || 0, await cardsAt(event)) : 0;
}

/** The number of the next card at `event`, taken at once: a card photographed meanwhile gets the one after. */
async function takeNumber(event) {
  const cards = await cardsAt(event);
  const number = Math.max(numbersUsed()[event] || 0, cards) + 1; // read and kept with no wait between
  try {
    localStorage.setItem(NUMBERS_KEY, JSON.stringify({ ...numbersUsed(), [event]: number }));
  } catch (err) {
    console.warn("card number not kept", err); // storage full or refused: the cards on the device still count
  }
  return number;
}

/**
 * Who took a card, as its placeholder name says: the family name (the first word of 「佐藤 健太」),
 * else the login. Two reps at one booth, both offline, number their cards on their own devices:
 * without it each would have a 「名刺 1（展示会）」, alike enough to be offered as duplicates to merge.
 * The name also gives the minute the card was taken, for one person with two devices offline:
 * each numbers on its own, and two 「名刺 3（展示会・佐藤）」 would be offered to merge.
 */
function whoTook(user) {
  return String(user?.name || user?.login || "").trim().split(/\s+/)[0];
}

/** The records one card makes, all in one outbox transaction. */
export function cardEdits(event, number, photoId, photo, user, now = new Date()) {
  const customerId = newId();
  const contactId = newId();
  const dealId = newId();
  const visitId = newId();
  const mine = { owner_id: user?.id, team: user?.team ?? null };
  const placeholder = t("exhibition.cardName", { event, n: number, who: whoTook(user), at: time(now) });
  return [
    { entity: "customers", id: customerId, local: mine,
      changes: { name: placeholder, status: "prospect", source: event } },
    { entity: "contacts", id: contactId,
      changes: { customer_id: customerId, name: t("exhibition.contactName") } },
    { entity: "deals", id: dealId, local: { owner_id: user?.id },
      changes: { customer_id: customerId, title: t("exhibition.dealTitle", { event }), stage: "card_exchange" } },
    { entity: "visits", id: visitId, local: { author_id: user?.id },
      changes: { customer_id: customerId, kind: "event", visited_at: now.toISOString(), purpose: event,
        contact_ids: [contactId], deal_id: dealId } },
    attachmentEdit(photoId, photo, { entity: "customers", id: customerId, customer_id: customerId },
      "business_card"),
  ];
}

export async function render(view) {
  const event = input({ value: localStorage.getItem(EVENT_KEY) || "", maxlength: 200,
    "data-testid": "exhibition-event" });
  const camera = h("input", { type: "file", accept: "image/*", capture: "environment",
    class: "visually-hidden", "data-testid": "exhibition-camera" });
  const shoot = h("label", { class: "button primary big", "data-testid": "exhibition-shoot" },
    t("exhibition.shoot"), camera);
  const counter = h("p", { class: "summary", "aria-live": "polite", "data-testid": "exhibition-count" });
  const error = h("p", { class: "alert error", role: "alert", hidden: true });
  const thumbs = h("ul", { class: "thumbs", "data-testid": "exhibition-thumbs" });
  let last = await lastNumber(event.value.trim());
  const show = () => {
    counter.textContent = t("exhibition.count", { n: last });
    // The event's own cards beside its count, not the last booth's under another name.
    const name = event.value.trim();
    mount(thumbs, ...session.thumbs.filter((thumb) => thumb.event === name)
      .map((thumb) => h("li", {}, h("img", { src: thumb.url, alt: "" }))));
    shoot.classList.toggle("disabled", !event.value.trim());
  };
  event.addEventListener("change", async () => {
    const name = event.value.trim();
    try {
      localStorage.setItem(EVENT_KEY, name);
    } catch (err) {
      console.warn("event name not kept", err); // storage full: the count still follows the name
    }
    const number = await lastNumber(name);
    if (event.value.trim() === name) last = number; // not an answer for a name typed over since
    show();
  });
  camera.addEventListener("change", async () => {
    const name = event.value.trim();
    error.hidden = true;
    if (!name) {
      error.textContent = t("exhibition.eventMissing");
      error.hidden = false;
      return;
    }
    try {
      for (const file of [...camera.files]) {
        const photo = await prepare(file);
        const photoId = await keepPhoto(photo);
        const number = await takeNumber(name);
        await outbox.save(cardEdits(name, number, photoId, photo, getState().user));
        if (event.value.trim() === name) last = Math.max(last, number);
        session.thumbs.unshift({ url: URL.createObjectURL(photo.blob), event: name });
        for (const thumb of session.thumbs.splice(SHOWN)) URL.revokeObjectURL(thumb.url);
        show();
      }
    } catch (err) { // the card is not kept: say so at once, while the person is still at the booth
      console.error("card not saved", err);
      const reason = notSavedText(err, false);
      error.textContent = t("exhibition.notSaved", { reason });
      error.hidden = false;
      if (getState().notSaved === reason) update({ notSaved: null }); // said here: once is enough
    }
    camera.value = "";
    requestUploads();
  });
  mount(view,
    h("h1", { tabindex: "-1" }, t("exhibition.title")),
    field({ name: "event", label: t("exhibition.event"), control: event, required: true,
      hint: t("exhibition.eventHint") }),
    error, counter, thumbs,
    h("div", { class: "actions" }, shoot));
  show();
}
