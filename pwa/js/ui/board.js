// The manager's board (office, managers, admins): the pipeline by stage with count and amount,
// then every deal with its stage, ball, days with the ball, why it needs following up, last
// activity and owner; find 「あの案件」 by deal title or customer name (width and kana folded),
// filter by rep, sort by days with the ball (#/board?q=&owner=&sort=). The deals come first and
// the pipeline after them, so the deals are what the first screen shows. Read from IndexedDB,
// so it works offline; the CSV (UTF-8 with BOM, the same rows) is downloaded from the server.

import * as api from "../api.js";
import { loadCalendar } from "../calendar.js";
import { BOARD_ROLES, STAGES, dealRows, limitsOf, reasonText } from "../deals.js";
import { getMeta } from "../db.js";
import { companyDay, dateTime, yen } from "../format.js";
import { label, list, t } from "../i18n.js";
import { getState } from "../store.js";
import { fold } from "../text.js";
import { h, mount } from "./dom.js";
import { button, field, input, select } from "./form.js";
import { drawThenRedrawOnData, notUnderFingers } from "./redraw.js";
import { dealBadge, download, empty, followUpMark, forbidden, ownerFilter } from "./widgets.js";

const SORTS = ["ball_desc", "ball_asc", "activity_desc", "amount_desc"];

export async function render(view, { query, navigate }) {
  if (!BOARD_ROLES.has(getState().user?.role)) {
    mount(view, ...forbidden(t("board.title"), t("board.forbidden"), "board-forbidden"));
    return null;
  }
  const filters = { owner: query.get("owner") || "", sort: SORTS.includes(query.get("sort")) ? query.get("sort") : "ball_desc",
    all: query.get("all") === "1", q: query.get("q") || "" };
  const go = (patch) => {
    const next = { ...filters, ...patch };
    const params = new URLSearchParams();
    if (next.owner) params.set("owner", next.owner);
    if (next.sort !== "ball_desc") params.set("sort", next.sort);
    if (next.all) params.set("all", "1");
    if (next.q) params.set("q", next.q);
    navigate(`#/board?${params}`);
  };
  const draw = async () => {
    const rows = await dealRows(limitsOf(await loadCalendar()));
    mount(view, ...page(rows, filters, go));
  };
  return drawThenRedrawOnData(draw, { redraw: notUnderFingers(view, ".board-filters", draw) });
}

/** Whether a deal's title or its customer's name (or reading) holds the folded words. */
export function matches(row, words) {
  const text = fold([row.deal.title, row.customer?.name, row.customer?.name_kana].filter(Boolean).join(" "));
  return words.every((word) => text.includes(word));
}

export function sortRows(rows, sort) {
  const by = {
    ball_desc: (a, b) => b.ballDays - a.ballDays,
    ball_asc: (a, b) => a.ballDays - b.ballDays,
    activity_desc: (a, b) => b.idleDays - a.idleDays,
    amount_desc: (a, b) => (b.deal.amount || 0) - (a.deal.amount || 0),
  }[sort];
  return [...rows].sort((a, b) => by(a, b) || (a.deal.id < b.deal.id ? -1 : 1));
}

