// A deal, the one place that answers 「あの案件どうなっている?何日前?次は何?」: its stage along the
// path, who holds the ball and for how many days, what is next and by when, the meetings and
// quotes linked to it, what the customer side did (competitors with their prices, budget, spec changes, …), the history of
// its stage and ball with date and author, and an edit of stage, ball, amount and expected
// close that is saved offline like any other change. The load its submitted quote puts on the
// factory's weeks is shown as on the quote form.

import { loadCalendar } from "../calendar.js";
import { BOARD_ROLES, CLOSED, PATH, dealRows, limitsOf, reasonText } from "../deals.js";
import { getAll } from "../db.js";
import { dateTime, day, relativeDays, yen } from "../format.js";
import { label, list, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { recordKey } from "../overlay.js";
import { getState } from "../store.js";
import { parseYen } from "../text.js";
import { dealEvents, eventForm } from "./deal-events.js";
import { dealQuotes, meetings, nextAction } from "./deal-summary.js";
import { h, mount } from "./dom.js";
import {
  actionBar, choiceValue, clearErrors, field, guardForm, input, showErrors, submitButton, textarea,
} from "./form.js";
import { factory, impact } from "./load-impact.js";
import { drawThenRedrawOnData } from "./redraw.js";
import { historyList, shown } from "./request-history.js";
import { ballChoices, dealBadge, fact, notFound, stageSelect, unsentBadge } from "./widgets.js";

const ENUMS = { stage: "deal.stage", ball: "deal.ballOwner" };
const AT_CREATE = ["title", "stage", "ball", "amount", "expected_close", "owner_id"];
let flash = "";  // "saved" shown once by the redraw that follows a save

/** Say something in the next drawing of the page (its forms' status line). */
export function say(text) {
  flash = text;
}

export async function render(view, { params }) {
  const [id] = params;
  const draw = async (force = false) => {
    // A sync never redraws a form under the user's fingers; their own save does.
    if (!force && [...view.querySelectorAll("form")].some((f) => f.contains(document.activeElement))) return;
    const calendar = await loadCalendar();
    const [[row], unsent, quotes, plant] = await Promise.all([dealRows(limitsOf(calendar), { ids: [id] }),
      outbox.unsentKeys(), getAll("quotes"), factory()]);
    const own = quotes.filter((q) => q.deal_id === id && !q.deleted);
    mount(view, ...page(row, unsent, own, row ? quoteLoad(own, plant) : null));
  };
  return drawThenRedrawOnData(({ local }) => draw(local));
}

function page(row, unsent, quotes, load) {
  if (!row) return notFound(t("deal.missing"), "#/deals", t("nav.deals"));
  const { deal, customer, users } = row;
  return [
    h("p", { class: "crumbs" }, h("a", { href: "#/deals" }, t("nav.deals")),
      customer ? [" / ", h("a", { href: `#/customers/${customer.id}` }, customer.name)] : null),
    h("h1", { tabindex: "-1", "data-testid": "deal-title" }, deal.title),
    h("p", { class: "deal-badges" },
      dealBadge(deal),
      row.reasons.length ? h("span", { class: "badge error", "data-testid": "deal-follow-up" },
        t("deal.followUp"), ": ", list(row.reasons.map(reasonText))) : null,
      unsent.has(recordKey("deals", deal.id)) ? unsentBadge() : null),
    stagePath(deal),
    nextAction(row.visits, { closed: CLOSED.has(deal.stage) }),
    h("dl", { class: "facts" },
      fact(t("deal.customer"), customer?.name),
      fact(t("deal.amount"), deal.amount != null ? yen(deal.amount) : null, "deal-amount"),
      fact(t("deal.expectedClose"), day(deal.expected_close), "deal-expected-close"),
      fact(t("deal.owner"), users.get(deal.owner_id)?.name),
      fact(t("deal.lastActivity"), row.activity
        ? t("text.aside", { text: dateTime(row.activity), aside: relativeDays(row.idleDays) }) : null),
      fact(t("deal.lostReason"), deal.stage === "lost" ? deal.lost_reason : null)),
    meetings(deal, row.visits, users, unsent),
    dealQuotes(deal, quotes, unsent),
    load,
    h("section", { "aria-labelledby": "deal-edit-h" },
      h("h2", { id: "deal-edit-h" }, t("deal.editTitle")), editForm(deal)),
    h("section", { "aria-labelledby": "deal-events-h" },
      h("h2", { id: "deal-events-h" }, t("deal.events")),
      dealEvents(row.events, users, unsent), eventForm(deal)),
    h("section", { "aria-labelledby": "deal-history-h" },
      h("h2", { id: "deal-history-h" }, t("history.title")),
      historyList([...row.history].sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0)), users,
        { enums: ENUMS, atCreate: AT_CREATE, format: dealValue })),
    BOARD_ROLES.has(getState().user?.role)
      ? h("p", {}, h("a", { class: "action-link", href: "#/board" }, t("board.title")), " · ", h("a", { class: "action-link", href: "#/competitors" }, t("competitors.title")))
      : h("p", {}, h("a", { class: "action-link", href: "#/competitors" }, t("competitors.title"))),
  ];
}

