// The audit trail (admin, online): sign-ins, failed sign-ins, exports, changes to people and
// revoked devices, newest first, 50 at a time, filtered by what happened. People are shown by
// name (the users list); a failed sign-in shows the login that was typed.

import * as api from "../api.js";
import { getMeta } from "../db.js";
import { dateTime, deviceMark } from "../format.js";
import { label, t } from "../i18n.js";
import { adminScreen, adminTabs, auditActions, messageLine, problemText } from "./admin-parts.js";
import { h, mount } from "./dom.js";
import { button, field, select } from "./form.js";
import { emptyItem } from "./widgets.js";

const PAGE = 50;

export function render(view, { query, navigate }) {
  return adminScreen(view, t("admin.audit.title"), () => draw(view, query.get("action") || "", navigate));
}

async function draw(view, action, navigate) {
  const token = await getMeta("token");
  const { el: message, say } = messageLine("admin-message");
  const list = h("ol", { class: "list audit", "data-testid": "audit-events" });
  const more = button(t("admin.audit.more"), { "data-testid": "audit-more", hidden: true });
  let actions = [];
  try {
    actions = await auditActions();
  } catch (err) {
    mount(view, h("h1", { tabindex: "-1" }, t("admin.audit.title")), adminTabs("audit"),
      h("p", { class: "alert error", role: "alert", "data-testid": "admin-message" }, problemText(err)));
    return;
  }
  const filter = select([["", t("admin.audit.everything")], ...actions.map((a) => [a, label("audit.action", a)])], action,
    { "data-testid": "audit-action", onChange: (e) => navigate(e.target.value ? `#/admin/audit?action=${e.target.value}` : "#/admin/audit") });
  mount(view, h("h1", { tabindex: "-1" }, t("admin.audit.title")), adminTabs("audit"),
    h("p", { class: "lead" }, t("admin.audit.lead")),
    h("form", { class: "filters audit-filters", onSubmit: (e) => e.preventDefault() },
      field({ name: "action", label: t("admin.audit.filter"), control: filter })),
    message, list, more);

  let names = new Map();
  let last = null;
  const page = async () => {
    more.disabled = true;
    try {
      const { events } = await api.auditEvents(token, { action, before: last, limit: PAGE });
      if (last === null && !events.length) mount(list, emptyItem(t("admin.audit.none"), "audit-none"));
      list.append(...events.map((event) => eventRow(event, names)));
      last = events.length ? events[events.length - 1].id : last;
      more.hidden = events.length < PAGE;
      say("");
    } catch (err) {
      say(problemText(err), "error");
    }
    more.disabled = false;
  };
  more.addEventListener("click", page);
  try {
    names = new Map((await api.adminUsers(token)).users.map((u) => [u.id, u.name]));
  } catch (err) {
    say(problemText(err), "error");
    return;
  }
  await page();
}

function eventRow(event, names) {
  const person = (id) => (id ? names.get(id) || id.slice(0, 8) : null);
  const d = event.detail || {};
  const who = event.action === "sign_in_failed"
    ? t("admin.audit.typed", { login: d.login ?? "" })
    : person(event.user_id) || (d.via === "cli" ? t("admin.audit.cli") : t("admin.audit.nobody"));
  return h("li", { class: ["row static audit-event", event.action], dataset: { action: event.action } },
    h("span", { class: "row-title" }, event.action === "sign_in_failed" ? "⚠ " : null, label("audit.action", event.action)),
    h("span", { class: "row-sub" }, dateTime(event.at)),
    h("span", { class: "row-meta" },
      h("span", { "data-testid": "audit-who" }, t("admin.audit.who", { who })),
      d.target ? h("span", {}, t("admin.audit.target", { name: person(d.target) })) : null,
      details(event.action, d)));
}

/** What else an event says, in words: what was exported, what changed, which device, from where. */
function details(action, d) {
  const parts = [];
  if (action === "export" && d.what) parts.push(t("admin.audit.exported", { what: label("audit.export", d.what), n: d.rows ?? 0 }));
  if (action === "import" && d.what === "customers") parts.push(t("admin.audit.imported", d));
  if (action === "import" && (d.customers_updated || d.contacts_updated)) parts.push(t("admin.audit.importFilled", d));
  if (action === "import" && d.customers_reassigned) parts.push(t("admin.audit.importReassigned", d));
  if (action === "import" && d.what === "quotes") parts.push(t("admin.audit.importedQuotes", d));
  if (action === "import" && d.quotes_updated) parts.push(t("admin.audit.importQuotesFilled", d));
  if (action === "user_changed" || action === "user_added") {
    if (d.role) parts.push(`${t("admin.user.role")}: ${label("role", d.role)}`);
    if ("team" in d) parts.push(`${t("admin.user.team")}: ${label("team", d.team) || t("admin.noTeam")}`);
    if (d.name) parts.push(`${t("admin.user.name")}: ${d.name}`);
    if (d.password_changed) parts.push(t("admin.audit.passwordChanged"));
    if (d.active === false) parts.push(t("admin.audit.deactivated"));
    if (d.active === true) parts.push(t("admin.audit.activated"));
  }
  if (action === "sign_out" && d.later) parts.push(t("admin.audit.signedOutOffline"));
  if (d.count !== undefined) parts.push(t("admin.audit.devicesCount", { n: d.count }));
  if (d.device_id) parts.push(`${t("admin.audit.device")}: ${deviceMark(d.device_id)}`);
  if (d.address) parts.push(`${t("admin.audit.address")}: ${d.address}`);
  return parts.map((text) => h("span", {}, text));
}
