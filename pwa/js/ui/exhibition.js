// Exhibition mode (展示会モード): name the event once, then one tap per business card. Each
// card becomes, in one outbox transaction, a prospect customer, its contact, a visit of kind
// `event` and a deal at 名刺交換 with the card's photo attached; the fields are filled in later
// (the server reads the card and suggests them). Nothing waits for the network.

import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { attachmentEdit, keepPhoto, prepare, requestUploads } from "../photos.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { field, input } from "./form.js";
import { newId } from "../ids.js";

const EVENT_KEY = "genba.exhibition";
const SHOWN = 6;
const session = { count: 0, thumbs: [] }; // this visit to the screen's cards, newest first

/** The records one card makes, all in one outbox transaction. */
export function cardEdits(event, number, photoId, photo, user, now = new Date()) {
  const customerId = newId();
  const contactId = newId();
  const dealId = newId();
  const visitId = newId();
  const mine = { owner_id: user?.id, team: user?.team ?? null };
  const placeholder = t("exhibition.cardName", { event, n: number });
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
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const thumbs = h("ul", { class: "thumbs", "data-testid": "exhibition-thumbs" });
  const show = () => {
    counter.textContent = t("exhibition.count", { n: session.count });
    mount(thumbs, ...session.thumbs.map((url) => h("li", {}, h("img", { src: url, alt: "" }))));
    shoot.classList.toggle("disabled", !event.value.trim());
  };
  event.addEventListener("change", () => {
    localStorage.setItem(EVENT_KEY, event.value.trim());
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
    for (const file of [...camera.files]) {
      const photo = await prepare(file);
      const photoId = await keepPhoto(photo);
      session.count += 1;
      await outbox.save(cardEdits(name, session.count, photoId, photo, getState().user));
      session.thumbs.unshift(URL.createObjectURL(photo.blob));
      for (const url of session.thumbs.splice(SHOWN)) URL.revokeObjectURL(url);
      show();
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
