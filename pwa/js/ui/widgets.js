// Small pieces several screens show the same way: facts, badges, empty and missing states, a
// deal's badge and inputs, search hits marked, a quote's overrun warning, and saving a file the
// server made. One place, so they look and read alike everywhere and screens do not import
// each other for them.

import { NetworkError } from "../api.js";
import { STAGES, badgeText, reasonText } from "../deals.js";
import { yen } from "../format.js";
import { label, list, t } from "../i18n.js";
import { unsentKeys } from "../outbox.js";
import { recordKey } from "../overlay.js";
import { highlightRanges, overrun } from "../quote-search.js";
import { getState, onData, subscribe } from "../store.js";
import { append, h, mount } from "./dom.js";
import { button, choices, field, linkButton, select } from "./form.js";

/** One term and its value in a `<dl class="facts">`; nothing when there is no value. */
export function fact(term, value, testid = null) {
  if (value === null || value === undefined || value === "") return null;
  return [h("dt", {}, term), h("dd", testid ? { "data-testid": testid } : {}, value)];
}

/**
 * Filters folded behind 「絞り込み」 on a phone, so the results come first; open on a wider
 * screen, and whenever one of them is set (`active` says how many).
 */
export function filterFold(active, ...controls) {
  const wide = globalThis.matchMedia?.("(min-width: 700px)").matches;
  return h("details", { class: "filter-fold", open: Boolean(wide || active), "data-testid": "filter-fold" },
    h("summary", {}, t("filters.more"), active ? ` ${t("filters.active", { n: active })}` : ""),
    h("div", { class: "filter-fold-body" }, ...controls));
}

// A long list draws this many entries, and as many again each time the user asks.
export const LIST_PAGE = 50;

/**
 * `items` drawn into `list` (an <ol> or a <ul>) by `draw`, `shown.n` of them, and a button that
 * adds `LIST_PAGE` more (「さらに表示（残り70件）」) and moves the focus to the first entry added.
 * `shown` is the screen's, kept through its redraws: a sync does not fold the list back. Answer
 * `[list, the button's row]`, or `[list]` when every entry is drawn (the row goes when the last
 * are added).
 */
export function inPages(list, items, draw, shown, testid) {
  append(list, items.slice(0, shown.n).map(draw));
  if (items.length <= shown.n) return [list];
  const row = h("div", { class: "actions inline below-list" });
  const more = button(t("list.more", { n: items.length - shown.n }), { class: "button small", "data-testid": testid });
  more.addEventListener("click", () => {
    const first = shown.n;
    shown.n += LIST_PAGE;
    append(list, items.slice(first, shown.n).map(draw));
    if (items.length > shown.n) more.textContent = t("list.more", { n: items.length - shown.n });
    else row.remove(); // all shown
    // The reader goes on from the first entry added, not from the top or a button gone.
    list.children[first]?.querySelector("a, button")?.focus();
  });
  row.append(more);
  return [list, row];
}

/** What a list shows when it has nothing in it. */
export function empty(text, testid = null) {
  return h("p", { class: "empty", "data-testid": testid }, text);
}

/** The same, as the one item of a list (a `ul`/`ol` holds only items), padded as a row. */
export function emptyItem(text, testid = null) {
  return h("li", { class: "empty", "data-testid": testid }, text);
}

/** The page of a record that is not (or no longer) on the device. */
export function notFound(title, href = "#/customers", back = t("nav.back")) {
  return [h("h1", { tabindex: "-1" }, title), h("p", {}, h("a", { href }, back))];
}

/** The page a role may not use, saying who it is for. */
export function forbidden(title, text, testid = null) {
  return [h("h1", { tabindex: "-1" }, title), h("p", { class: "alert warn", role: "alert", "data-testid": testid }, text)];
}

/** 「未送信」 beside a record the server has not taken yet. */
export function unsentBadge() {
  return h("span", { class: "badge pending" }, t("record.unsent"));
}

/** That the server has not taken a record yet: waiting for the network, or refused (`refused`),
 * which no network will mend, with the way to the sync page where it is fixed. */
export function unsentNotice(testid = null, refused = false) {
  if (refused) {
    return h("p", { class: "badge error", "data-testid": testid },
      h("a", { href: "#/sync", "data-testid": "refused-link" }, t("record.refused")));
  }
  return h("p", { class: "badge pending", "data-testid": testid }, t("record.unsentLong"));
}

/** The link to a visit's sign screen: 「署名をもらう」, or 「署名をもらい直す」 once it has a signature
 * (one given before `signed_at` was kept has only the signer). */