const LOADING = new Set(["submitted", "accepted"]);

/** The newest submitted quote's load on the factory, or a line saying there is none. */
function quoteLoad(quotes, plant) {
  const newest = (q) => q.submitted_at || q.updated_at || q.created_at || "";
  const [quote] = quotes.filter((q) => LOADING.has(q.status)).sort((a, b) => (newest(a) < newest(b) ? 1 : -1));
  if (!plant.groups.length) return null;
  if (!quote?.process_hours || !quote.delivery_week) {
    return h("section", { "aria-labelledby": "impact-h" }, h("h2", { id: "impact-h" }, t("impact.title")),
      h("p", { class: "empty", "data-testid": "deal-no-load" }, t(quote ? "impact.dealNone" : "impact.dealNoQuote")));
  }
  return h("div", { "data-testid": "deal-load" },
    impact(plant, { processHours: quote.process_hours, deliveryWeek: quote.delivery_week, quoteId: quote.id,
      title: t("impact.dealTitle") }),
    h("p", {}, h("a", { href: `#/quotes/${quote.id}` }, t("impact.theQuote", { title: quote.product || quote.drawing_no || "" }))));
}

function dealValue(name, value, users, enums) {
  if (name === "amount" && value != null) return yen(value);
  if (name === "ball_since" && value) return dateTime(value);
  if (name === "expected_close" && value) return day(value);
  if (name === "competitors" && Array.isArray(value)) return list(value.map((c) => c.name)) || t("history.none");
  if (name === "situation" && Array.isArray(value)) return list(value.map((s) => label("deal.event", s))) || t("history.none");
  return shown(name, value, users, enums);
}

/** The stage path: done steps ticked, the current one marked in words, never colour alone. */
function stagePath(deal) {
  const current = deal.stage || "card_exchange";
  const at = PATH.indexOf(current);
  return h("ol", { class: "stage-path", "aria-label": t("deal.path"), "data-testid": "stage-path" },
    PATH.map((stage, index) => {
      const state = current === "lost" ? "upcoming" : index < at ? "done" : index === at ? "current" : "upcoming";
      return h("li", { class: ["stage", state], "aria-current": state === "current" ? "step" : null, dataset: { stage } },
        state === "done" ? "✓ " : state === "current" ? "● " : "", label("deal.stage", stage));
    }),
    current === "lost" ? h("li", { class: "stage current lost", "aria-current": "step", dataset: { stage: "lost" } },
      "✕ ", label("deal.stage", "lost")) : null);
}

/** Stage, ball, amount, expected close and lost reason: one outbox mutation of what changed. */
function editForm(deal) {
  const stage = stageSelect(deal.stage, "deal-stage");
  const amount = input({ inputmode: "numeric", value: deal.amount ?? "", "data-testid": "deal-amount-input" });
  const close = input({ type: "date", value: deal.expected_close || "", "data-testid": "deal-close-input" });
  const lost = textarea({ value: deal.lost_reason || "", rows: 2, maxlength: 1000 });
  const note = h("p", { class: "triage-note", role: "status", "data-testid": "deal-saved" }, flash);
  flash = "";
  const form = h("form", { class: "form deal-form" },
    field({ name: "stage", label: t("deal.stageLabel"), control: stage }),
    ballChoices("ball", t("deal.ballLabel"), deal.ball),
    field({ name: "amount", label: t("deal.amountYen"), control: amount }),
    field({ name: "expected_close", label: t("deal.expectedClose"), control: close }),
    field({ name: "lost_reason", label: t("deal.lostReason"), control: lost, hint: t("deal.lostHint") }),
    actionBar(submitButton(t("deal.save"), { "data-testid": "deal-save" })),
    note);
  guardForm(form, async () => {
    clearErrors(form);
    const typed = parseYen(amount.value);
    if (Number.isNaN(typed)) {
      showErrors(form, { amount: [t("deal.amountInvalid")] });
      return;
    }
    if (stage.value === "lost" && !lost.value.trim()) {
      showErrors(form, { lost_reason: [t("deal.lostReasonMissing")] });
      return;
    }
    const values = {
      stage: stage.value, ball: choiceValue(form, "ball"), amount: typed,
      expected_close: close.value || null, lost_reason: lost.value.trim() || null,
    };
    const changes = Object.fromEntries(Object.entries(values).filter(([name, value]) => value !== (deal[name] ?? null)));
    if (!Object.keys(changes).length) {
      note.textContent = t("deal.unchanged");
      return;
    }
    say(t("triage.saved"));
    await outbox.save([{ entity: "deals", id: deal.id, changes }]);
  });
  return form;
}