function page(rows, filters, go) {
  const mine = rows.filter((r) => !filters.owner || r.deal.owner_id === filters.owner);
  const open = sortRows(mine.filter((r) => filters.all || !["won", "lost"].includes(r.deal.stage)), filters.sort);
  const status = h("p", { class: "export-status", role: "status", "data-testid": "export-status" });
  const sort = select(SORTS.map((s) => [s, t(`board.sort.${s}`)]), filters.sort,
    { "data-testid": "board-sort", onChange: (e) => go({ sort: e.target.value }) });
  const all = h("label", { class: "check" },
    h("input", { type: "checkbox", checked: filters.all, "data-testid": "board-all", onChange: (e) => go({ all: e.target.checked }) }),
    h("span", {}, t("board.includeClosed")));
  const search = input({ type: "search", enterkeyhint: "search", value: filters.q, "data-testid": "board-q" });
  const heading = h("h2", { id: "board-deals-h" });
  const results = h("div", { "data-testid": "board-results" });
  const show = () => {
    filters.q = search.value;
    const words = search.value.split(/\s+/).map(fold).filter(Boolean);
    const shown = words.length ? open.filter((r) => matches(r, words)) : open;
    heading.textContent = `${t("board.deals")} (${shown.length})`;
    mount(results, shown.length ? table(shown) : empty(t(words.length ? "board.noMatch" : "deals.none"), "board-empty"));
    // The query stays in the address without a redraw, so typing keeps its place.
    const params = new URLSearchParams(location.hash.split("?")[1] || "");
    if (search.value) params.set("q", search.value);
    else params.delete("q");
    history.replaceState(history.state, "", `#/board${params.size ? `?${params}` : ""}`);
  };
  search.addEventListener("input", show);
  show();
  return [
    h("h1", { tabindex: "-1" }, t("board.title")),
    h("div", { class: "board-filters" },
      h("form", { class: "filters", role: "search", onSubmit: (e) => e.preventDefault() },
        field({ name: "board_q", label: t("board.search"), control: search })),
      ownerFilter(rows, filters.owner, (owner) => go({ owner })),
      h("form", { class: "filters", onSubmit: (e) => e.preventDefault() },
        field({ name: "sort", label: t("board.sortLabel"), control: sort })),
      all),
    heading,
    results,
    pipeline(mine),
    h("div", { class: "inbox-tools" },
      button(t("inbox.export"), { "data-testid": "board-csv", onClick: () => exportBoard(filters, status, "csv") }),
      button(t("inbox.exportXlsx"), { "data-testid": "board-xlsx", onClick: () => exportBoard(filters, status, "xlsx") }),
      h("a", { href: "#/competitors", class: "button", "data-testid": "to-competitors" }, t("competitors.title")),
      status),
  ];
}

/** Count and amount per stage, along the path. */
function pipeline(rows) {
  return h("table", { class: "pipeline", "data-testid": "pipeline" },
    h("caption", {}, t("board.pipeline")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("deal.stageLabel")),
      h("th", { scope: "col" }, t("board.count")), h("th", { scope: "col" }, t("deal.amount")))),
    h("tbody", {}, STAGES.map((stage) => {
      const at = rows.filter((r) => (r.deal.stage || "card_exchange") === stage);
      const amount = at.reduce((sum, r) => sum + (r.deal.amount || 0), 0);
      return h("tr", { dataset: { stage } },
        h("th", { scope: "row" }, label("deal.stage", stage)),
        h("td", { class: "num", "data-testid": `count-${stage}` }, String(at.length)),
        h("td", { class: "num", "data-testid": `amount-${stage}` }, yen(amount)));
    })));
}

function table(rows) {
  return h("div", { class: "table-wrap" }, h("table", { class: "board", "data-testid": "board" },
    h("thead", {}, h("tr", {}, ["board.deal", "deal.stageLabel", "deal.ballLabel", "board.days", "deal.lastActivity",
      "deal.owner", "deal.amount"].map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, rows.map((row) => h("tr", { class: row.reasons.length ? "needs-follow-up" : null, dataset: { id: row.deal.id } },
      h("th", { scope: "row" },
        h("a", { href: `#/deals/${row.deal.id}` }, row.deal.title),
        h("span", { class: "cell-sub" }, row.customer?.name || ""),
        row.reasons.length ? [followUpMark(row.reasons),
          h("span", { class: "cell-sub reasons", "data-testid": "board-reasons" }, list(row.reasons.map(reasonText)))] : null),
      h("td", { class: "nowrap", "data-label": t("deal.stageLabel"), "data-testid": "board-stage" },
        label("deal.stage", row.deal.stage || "card_exchange")),
      h("td", { "data-label": t("deal.ballLabel") }, dealBadge(row.deal)),
      h("td", { class: "num", "data-testid": "ball-days", "data-label": t("board.days") }, t("days.count", { n: row.ballDays })),
      h("td", { "data-label": t("deal.lastActivity") }, row.activity ? dateTime(row.activity) : ""),
      h("td", { class: "nowrap", "data-label": t("deal.owner"), "data-testid": "board-owner" }, row.owner?.name || ""),
      h("td", { class: "num", "data-label": t("deal.amount") }, row.deal.amount != null ? yen(row.deal.amount) : ""))))));
}

/** Download the server's CSV or workbook with the board's rep filter (online only). */
function exportBoard(filters, status, format) {
  const query = filters.all ? { status: "all" } : {};
  if (filters.owner) query.owner_id = filters.owner;
  return download(status, `deals-${companyDay(Date.now())}.${format}`,
    async () => api.exportDeals(await getMeta("token"), query, format),
    t(format === "xlsx" ? "inbox.exportedXlsx" : "inbox.exported"));
}