export function signLink(visit, options = {}) {
  return linkButton(t(visit.signed_at || visit.signed_by ? "visit.resign" : "visit.sign"), `#/visits/${visit.id}/sign`, options);
}

/** The live requests among `requests` that were heard on `visit`. */
export function heardOn(requests, visit) {
  return requests.filter((r) => r.visit_id === visit.id && !r.deleted);
}

/**
 * The requests heard on `visit`, a line each as the service report prints them (「ご要望」);
 * with `marked`, one the customer's signature did not cover says so.
 */
export function heardText(requests, visit, { marked = true } = {}) {
  return heardOn(requests, visit).map((r) => {
    const line = t("text.labelled", { label: label("request.kind", r.kind), text: r.title });
    return marked && heardAfterSigning(r, visit) ? line + t("print.afterSigning") : line;
  }).join("\n");
}

/** Whether the sign screen of `visit` did not show `request`: never for a visit unsigned, or
 * signed before the app kept what it showed (`signed_request_ids`). */
export function heardAfterSigning(request, visit) {
  return Boolean(visit.signed_at) && Array.isArray(visit.signed_request_ids) && !visit.signed_request_ids.includes(request.id);
}

/** A customer's postal code and address, and a link that opens the address in the phone's map
 * (online only: maps are not kept on the device). */
export function placeOf(customer) {
  if (!customer.address && !customer.postal_code) return null;
  const text = customer.postal_code
    ? t("customer.postalAddress", { postal: customer.postal_code, address: customer.address || "" }).trim()
    : customer.address;
  return [h("span", { "data-testid": "customer-place" }, text), customer.address ? [" ", h("a", {
    class: "action-link map-link", target: "_blank", rel: "noopener noreferrer", "data-testid": "customer-map",
    href: `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(customer.address)}`,
  }, t("customer.openMap"))] : null];
}

/** A phone number that dials when tapped. */
export function phoneLink(phone) {
  // Digits typed full width (「０９０」) dial too: NFKC makes them ASCII before the rest is dropped.
  return phone ? h("a", { class: "action-link", href: `tel:${phone.normalize("NFKC").replace(/[^\d+]/g, "")}` }, phone) : null;
}

/** Where the server routed a request, or that it will once the request reaches it. */
export function routeText(request) {
  return request.route_to ? label("request.route", request.route_to) : t("request.routePending");
}

/** 「受付番号 123」: the number people quote on the phone; none until the server has the request. */
export function requestNumber(request) {
  if (!request.number) return null;
  return h("span", { class: "request-number", "data-testid": "request-number" }, t("request.numbered", { n: request.number }));
}

/** 「見積提出後 14日 · ボールは顧客」 (closed deals say only their stage). */
export function dealBadge(deal) {
  if (deal.stage === "won" || deal.stage === "lost") {
    return h("span", { class: "badge info", "data-testid": "deal-badge" }, label("deal.stage", deal.stage));
  }
  return h("span", { class: ["badge", "ball", deal.ball === "customer" ? "info" : "warn"], "data-testid": "deal-badge" },
    deal.ball === "customer" ? "⇢ " : "● ", badgeText(deal));
}

/** 「⚠ 要フォロー」 on a deal that needs following up; the reasons in its tooltip. */
export function followUpMark(reasons, testid = null) {
  return h("span", { class: "badge error", title: list(reasons.map(reasonText)), "data-testid": testid },
    t("deal.followUpMark"));
}

/** A rep picker over the owners of the deals held (and "everyone"). */
export function ownerFilter(rows, owner, onChange) {
  const owners = new Map();
  for (const r of rows) if (r.deal.owner_id) owners.set(r.deal.owner_id, r.owner?.name || r.deal.owner_id);
  const me = getState().user;
  if (me && !owners.has(me.id) && me.role === "rep") owners.set(me.id, me.name);
  const people = [...owners.entries()].sort((a, b) => a[1].localeCompare(b[1], "ja"));
  const control = select([["", t("deals.everyone")], ...people], owner || "",
    { "data-testid": "filter-owner", onChange: (e) => onChange(e.target.value) });
  return h("form", { class: "filters", "aria-label": t("deals.filters"), onSubmit: (e) => e.preventDefault() },
    field({ name: "owner", label: t("deals.owner"), control }));
}

/** A deal's stage to choose, among `stages`. */
export function stageSelect(value, testid, stages = STAGES) {
  return select(stages.map((s) => [s, label("deal.stage", s)]), value || "card_exchange", { "data-testid": testid });
}

