// 今日: one person's day in order (visits with their minutes and parts, requests heard, photos)
// and their daily report, drafted from those records, to edit and submit. Yesterday and any
// other day are one tap away. Office, managers and admins open anyone's day here to comment
// and approve. Everything reads and writes the device's store: it works offline.

import * as drafts from "../drafts.js";
import { dateTime, day, dayWithWeekday, partsText, time } from "../format.js";
import { label, list, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import {
  dailyReportId, dayOf, draftSummary, nextActions, shiftDay, today, totalMinutes, visitsNotIn,
} from "../reports.js";
import { parseHours } from "../text.js";
import { getState, onData } from "../store.js";
import { h, mount } from "./dom.js";
import { actionBar, button, clearErrors, field, input, linkButton, showErrors, textarea } from "./form.js";
import { inPages, saveNote } from "./widgets.js";

export const APPROVERS = new Set(["office", "manager", "admin"]);

export async function render(view, { query }) {
  const me = getState().user;
  const userId = query.get("user") || me.id;
  const ymd = query.get("date") || today();
  const mine = userId === me.id;
  let form = null; // kept across redraws so a sync never wipes what is being typed
  // Today's next actions of the person whose day it is (a manager looking at a technician's
  // sees what is on their plate): read at open, after saves on this device, when a sync brings
  // records (their visits on another device) and once a first sync's days are filled (heavier
  // than a day's read); drawn into their slot when read, kept through a redraw.
  const dueSlot = ymd === today() ? h("div", { class: "due-slot" }) : null;
  const dueShown = { n: DUE_FIRST };
  let dueRead = 0;
  const readDue = async () => {
    const read = ++dueRead;
    const due = await nextActions(userId);
    if (read === dueRead) mount(dueSlot, due.length ? nextActionsDue(due, dueShown) : null);
  };

  const draw = async () => {
    const day = await dayOf(userId, ymd);
    const link = (date) => `#/today?date=${date}${mine ? "" : `&user=${userId}`}`;
    const minutes = totalMinutes(day.visits);
    if (!form || !form.isConnected) form = mine ? reportForm(day) : reviewPanel(day);
    else form.refresh?.(day);
    mount(view,
      h("h1", { tabindex: "-1" }, !mine ? t("today.titleOf", { name: day.user.name || "" })
        : ymd === today() ? t("today.title") : t("today.titleDay", { day: dayWithWeekday(ymd) })),
      h("div", { class: "day-bar no-print" },
        dayNav(ymd, link),
        h("div", { class: "day-actions" },
          ymd === today() ? null : linkButton(t("today.today"), link(today())),
          button(t("today.print"), { onClick: () => window.print() }))),
      h("p", { class: "day-stats", "data-testid": "day-stats" }, t("today.stats", {
        visits: day.visits.length, minutes, requests: day.requests.length,
        photos: day.photos.filter((p) => (p.purpose || "photo") === "photo").length })), // a signature is no photo
      dueSlot,
      h("section", {},
        h("h2", {}, t("today.visits")),
        day.visits.length ? h("ol", { class: "list timeline-day", "data-testid": "day-visits" }, day.visits.map((v) => visitRow(day, v)))
          : h("p", { class: "empty" }, t("today.noVisits"))),
      h("section", {},
        h("h2", {}, t("today.requests")),
        day.requests.length ? h("ul", { class: "list compact" }, day.requests.map((r) => h("li", {},
          h("a", { class: "row", href: `#/requests/${r.id}` },
            h("span", { class: "row-title" }, label("request.kind", r.kind), " — ", r.title),
            // Not routed until the server has it: not the office's 「事務（振り分け）」 meanwhile.
            h("span", { class: "row-meta" }, r.route_to ? label("request.route", r.route_to) : t("request.routePending"))))))
          : h("p", { class: "empty" }, t("today.noRequests"))),
      form);
  };
  await draw();
  if (dueSlot) readDue();
  const stop = onData((what) => {
    if (dueSlot && (what?.local || what?.pulled || what?.days)) readDue();
    draw();
  });
  return () => { stop(); form?.dispose?.(); };
}

const DUE_FIRST = 3; // next actions listed before 「さらに表示」, so the day itself stays in sight

/** What the person said they would do next, due within a week or overdue: their visit's page. */
function nextActionsDue(due, shown) {
  return h("section", { "data-testid": "next-actions" },
    h("h2", {}, t("today.nextActions")),
    ...inPages(h("ul", { class: "list compact" }), due, ({ visit, customer, late }) => h("li", {},
      h("a", { class: "row", href: `#/visits/${visit.id}` },
        h("span", { class: "row-title" }, visit.next_action),
        h("span", { class: "row-meta" }, customer?.name || "",
          h("span", {}, t("today.due", { day: day(visit.next_action_due) })),
          late > 0 ? h("span", { class: "badge error" }, t("deal.nextLate", { n: late }))
            : late === 0 ? h("span", { class: "badge warn" }, t("today.dueToday")) : null))), shown, "next-actions-more"));
}

/** ← the day before, the day with its weekday, the day after →: one row even on a phone. */
export function dayNav(ymd, link) {
  return h("div", { class: "day-nav" },
    linkButton(`← ${t("today.prev")}`, link(shiftDay(ymd, -1)), { "data-testid": "day-prev" }),
    h("strong", { class: "day-current", "data-testid": "day-current" }, dayWithWeekday(ymd)),
    linkButton(`${t("today.next")} →`, link(shiftDay(ymd, 1)), { "data-testid": "day-next" }));
}

function visitRow(day, visit) {
  const customer = day.customers.get(visit.customer_id)?.name || "";
  const photos = day.photos.filter((p) => p.owner_id === visit.id && (p.purpose || "photo") === "photo").length;
  const signed = day.photos.some((p) => p.owner_id === visit.id && p.purpose === "signature");
  return h("li", {},
    h("a", { class: "row", href: `#/visits/${visit.id}` },
      h("span", { class: "row-title" }, time(visit.visited_at), t("text.gap"), customer),
      h("span", { class: "row-meta" }, [label("visit.kind", visit.kind),
        visit.work_minutes != null ? t("report.minutes", { n: visit.work_minutes }) : null,
        visit.parts?.length ? `${t("visit.parts")} ${partsText(visit.parts)}` : null,
        photos ? `${t("attachment.purpose.photo")} ${photos}` : null,
        signed ? t("sign.done") : null].filter(Boolean).join(" · ")),
      visit.handling ? h("span", { class: "row-body prewrap" }, visit.handling) : null));
}

function statusLine(report) {
  if (!report) return h("p", { class: "badge", "data-testid": "report-status" }, label("daily_report.status", "draft"));
  return h("p", { class: ["badge", report.status === "approved" ? "ok" : ""], "data-testid": "report-status" },
    label("daily_report.status", report.status || "draft"),
    report.submitted_at ? `${t("text.gap")}${t("report.submittedAt", { time: dateTime(report.submitted_at) })}` : "");
}

function commentBox(report) {
  if (!report?.manager_comment) return null;
  return h("div", { class: "notice comment", "data-testid": "manager-comment" },
    h("strong", {}, t("report.comment")), h("p", { class: "prewrap" }, report.manager_comment));
}

/** The author's report: summary drafted from the day, notes, hours; save or submit. */
function reportForm(day) {
  let current = day;
  const summary = textarea({ rows: 10, maxlength: 10000, value: day.report?.summary ?? draftSummary(day),
    "data-testid": "report-summary" });
  const notes = textarea({ rows: 3, maxlength: 10000, value: day.report?.notes || "", "data-testid": "report-notes" });
  const hours = input({ inputmode: "decimal", value: day.report?.hours ?? "", "data-testid": "report-hours" });
  const status = h("div", {});
  const saved = h("p", { class: "hint", role: "status", "data-testid": "report-saved" });
  // A visit recorded after the summary was drafted (or saved) is not in it: said, not left out unseen.
  const missing = h("p", { class: "alert warn", role: "status", hidden: true, "data-testid": "summary-missing" });
  const checkMissing = () => {
    const left = visitsNotIn(current, summary.value);
    missing.hidden = !left.length;
    missing.textContent = left.length ? t("report.notInSummary", { visits: list(left.map((v) =>
      t("text.aside", { text: current.customers.get(v.customer_id)?.name || "", aside: time(v.visited_at) }))) }) : "";
  };
  summary.addEventListener("input", checkMissing);
  const save = async (submit) => {
    clearErrors(section);
    const hoursValue = parseHours(hours.value); // 「８」「7.5時間」: not a number field, which drops 「時間」
    if (Number.isNaN(hoursValue) || hoursValue > 24) {
      showErrors(section, { hours: [t("report.hoursInvalid")] });
      return;
    }
    const report = current.report;
    const values = { summary: summary.value.trim() || null, notes: notes.value.trim() || null, hours: hoursValue };
    if (submit) values.status = "submitted";
    // Only what changed is sent: the same day's report edited on another device merges field by field.
    const changes = Object.fromEntries(Object.entries(values)
      .filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(report?.[name] ?? null)));
    if (!report) changes.date = current.date;
    if (!Object.keys(changes).length) return kept.saved();
    const id = await dailyReportId(current.user.id, current.date);
    await outbox.save([{ entity: "daily_reports", id, changes,
      local: report ? {} : { user_id: current.user.id, status: "draft" } }]);
    kept.saved();
    saveNote(saved, t(submit ? "report.submitted" : "report.draftSaved"), "daily_reports", id);
  };
  // An approved report edited goes back for approval (the server says so): the buttons say it.
  const approvedHint = h("p", { class: "hint", hidden: true, "data-testid": "report-approved-hint" }, t("report.approvedEditHint"));
  const submit = button(t("report.submit"), { class: "button primary", "data-testid": "report-submit", onClick: () => save(true) });
  const saveDraft = button(t("report.saveDraft"), { "data-testid": "report-save", onClick: () => save(false) });
  const section = h("section", { class: "report-form", "data-testid": "report-form" },
    h("h2", {}, t("report.title")),
    status,
    field({ name: "summary", label: t("report.summary"), control: summary, hint: t("report.summaryHint") }),
    missing,
    button(t("report.redraft"), { class: "button no-print", onClick: () => {
      summary.value = draftSummary(current);
      summary.dispatchEvent(new Event("input", { bubbles: true })); // the draft follows
    } }),
    field({ name: "notes", label: t("report.notes"), control: notes }),
    field({ name: "hours", label: t("report.hours"), control: hours }),
    saved,
    approvedHint,
    actionBar(submit, saveDraft));
  // What is typed is kept on the device until saved: a tab tapped or a reload loses nothing.
  const kept = drafts.keep(section, { address: `#/today?date=${day.date}`, names: ["summary", "notes", "hours"],
    edit: Boolean(day.report) });
  if (kept.notice) status.before(kept.notice);
  section.dispose = kept.dispose;
  section.refresh = (day) => {
    current = day;
    mount(status, statusLine(day.report), commentBox(day.report));
    checkMissing();
    const approved = day.report?.status === "approved";
    approvedHint.hidden = !approved;
    saveDraft.hidden = approved;
    submit.textContent = t(approved ? "report.resubmit" : "report.submit");
  };
  section.refresh(day);
  return section;
}

