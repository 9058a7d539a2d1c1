// A business card beside what the server read from it: one tap accepts a suggested field into
// the customer or its contact; nothing is written without that tap, and the current value is
// shown next to each suggestion.

import { t } from "../i18n.js";
import { newId } from "../ids.js";
import { en } from "../messages-en.js";
import { ja } from "../messages-ja.js";
import * as outbox from "../outbox.js";
import { fold } from "../text.js";
import { attachmentsOf, imageOf } from "../photos.js";
import { customerIndex } from "../records.js";
import { lookAlikes } from "./customer-form.js";
import { h, mount } from "./dom.js";
import { button } from "./form.js";

// card field -> [entity it goes to, that entity's field]
const TARGETS = [
  ["company", "customers", "name"], ["postal_code", "customers", "postal_code"],
  ["address", "customers", "address"], ["phone", "customers", "phone"],
  ["url", "customers", "url"], ["name", "contacts", "name"], ["name_kana", "contacts", "name_kana"],
  ["department", "contacts", "department"], ["title", "contacts", "title"],
  ["mobile", "contacts", "mobile"], ["fax", "contacts", "fax"], ["email", "contacts", "email"],
];

// The contact an exhibition makes with each card, until the card's name is accepted into it.
const PLACEHOLDERS = new Set([ja["exhibition.contactName"], en["exhibition.contactName"]]);
const PERSON = ["name", "name_kana", "department", "title", "mobile", "fax", "email"];
const sameName = (a, b) => fold(a || "").replace(/\s+/g, "") === fold(b || "").replace(/\s+/g, "");

/**
 * The contact a card is about: the one with the card's name (who may have left the customer:
 * the same person, not a second record of them), else the exhibition's placeholder made with
 * it, else the customer's only current contact; none when the customer has others (the card's
 * person is then offered as a new contact, never written over someone else, nor over someone
 * who left).
 */
export function cardContact(card, contacts) {
  const live = contacts.filter((c) => !c.deleted);
  const current = live.filter((c) => !c.left);
  return (card?.name && live.find((c) => sameName(c.name, card.name)))
    || current.find((c) => PLACEHOLDERS.has(c.name)) || (current.length === 1 ? current[0] : null);
}

/** The suggestions of a read card that differ from what the records hold. */
export function suggestions(card, customer, contact) {
  if (!card) return [];
  return TARGETS.filter(([from, entity]) => card[from] && (entity === "customers" || contact))
    .map(([from, entity, to]) => {
      const record = entity === "customers" ? customer : contact;
      return { from, entity, id: record.id, to, value: card[from], current: record[to] ?? null };
    })
    .filter((s) => s.value !== s.current);
}

/** The section of a customer's page showing its business cards, filled in when read. */
export function cardReview(customer, contacts) {
  const section = h("section", { "aria-labelledby": "cards-h", "data-testid": "card-review", hidden: true });
  attachmentsOf(customer.id).then(async (all) => {
    const cards = all.filter((a) => a.purpose === "business_card");
    if (!cards.length) return;
    const index = await customerIndex();
    const items = await Promise.all(cards.map(async (card) => {
      const blob = await imageOf(card);
      return h("div", { class: "card-review" },
        blob ? h("img", { src: URL.createObjectURL(blob), alt: t("card.photo"), class: "card-photo" }) : null,
        h("div", {}, alreadyThere(card, customer, index), body(card, customer, cardContact(card.card, contacts))));
    }));
    mount(section, h("h2", { id: "cards-h" }, t("card.title")), ...items);
    section.hidden = false;
  });
  return section;
}

/** Customers on the device that may be the card's company (its name or phone), said before its
 * name is accepted into this one: the rep may have entered the company by hand already. */
function alreadyThere(card, customer, index) {
  if (card.card_status !== "done" || !card.card) return null;
  const found = lookAlikes(index, card.card.company || "", card.card.phone || "", customer.id);
  if (!found.length) return null;
  return h("div", { class: "notice", role: "status", "data-testid": "card-look-alikes" },
    h("p", {}, t("card.lookAlikes")),
    h("ul", {}, found.slice(0, 5).map((entry) => h("li", {}, h("a", { href: `#/customers/${entry.id}` }, entry.name)))));
}

function body(card, customer, contact) {
  if (card.card_status !== "done") {
    return h("p", { "data-testid": "card-status" },
      t(card.card_status === "failed" ? "card.failed" : "card.pending"));
  }
  const rows = suggestions(card.card, customer, contact);
  const newPerson = !contact && card.card?.name ? addPerson(card.card, customer) : null;
  if (!rows.length && !newPerson) return h("p", { "data-testid": "card-status" }, t("card.allTaken"));
  return h("div", {}, newPerson, rows.length ? suggestionList(rows) : null);
}

/** 「この名刺の方を担当者に追加」: the card's person as a new contact of the customer. */
function addPerson(read, customer) {
  const add = button(t("card.addPerson", { name: read.name }), { class: "button", "data-testid": "card-add-person" });
  add.addEventListener("click", async () => {
    add.disabled = true;
    const changes = { customer_id: customer.id };
    for (const name of PERSON) if (read[name]) changes[name] = read[name];
    await outbox.save([{ entity: "contacts", id: newId(), changes }]);
  });
  return add;
}

function suggestionList(rows) {
  return h("ul", { class: "list compact", "data-testid": "card-suggestions" }, rows.map((s) => {
    const accept = button(t("card.accept"), { "data-testid": `accept-${s.from}` });
    accept.addEventListener("click", async () => {
      accept.disabled = true;
      await outbox.save([{ entity: s.entity, id: s.id, changes: { [s.to]: s.value } }]);
    });
    return h("li", { class: "row static" },
      h("span", { class: "row-title" }, `${t(`card.field.${s.from}`)}: ${s.value}`),
      h("span", { class: "row-meta" }, s.current ? t("card.now", { value: s.current }) : t("card.empty")),
      accept);
  }));
}