/** Who holds the ball: us or the customer. */
export function ballChoices(name, legend, value) {
  return choices({ name, legend, value: value || "ours", options: ["ours", "customer"].map((b) => [b, label("deal.ballIs", b)]) });
}

/** Text with the folded terms marked (<mark> elements around text nodes, never markup). */
export function marked(text, terms) {
  const source = String(text);
  const ranges = terms.flatMap((term) => highlightRanges(source, term)).sort((a, b) => a[0] - b[0]);
  const parts = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at) continue;
    if (start > at) parts.push(source.slice(at, start));
    parts.push(h("mark", {}, source.slice(start, end)));
    at = end;
  }
  if (at < source.length) parts.push(source.slice(at));
  return h("span", { class: "marked" }, ...parts);
}

/** The warning of a quote whose actual cost went over its amount, or null. */
export function overrunWarning(quote, testid = "overrun") {
  const over = overrun(quote);
  return over ? h("p", { class: "alert warn", role: "note", "data-testid": testid },
    t("quote.overrun", { yen: yen(over.yen), percent: over.percent, cost: yen(quote.actual_cost), amount: yen(quote.amount) }))
    : null;
}

const noting = new WeakMap(); // el → how to stop the note it shows now

/**
 * Say in `el` what became of a record just saved (`done`: 「提出しました。」), and keep saying it
 * as the sync goes: being sent, sent, or waiting for the network. Never "sent" before the
 * server has it, never "when the network is back" while it is here. Returns what stops it.
 */
export function saveNote(el, done, entity, id) {
  noting.get(el)?.(); // a new save's note replaces the last one's
  const key = recordKey(entity, id);
  let asked = 0;
  const say = async (state) => {
    const mine = ++asked;
    if (!el.isConnected) return off();
    const unsent = state.syncing || (await unsentKeys()).has(key);
    if (mine !== asked) return; // a later change has answered
    if (!unsent) {
      el.textContent = t("save.sent", { done });
      off();
    } else {
      el.textContent = t(navigator.onLine ? "save.sending" : "save.offline", { done });
    }
  };
  const stop = subscribe(say);
  const off = () => { stop(); noting.delete(el); asked += 1; };
  noting.set(el, off);
  el.textContent = t(navigator.onLine ? "save.sending" : "save.offline", { done });
  say(getState());
  return off;
}

/** Fetch a file the server makes (online only) and save it, saying how it went in `status`. */
export async function download(status, filename, fetchBlob, doneText = t("inbox.exported")) {
  const blob = await fetchFile(status, fetchBlob);
  if (!blob) return;
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  status.textContent = doneText;
}

/**
 * The Blob `fetchBlob` answers, or null having said in `status` why not: `offline` when no
 * answer came, `problem(err)` when the server refused (its message, unless told otherwise).
 */
export async function fetchFile(status, fetchBlob, {
  working = t("inbox.exporting"), offline = t("inbox.exportOffline"), problem = (err) => err.message,
} = {}) {
  status.textContent = working;
  try {
    return await fetchBlob();
  } catch (err) {
    status.textContent = err instanceof NetworkError ? offline : problem(err);
    return null;
  }
}

/**
 * A count beside a menu entry (「未読 2」「新規 3」), counted again whenever stored records change
 * while it is on the page; hidden at zero. `count` is async, `text(n)` says it in words, and
 * `short(n)`, when not null, is what a phone's tab shows instead.
 */
export function menuCount(testid, count, text, short = () => null) {
  const badge = h("span", { class: "badge info nav-count", "data-testid": testid, hidden: true });
  const show = async () => {
    const n = await count();
    badge.hidden = n === 0;
    const brief = short(n);
    // A phone's tab shows `brief` where given: the tab is a fifth of the width.
    if (brief === null) badge.textContent = text(n);
    else mount(badge, h("span", { class: "count-full" }, text(n)), h("span", { class: "count-short" }, brief));
  };
  const off = onData(() => (badge.isConnected ? show() : off()));
  show();
  return badge;
}

/**
 * Who issues a printed form, as the server's PDFs print it: the company's name, address and
 * phone (from the calendar the device keeps) and, for a quote, the person in charge.
 */
export function issuer(company, person = null) {
  const line = (text, testid) => (text ? h("p", { "data-testid": testid }, text) : null);
  return h("div", { class: "print-issuer", "data-testid": "print-issuer" },
    company?.name ? h("p", { class: "print-issuer-name" }, company.name) : null,
    line(company?.address, "issuer-address"),
    line(company?.phone ? t("print.tel", { phone: company.phone }) : "", "issuer-phone"),
    line(person ? t("quotePrint.by", { name: person }) : "", "issuer-person"));
}
