// New request or complaint (from a visit or a customer): kind, title, details, urgency. The
// server routes it when it arrives; the route shows once synced. Editing changes what was
// heard (title, details, urgency); route, assignee, status and answer are the triage panel's.
// Photos of what was seen can be added before a new request is saved, and go with it.

import * as drafts from "../drafts.js";
import { instantFromLocal, localInput } from "../format.js";
import { label, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { getRecord } from "../records.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { draftPhotos } from "./photos.js";
import {
  actionBar, choices, choiceValue, clearErrors, field, guardForm, input, linkButton, outOfYears, showErrors, showRefusal,
  submitButton, textarea,
} from "./form.js";
import { newId } from "../ids.js";

const KINDS = ["request", "complaint", "question"];
const URGENCIES = ["low", "normal", "high"];
const KEPT = ["kind", "title", "details", "urgency", "heard_at", "draft_photos"]; // what a draft keeps

export async function render(view, { params, query, edit, navigate, address }) {
  const user = getState().user;
  const existing = edit ? await getRecord("requests", params[0]) : null;
  if (edit && !existing) return navigate("#/customers");
  const customerId = existing?.customer_id || query.get("customer");
  const visitId = existing ? existing.visit_id : query.get("visit");
  const [customer, visit] = await Promise.all([
    customerId ? getRecord("customers", customerId) : null, visitId ? getRecord("visits", visitId) : null]);
  if (!customer) return navigate("#/customers");
  const fix = query.get("fix") ? Number(query.get("fix")) : null;

  const title = input({ value: existing?.title || "", maxlength: 200, enterkeyhint: "next", "data-testid": "request-title" });
  const details = textarea({ value: existing?.details || "", maxlength: 10000, "data-testid": "request-details" });
  const draft = existing ? null : draftPhotos();
  const kindFixed = Boolean(existing) && fix === null;
  const heardAt = existing ? null : input({ type: "datetime-local", value: localInput(visit?.visited_at || new Date()) });
  const save = submitButton(t("form.save"), { "data-testid": "save-request" });
  const back = existing ? `#/requests/${existing.id}` : visit ? `#/visits/${visit.id}` : `#/customers/${customer.id}`;
  const form = h("form", { class: "form request-form" },
    h("p", { class: "context" }, t("request.for", { customer: customer.name }),
      visit ? ` · ${t("request.fromVisit", { kind: label("visit.kind", visit.kind) })}` : ""),
    // The kind is set when the request is made (the server keeps the first one).
    kindFixed ? h("p", { class: "context", "data-testid": "request-kind" }, t("request.kindLabel"), label("request.kind", existing.kind))
      : choices({ name: "kind", legend: t("request.kind"), required: true, value: existing?.kind || "request",
        options: KINDS.map((k) => [k, label("request.kind", k)]) }),
    field({ name: "title", label: t("request.title"), control: title, required: true, hint: t("request.titleHint") }),
    field({ name: "details", label: t("request.details"), control: details }),
    choices({ name: "urgency", legend: t("request.urgency"), value: existing?.urgency || "normal",
      options: URGENCIES.map((u) => [u, label("request.urgency", u)]) }),
    heardAt ? field({ name: "heard_at", label: t("request.heardAt"), control: heardAt }) : null,
    draft?.el,
    actionBar(save, linkButton(t("form.cancel"), back, { onClick: () => { kept.discard(); draft?.abandon(); } })));
  const kept = drafts.keep(form, { address, names: KEPT, edit: Boolean(existing) });
  mount(view, h("h1", { tabindex: "-1" }, t(existing ? "request.editTitle" : "request.newTitle")), kept.notice, form);
  await showRefusal(form, fix);

  guardForm(form, async () => {
    clearErrors(form);
    const values = {
      kind: kindFixed ? existing.kind : choiceValue(form, "kind"),
      title: title.value.trim(),
      details: details.value.trim() || null,
      urgency: choiceValue(form, "urgency") || "normal",
    };
    const errors = {};
    if (!values.kind) errors.kind = [t("request.kindMissing")];
    if (!values.title) errors.title = [t("request.titleMissing")];
    if (heardAt && outOfYears(heardAt.value)) errors.heard_at = [t("form.yearOutOfRange")];
    if (showErrors(form, errors)) return;
    if (!existing) {
      values.customer_id = customer.id;
      if (visit) values.visit_id = visit.id;
      values.heard_at = instantFromLocal(heardAt.value) || new Date().toISOString();
    }
    const id = existing?.id || newId();
    const changes = existing
      ? Object.fromEntries(Object.entries(values).filter(([name, value]) => value !== (existing[name] ?? null)))
      : Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null));
    save.disabled = true;
    const mended = fix !== null && await outbox.resend(fix, changes);
    if (!mended && Object.keys(changes).length) {
      await outbox.save([{ entity: "requests", id, changes,
        local: existing ? {} : { author_id: user?.id, status: "new", route_to: null } },
      ...(draft?.edits({ entity: "requests", id, customer_id: customer.id }) || [])]);
      draft?.saved();
    }
    kept.discard();
    navigate(`#/requests/${id}`, { replace: true });
  });
  return () => { kept.dispose(); draft?.dispose(); };
}
