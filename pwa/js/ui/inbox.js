// The triage inbox (office, managers, admins): every open request by team, overdue first, then
// oldest first, its age in business days counted from when it was heard on site. Filters live
// in the address (#/inbox?team=&status=&customer=&age=&q=), so the CSV export takes the same
// ones; `q` finds a request by the number quoted on the phone, or by its words.

import * as api from "../api.js";
import { businessAge, isOverdue, loadCalendar, targetDays } from "../calendar.js";
import { getAll, getMeta, transaction, req } from "../db.js";
import { companyDay, dateTime } from "../format.js";
import { label, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { recordKey } from "../overlay.js";
import { getState } from "../store.js";
import { fold } from "../text.js";
import { h, mount } from "./dom.js";
import { button, field, input, select } from "./form.js";
import { drawThenRedrawOnData, notUnderFingers } from "./redraw.js";
import {
  LIST_PAGE, download, empty, filterFold, forbidden, inPages, menuCount, requestNumber, unsentBadge,
} from "./widgets.js";

export const TRIAGERS = new Set(["office", "manager", "admin"]);
export const TEAMS = ["triage", "manufacturing", "sales", "service"];
export const STATUSES = ["new", "triaged", "in_progress", "answered", "closed"];
const OPEN = new Set(["new", "triaged", "in_progress"]);
const AGES = ["1", "3", "10", "overdue"];

export async function render(view, { query, navigate }) {
  if (!TRIAGERS.has(getState().user?.role)) {
    mount(view, ...forbidden(t("inbox.title"), t("inbox.forbidden"), "inbox-forbidden"));
    return null;
  }
  const filters = {
    team: query.get("team") || "", status: query.get("status") || "open",
    customer: query.get("customer") || "", age: query.get("age") || "", q: query.get("q") || "",
  };
  // Each team's list as long as the user asked for, through every redraw (a filter starts afresh).
  const shown = Object.fromEntries(TEAMS.map((team) => [team, { n: LIST_PAGE }]));
  const draw = async () => {
    const data = await readInbox();
    mount(view, ...page(data, filters, navigate, shown));
  };
  return drawThenRedrawOnData(draw, { redraw: notUnderFingers(view, "form.filters", draw) });
}

async function readInbox() {
  const tx = await transaction(["requests", "customers", "users"]);
  const [requests, customers, users] = await Promise.all(["requests", "customers", "users"]
    .map((name) => req(tx.objectStore(name).getAll())));
  const [calendar, unsent] = await Promise.all([loadCalendar(), outbox.unsentKeys()]);
  return {
    requests: requests.filter((r) => !r.deleted),
    customers: new Map(customers.map((c) => [c.id, c])),
    users: new Map(users.map((u) => [u.id, u])),
    calendar,
    unsent,
  };
}

/** The menu's 「新規 3」 beside 受信箱: requests nobody has triaged yet. */
export function newBadge() {
  const count = async () => (await getAll("requests")).filter((r) => !r.deleted && (r.status || "new") === "new").length;
  return menuCount("nav-inbox-new", count, (n) => t("inbox.newCount", { n }));
}

/**
 * Whether a request is the one searched for: a number (「123」「No.123」「受付番号 123」) finds
 * that request; other words its title, details or customer's name or reading (「ながおか」 finds
 * 長岡精機), in any width or kana.
 */
export function matchesSearch(request, customer, q) {
  const plain = String(q || "").normalize("NFKC").trim();
  if (!plain) return true;
  const number = plain.match(/^(?:no\.?|#|受付番号)?\s*(\d+)$/i);
  if (number) return request.number === Number(number[1]);
  const words = fold(plain);
  return [request.title, request.details, customer?.name, customer?.name_kana]
    .some((text) => fold(text).includes(words));
}

/** Requests passing the filters, each with its age and whether it is overdue, sorted. */
export function inboxItems(requests, calendar, filters, now = Date.now(), customers = new Map()) {
  const items = [];
  for (const request of requests) {
    const status = request.status || "new";
    if (filters.status === "open" ? !OPEN.has(status) : filters.status !== "all" && status !== filters.status) continue;
    if (filters.team && request.route_to !== filters.team) continue;
    if (filters.customer && request.customer_id !== filters.customer) continue;
    if (!matchesSearch(request, customers.get(request.customer_id), filters.q)) continue;
    const heard = request.heard_at || request.created_at;
    const age = businessAge(heard, calendar, now) ?? 0;
    const overdue = isOverdue(request, age, calendar);
    if (filters.age === "overdue" ? !overdue : filters.age && age < Number(filters.age)) continue;
    items.push({ request, age, overdue, heard: Date.parse(heard) || 0 });
  }
  return items.sort((a, b) => (b.overdue - a.overdue) || (a.heard - b.heard));
}

function page(data, filters, navigate, shown) {
  const items = inboxItems(data.requests, data.calendar, filters, Date.now(), data.customers);
  const overdue = items.filter((i) => i.overdue).length;
  const status = h("p", { class: "export-status", role: "status", "data-testid": "export-status" });
  return [
    h("h1", { tabindex: "-1" }, t("inbox.title")),
    filterForm(data, filters, navigate, h("div", { class: "inbox-tools" },
      button(t("inbox.export"), { "data-testid": "export-csv", onClick: () => exportInbox(filters, status, "csv") }),
      button(t("inbox.exportXlsx"), { "data-testid": "export-xlsx", onClick: () => exportInbox(filters, status, "xlsx") }))),
    status,
    h("p", { class: "summary", "data-testid": "inbox-summary" },
      t("inbox.summary", { n: items.length }), overdue ? t("inbox.overdueCount", { n: overdue }) : ""),
    TEAMS.filter((team) => !filters.team || filters.team === team).map((team) => {
      const rows = items.filter((i) => (i.request.route_to || "triage") === team);
      return h("section", { class: "inbox-team", "data-team": team, "aria-labelledby": `team-${team}` },
        h("h2", { id: `team-${team}` }, t("text.aside", { text: label("request.route", team), aside: rows.length })),
        rows.length
          ? inPages(h("ol", { class: "list inbox-list" }), rows, (item) => row(item, data), shown[team], `inbox-more-${team}`)
          : empty(t("inbox.empty")));
    }),
  ];
}

function filterForm(data, filters, navigate, exports) {
  const apply = () => {
    const next = new URLSearchParams();
    for (const [name, control] of Object.entries(controls)) if (control.value) next.set(name, control.value);
    navigate(`#/inbox?${next}`);
  };
  const filter = (name, options, value) => select(options, value, { "data-testid": `filter-${name}`, onChange: apply });
  const withRequests = new Set(data.requests.map((r) => r.customer_id));
  const customers = [...data.customers.values()].filter((c) => withRequests.has(c.id))
    .sort((a, b) => (a.name_kana || a.name || "").localeCompare(b.name_kana || b.name || "", "ja"));
  const controls = {
    team: filter("team", [["", t("inbox.allTeams")], ...TEAMS.map((r) => [r, label("request.route", r)])], filters.team),
    status: filter("status", [["open", t("inbox.open")], ["all", t("inbox.allStatuses")],
      ...STATUSES.map((s) => [s, label("request.status", s)])], filters.status),
    customer: filter("customer", [["", t("inbox.allCustomers")], ...customers.map((c) => [c.id, c.name])], filters.customer),
    age: filter("age", [["", t("inbox.anyAge")], ...AGES.map((a) => [a, t(`inbox.age.${a}`)])], filters.age),
    q: input({ type: "search", value: filters.q, enterkeyhint: "search", "data-testid": "inbox-search",
      onChange: apply }),
  };
  const active = [filters.team, filters.status !== "open", filters.customer, filters.age].filter(Boolean).length;
  return h("form", { class: "filters", "aria-label": t("inbox.filters"), onSubmit: (e) => { e.preventDefault(); apply(); } },
    field({ name: "q", label: t("inbox.search"), control: controls.q }),
    filterFold(active,
      field({ name: "team", label: t("inbox.team"), control: controls.team }),
      field({ name: "status", label: t("request.status"), control: controls.status }),
      field({ name: "customer", label: t("inbox.customer"), control: controls.customer }),
      field({ name: "age", label: t("inbox.ageFilter"), control: controls.age }),
      exports));
}

function row({ request, age, overdue }, data) {
  const name = (id) => data.users.get(id)?.name || "";
  const customer = data.customers.get(request.customer_id)?.name || "";
  return h("li", { class: ["inbox-item", overdue ? "overdue" : null], dataset: { id: request.id, overdue: String(overdue) } },
    h("a", { class: "row", href: `#/requests/${request.id}` },
      h("span", { class: "row-title" },
        overdue ? h("span", { class: "badge error overdue-mark", "data-testid": "overdue" }, t("inbox.overdue")) : null,
        " ", requestNumber(request), " ", label("request.kind", request.kind), " — ", request.title),
      h("span", { class: "row-meta" },
        h("span", { class: "age", "data-testid": "age" }, t("inbox.ageDays", { n: age, target: targetDays(request, data.calendar) })),
        h("span", {}, customer),
        h("span", {}, t("inbox.heardBy", { name: name(request.author_id) }), " ", dateTime(request.heard_at || request.created_at)),
        h("span", {}, t("request.urgencyLabel"), label("request.urgency", request.urgency || "normal")),
        h("span", {}, label("request.status", request.status || "new")),
        request.assignee_id ? h("span", {}, t("inbox.assignedTo", { name: name(request.assignee_id) })) : null,
        data.unsent.has(recordKey("requests", request.id)) ? unsentBadge() : null)));
}

/** Download the server's CSV or workbook with the inbox's filters (online only). */
function exportInbox(filters, status, format) {
  const query = { status: filters.status };
  if (filters.team) query.team = filters.team;
  if (filters.customer) query.customer_id = filters.customer;
  if (filters.q) query.q = filters.q;
  if (filters.age === "overdue") query.overdue = "true";
  else if (filters.age) query.min_age = filters.age;
  return download(status, `requests-${companyDay(Date.now())}.${format}`,
    async () => api.exportRequests(await getMeta("token"), query, format),
    t(format === "xlsx" ? "inbox.exportedXlsx" : "inbox.exported"));
}
