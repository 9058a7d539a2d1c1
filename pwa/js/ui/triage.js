// The office's actions on one request (office, managers, admins): confirm or change the route,
// assign a person, move the status along, write the answer. Each is a normal synced mutation
// through the outbox; the server keeps who changed what and when (the history below).

import { label, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { h } from "./dom.js";
import { button, field, guardForm, select, submitButton, textarea } from "./form.js";
import { STATUSES, TEAMS } from "./inbox.js";

const BEFORE_ANSWER = new Set(["new", "triaged", "in_progress"]);

function choose(name, options, value) {
  return select(options, value ?? "", { name, "data-testid": `triage-${name}` });
}

export function triagePanel(request, users) {
  const people = [...users.values()].filter((u) => !u.deleted && u.role !== "admin")
    .sort((a, b) => (a.name || "").localeCompare(b.name || "", "ja"));
  const route = choose("route_to", TEAMS.map((r) => [r, label("request.route", r)]), request.route_to || "triage");
  const assignee = choose("assignee_id", [["", t("triage.nobody")], ...people.map((u) => [u.id, u.name])], request.assignee_id);
  const status = choose("status", STATUSES.map((s) => [s, label("request.status", s)]), request.status || "new");
  const response = textarea({ value: request.response || "", maxlength: 10000, "data-testid": "triage-response" });
  const note = h("p", { class: "triage-note", role: "status", "data-testid": "triage-saved" });
  const write = async (changes) => {
    const wanted = Object.fromEntries(Object.entries(changes).filter(([k, v]) => v !== (request[k] ?? null)));
    if (!Object.keys(wanted).length) return;
    await outbox.save([{ entity: "requests", id: request.id, changes: wanted }]);
    note.textContent = t("triage.saved");
  };
  const confirm = (request.status || "new") === "new"
    ? button(t("triage.confirm"), { "data-testid": "confirm-route",
      onClick: () => write({ route_to: route.value, status: "triaged" }) })
    : null;
  const form = h("form", { class: "form triage", "data-testid": "triage-form" },
    field({ name: "route_to", label: t("request.route"), control: route }), confirm,
    field({ name: "assignee_id", label: t("request.assignee"), control: assignee }),
    field({ name: "status", label: t("request.status"), control: status }),
    field({ name: "response", label: t("request.response"), control: response, hint: t("triage.responseHint") }),
    submitButton(t("triage.save"), { "data-testid": "triage-save" }),
    note);
  guardForm(form, () => {
    const answer = response.value.trim() || null;
    let next = status.value;
    // Writing the answer answers the request, unless the status was moved on purpose.
    if (answer && answer !== (request.response ?? null) && next === (request.status || "new") && BEFORE_ANSWER.has(next)) {
      next = "answered";
    }
    return write({ route_to: route.value, assignee_id: assignee.value || null, status: next, response: answer });
  });
  return h("section", { "aria-labelledby": "triage-h" }, h("h2", { id: "triage-h" }, t("triage.title")), form);
}
