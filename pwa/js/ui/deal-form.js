// A new deal, offline: its customer (from the customer page, picked, or made in the picker), a
// title (必須), the stage it starts at, who holds the ball, amount and expected close. The rep who
// makes it owns it; the server sets when the ball was taken. Later changes are made on the deal's page.
// What is typed is kept as a draft until it is saved or cancelled (drafts.js), the customer picked too.

import { CLOSED, DEAL_ROLES, STAGES } from "../deals.js";
import * as drafts from "../drafts.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { recordsById } from "../records.js";
import { getState } from "../store.js";
import { parseYen } from "../text.js";
import { customerPicker } from "./customer-picker.js";
import { h, mount } from "./dom.js";
import {
  actionBar, choiceValue, clearErrors, field, guardForm, input, linkButton, showErrors, submitButton,
} from "./form.js";
import { ballChoices, forbidden, stageSelect } from "./widgets.js";
import { newId } from "../ids.js";

export async function render(view, { query, navigate, address }) {
  if (!DEAL_ROLES.has(getState().user?.role)) {
    mount(view, ...forbidden(t("deal.newTitle"), t("deal.notForRole"), "deal-forbidden"));
    return;
  }
  let customerId = query.get("customer") || null;
  const customers = await recordsById("customers", [customerId]);
  const title = input({ maxlength: 200, "data-testid": "deal-new-title" });
  const stage = stageSelect(null, "deal-new-stage", STAGES.filter((s) => !CLOSED.has(s)));
  const amount = input({ inputmode: "numeric", "data-testid": "deal-new-amount" });
  const close = input({ type: "date", "data-testid": "deal-new-close" });
  let customerName = customers.get(customerId)?.name || "";
  const who = h("p", { class: "context", "data-testid": "deal-new-customer" });
  const showCustomer = () => {
    who.textContent = customerId ? t("deal.for", { customer: customerName }) : t("deal.pickCustomer");
    who.removeAttribute("role");
  };
  showCustomer();
  // A customer made in the picker is new on the device: its name comes with the pick.
  // Put back from a draft, the chosen customer is chosen again.
  const chosen = drafts.keptChoice("chosen_customer", customerId, async (id) => {
    if (id === (customerId || "")) return;
    const found = id ? customers.get(id) || (await recordsById("customers", [id])).get(id) : null;
    if (found) customers.set(id, found);
    customerId = found ? id : null;
    customerName = found?.name || "";
    showCustomer();
    picker.open = !customerId;
  });
  const picker = h("details", { class: "other-customer", open: !customerId },
    h("summary", {}, t("deal.otherCustomer")),
    customerPicker((id, name) => {
      customerId = id;
      customerName = name;
      if (!customers.has(id)) customers.set(id, { id, name }); // made in the picker just now
      chosen.set(id);
      showCustomer();
      picker.open = false;
    }));
  const save = submitButton(t("form.save"), { "data-testid": "deal-create" });
  const back = customerId ? `#/customers/${customerId}` : "#/deals";
  const form = h("form", { class: "form deal-form" },
    chosen.el, who, picker,
    field({ name: "title", label: t("deal.titleLabel"), control: title, required: true, hint: t("deal.titleHint") }),
    field({ name: "stage", label: t("deal.stageLabel"), control: stage }),
    ballChoices("ball", t("deal.ballLabel")),
    field({ name: "amount", label: t("deal.amountYen"), control: amount }),
    field({ name: "expected_close", label: t("deal.expectedClose"), control: close }),
    actionBar(save, linkButton(t("form.cancel"), back, { onClick: () => kept.discard() })));
  const kept = drafts.keep(form, { address, names: ["chosen_customer", "title", "stage", "ball", "amount", "expected_close"] });
  mount(view, h("h1", { tabindex: "-1" }, t("deal.newTitle")), kept.notice, form);

  guardForm(form, async () => {
    clearErrors(form);
    const errors = {};
    const typed = parseYen(amount.value);
    if (Number.isNaN(typed)) errors.amount = [t("deal.amountInvalid")];
    if (!title.value.trim()) errors.title = [t("deal.titleMissing")];
    if (showErrors(form, errors)) return;
    if (!customerId) {  // the picker is not a field: say it where the customer is named
      who.textContent = t("deal.customerMissing");
      who.setAttribute("role", "alert");
      picker.open = true;
      return;
    }
    const id = newId();
    const changes = {
      customer_id: customerId, title: title.value.trim(), stage: stage.value, ball: choiceValue(form, "ball") || "ours",
      owner_id: getState().user?.id,
    };
    if (typed !== null) changes.amount = typed;
    if (close.value) changes.expected_close = close.value;
    save.disabled = true;
    await outbox.save([{ entity: "deals", id, changes, local: { created_at: new Date().toISOString() } }]);
    kept.discard();
    navigate(`#/deals/${id}`, { replace: true });
  });
  return () => kept.dispose();
}
