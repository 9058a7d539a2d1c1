// New request or complaint (from a visit or a customer): kind, title, details, urgency. The
// server routes it when it arrives; the route shows once synced. Editing adds the answer
// fields, and the route for office, managers and admins.

import { instantFromLocal, localInput } from "../format.js";
import { label, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { getRecord } from "../records.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import {
  actionBar, choices, choiceValue, clearErrors, field, guardForm, input, linkButton, showErrors, submitButton, textarea,
} from "./form.js";

const KINDS = ["request", "complaint", "question"];
const URGENCIES = ["low", "normal", "high"];
const STATUSES = ["new", "triaged", "in_progress", "answered", "closed"];
const ROUTES = ["sales", "manufacturing", "service", "triage"];
const ROUTERS = new Set(["office", "manager", "admin"]);

export async function render(view, { params, query, edit, navigate }) {
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
  const extra = [];
  const controls = {};
  if (existing) {
    controls.response = textarea({ value: existing.response || "", maxlength: 10000 });
    extra.push(choices({ name: "status", legend: t("request.status"), value: existing.status || "new",
      options: STATUSES.map((s) => [s, label("request.status", s)]) }));
    if (ROUTERS.has(user?.role)) {
      extra.push(choices({ name: "route_to", legend: t("request.route"), value: existing.route_to,
        options: ROUTES.map((r) => [r, label("request.route", r)]) }));
    }
    extra.push(field({ name: "response", label: t("request.response"), control: controls.response }));
  }
  const heardAt = existing ? null : input({ type: "datetime-local", value: localInput(visit?.visited_at || new Date()) });
  const save = submitButton(t("form.save"), { "data-testid": "save-request" });
  const back = existing ? `#/requests/${existing.id}` : visit ? `#/visits/${visit.id}` : `#/customers/${customer.id}`;
  const form = h("form", { class: "form request-form" },
    h("p", { class: "context" }, t("request.for", { customer: customer.name }),
      visit ? ` · ${t("request.fromVisit", { kind: label("visit.kind", visit.kind) })}` : ""),
    choices({ name: "kind", legend: t("request.kind"), required: true, value: existing?.kind || "request",
      options: KINDS.map((k) => [k, label("request.kind", k)]) }),
    field({ name: "title", label: t("request.title"), control: title, required: true, hint: t("request.titleHint") }),
    field({ name: "details", label: t("request.details"), control: details }),
    choices({ name: "urgency", legend: t("request.urgency"), value: existing?.urgency || "normal",
      options: URGENCIES.map((u) => [u, label("request.urgency", u)]) }),
    heardAt ? field({ name: "heard_at", label: t("request.heardAt"), control: heardAt }) : null,
    extra,
    actionBar(save, linkButton(t("form.cancel"), back)));
  mount(view, h("h1", { tabindex: "-1" }, t(existing ? "request.editTitle" : "request.newTitle")), form);

  guardForm(form, async () => {
    clearErrors(form);
    const values = {
      kind: choiceValue(form, "kind"),
      title: title.value.trim(),
      details: details.value.trim() || null,
      urgency: choiceValue(form, "urgency") || "normal",
    };
    const errors = {};
    if (!values.kind) errors.kind = [t("request.kindMissing")];
    if (!values.title) errors.title = [t("request.titleMissing")];
    if (showErrors(form, errors)) return;
    if (existing) {
      values.status = choiceValue(form, "status") || existing.status;
      values.response = controls.response.value.trim() || null;
      if (ROUTERS.has(user?.role)) values.route_to = choiceValue(form, "route_to") || existing.route_to;
    } else {
      values.customer_id = customer.id;
      if (visit) values.visit_id = visit.id;
      values.heard_at = instantFromLocal(heardAt.value) || new Date().toISOString();
    }
    const id = existing?.id || crypto.randomUUID();
    const changes = existing
      ? Object.fromEntries(Object.entries(values).filter(([name, value]) => value !== (existing[name] ?? null)))
      : Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null));
    save.disabled = true;
    if (fix !== null) await outbox.resend(fix, changes);
    else if (Object.keys(changes).length) {
      await outbox.save([{ entity: "requests", id, changes,
        local: existing ? {} : { author_id: user?.id, status: "new", route_to: null } }]);
    }
    navigate(`#/requests/${id}`);
  });
}