/** Someone else's report, for office, managers and admins: read it, comment, approve. */
function reviewPanel(day) {
  let current = day;
  const comment = textarea({ rows: 3, maxlength: 10000, value: day.report?.manager_comment || "",
    "data-testid": "review-comment" });
  const body = h("div", {});
  const approver = APPROVERS.has(getState().user.role);
  const note = h("p", { class: "hint", role: "status", "data-testid": "review-saved" });
  let noting = null; // the last save's note, which goes on saying how the sync goes
  const act = async (status, done) => {
    noting?.();
    noting = await review(current, comment.value, status)
      ? saveNote(note, t(done), "daily_reports", current.report.id) : null;
    if (!noting) note.textContent = t("report.nothingToSave");
  };
  // Kept while hidden: what an approver typed stays if a sync brings the report back to draft.
  const controls = approver ? [
    field({ name: "manager_comment", label: t("report.comment"), control: comment }),
    note,
    actionBar(
      button(t("report.approve"), { class: "button primary", "data-testid": "review-approve",
        onClick: () => act("approved", "report.approvedDone") }),
      button(t("report.saveComment"), { "data-testid": "review-comment-save",
        onClick: () => act(null, "report.commentSaved") })),
  ] : [];
  const waiting = h("p", { class: "hint", "data-testid": "review-waiting", hidden: true }, t("report.reviewAfterSubmit"));
  const section = h("section", { class: "report-form", "data-testid": "review" },
    h("h2", {}, t("report.title")), body, approver ? waiting : null, controls);
  section.refresh = (next) => {
    current = next;
    const report = next.report;
    // Only a submitted report is commented on and approved, as on the day's list.
    const submitted = Boolean(report) && (report.status || "draft") !== "draft";
    for (const control of controls) control.hidden = !submitted;
    waiting.hidden = submitted;
    mount(body, report ? statusLine(report) : null, // no report: 「未提出」 alone, not a draft's badge
      report ? [
        h("p", { class: "prewrap", "data-testid": "review-summary" }, report.summary || ""),
        report.notes ? h("p", { class: "prewrap" }, report.notes) : null,
        report.hours != null ? h("p", {}, `${t("report.hours")}: ${report.hours}`) : null,
      ] : h("p", { class: "empty" }, t("report.notSubmitted")));
  };
  section.refresh(day);
  return section;
}

/** Save a manager's comment and, with `status`, approve; whether there was anything to save. */
export async function review(day, comment, status) {
  const report = day.report;
  if (!report) return false;
  const changes = {};
  if ((comment.trim() || null) !== (report.manager_comment ?? null)) changes.manager_comment = comment.trim() || null;
  if (status && report.status !== status) changes.status = status;
  if (!Object.keys(changes).length) return false;
  await outbox.save([{ entity: "daily_reports", id: report.id, changes }]);
  return true;
}
