// The manager's list of a day's reports: who has submitted and who has not, each report's
// summary and its day one tap away, a comment and 承認. Office, managers and admins.

import { dateTime } from "../format.js";
import { label, t } from "../i18n.js";
import { reportsOf, today } from "../reports.js";
import { onData } from "../store.js";
import { h, mount } from "./dom.js";
import { button, linkButton, textarea } from "./form.js";
import { dayNav, review } from "./today.js";

export async function render(view, { query }) {
  const ymd = query.get("date") || today();
  const comments = new Map(); // user id -> the comment box, kept across redraws
  const draw = async () => {
    const rows = await reportsOf(ymd);
    const submitted = rows.filter((r) => r.report && r.report.status !== "draft").length;
    mount(view,
      h("h1", { tabindex: "-1" }, t("report.listTitle")),
      h("div", { class: "day-bar" }, dayNav(ymd, (date) => `#/reports?date=${date}`)),
      h("p", { class: "day-stats", "data-testid": "reports-count" },
        t("report.count", { n: submitted, total: rows.length })),
      rows.length ? h("ul", { class: "list report-list", "data-testid": "report-list" },
        rows.map(({ user, report }) => row(ymd, user, report, comments, namesakes(rows, user))))
        : h("p", { class: "empty" }, t("report.none")));
  };
  await draw();
  return onData(() => draw());
}

/** Whether someone else in the list has the user's name (two 佐藤 健太 are told apart by team). */
function namesakes(rows, user) {
  return rows.some((other) => other.user.id !== user.id && other.user.name === user.name);
}

function row(ymd, user, report, comments, namesake) {
  const status = report ? report.status || "draft" : null;
  const state = status ? label("daily_report.status", status) : t("report.notSubmitted");
  let box = comments.get(user.id);
  if (!box) {
    box = textarea({ rows: 2, maxlength: 10000, value: report?.manager_comment || "", "aria-label": t("report.commentLabel"),
      "data-testid": "list-comment" });
    comments.set(user.id, box);
  }
  return h("li", { class: "report-row", dataset: { user: user.id, status: status || "none" } },
    h("div", { class: "row-title", "data-testid": "report-person" }, user.name, t("text.gap"),
      namesake && user.team ? t("text.aside", { text: label("role", user.role), aside: label("team", user.team) }) : label("role", user.role)),
    h("p", { class: ["badge", status === "approved" ? "ok" : status ? "" : "pending"] }, state,
      report?.submitted_at ? `${t("text.gap")}${t("report.submittedAt", { time: dateTime(report.submitted_at) })}` : ""),
    report?.summary ? h("p", { class: "prewrap row-body" }, report.summary) : null,
    h("div", { class: "actions inline" },
      linkButton(t("report.open"), `#/today?date=${ymd}&user=${user.id}`, { "data-testid": "list-open" }),
      report && status !== "draft" ? [
        box,
        button(t("report.approve"), { class: "button primary", "data-testid": "list-approve",
          disabled: status === "approved" && (box.value.trim() || null) === (report.manager_comment ?? null),
          onClick: () => review({ report }, box.value, "approved") }),
      ] : null));
}
