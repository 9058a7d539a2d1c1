// The one editor of a request's triage fields: office, managers and admins confirm or change
// the route, assign a person, move the status along and write the answer; the assignee moves
// the status and answers. (The request's 編集 edits what was heard, never these.) Each save is
// a normal synced mutation through the outbox; the server keeps who changed what and when.

import { label, list, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { h } from "./dom.js";
import { button, field, guardForm, select, submitButton, textarea } from "./form.js";
import { STATUSES, TEAMS } from "./inbox.js";
import { saveNote } from "./widgets.js";

const BEFORE_ANSWER = new Set(["new", "triaged", "in_progress"]);
const SHOWN_MS = 6000;

function choose(name, options, value) {
  return select(options, value ?? "", { name, "data-testid": `triage-${name}` });
}

/** 「森 拓也（製造・保守）」: a person as the office picks one, with team and role. */
export function personLabel(user) {
  const team = user.team ? label("team", user.team) : "";
  const said = [...new Set([team, label("role", user.role)].filter(Boolean))]; // 「事務・事務」 said once
  return t("text.aside", { text: user.name || "", aside: list(said, { short: true }) });
}

/** Everyone who can take a request, the request's own team first, then by name. */
export function assignable(users, routeTo) {
  return [...users.values()].filter((u) => !u.deleted && u.role !== "admin")
    .sort((a, b) => Number(b.team === routeTo) - Number(a.team === routeTo)
      || (a.name || "").localeCompare(b.name || "", "ja"));
}

/**
 * The triage form of `request`; `canRoute` (office roles) adds the route and the assignee.
 * `note` is a status line the page keeps across redraws (a confirmation outlives the redraw
 * its save causes), shown as a toast so it is seen wherever the tap was.
 */
export function triagePanel(request, users, { canRoute, note }) {
  const route = canRoute
    ? choose("route_to", TEAMS.map((r) => [r, label("request.route", r)]), request.route_to || "triage") : null;
  const assignee = canRoute ? choose("assignee_id", [["", t("triage.nobody")],
    ...assignable(users, request.route_to).map((u) => [u.id, personLabel(u)])], request.assignee_id) : null;
  const status = choose("status", STATUSES.map((s) => [s, label("request.status", s)]), request.status || "new");
  const response = textarea({ value: request.response || "", maxlength: 10000, "data-testid": "triage-response" });
  const tell = (text) => {
    note.textContent = text;
    clearTimeout(note.timer);
    note.timer = setTimeout(() => { note.textContent = ""; }, SHOWN_MS);
  };
  const write = async (changes, done) => {
    const wanted = Object.fromEntries(Object.entries(changes).filter(([k, v]) => v !== (request[k] ?? null)));
    if (!Object.keys(wanted).length) {
      tell(t("triage.unchanged"));
      return;
    }
    await outbox.save([{ entity: "requests", id: request.id, changes: wanted }]);
    // Said as the sync goes (sending, sent, or when the network is back), for a few seconds.
    const stop = saveNote(note, done, "requests", request.id);
    clearTimeout(note.timer);
    note.timer = setTimeout(() => { stop(); note.textContent = ""; }, SHOWN_MS);
  };
  const confirm = canRoute && (request.status || "new") === "new"
    ? button(t("triage.confirm"), { "data-testid": "confirm-route",
      onClick: () => write({ route_to: route.value, status: "triaged" },
        t("triage.confirmed", { route: label("request.route", route.value) })) })
    : null;
  const form = h("form", { class: "form triage", "data-testid": "triage-form" },
    route ? field({ name: "route_to", label: t("request.route"), control: route }) : null, confirm,
    assignee ? field({ name: "assignee_id", label: t("request.assignee"), control: assignee }) : null,
    field({ name: "status", label: t("request.status"), control: status }),
    field({ name: "response", label: t("request.response"), control: response, hint: t("triage.responseHint") }),
    submitButton(t("triage.save"), { "data-testid": "triage-save" }));
  guardForm(form, () => {
    const answer = response.value.trim() || null;
    let next = status.value;
    // Writing the answer answers the request, unless the status was moved on purpose.
    if (answer && answer !== (request.response ?? null) && next === (request.status || "new") && BEFORE_ANSWER.has(next)) {
      next = "answered";
    }
    const changes = { status: next, response: answer };
    if (canRoute) Object.assign(changes, { route_to: route.value, assignee_id: assignee.value || null });
    return write(changes, t("triage.saved"));
  });
  return h("section", { "aria-labelledby": "triage-h" }, h("h2", { id: "triage-h" }, t("triage.title")), form, note);
}
