// The service report (作業報告書) of one visit as the paper form lays it out, from the
// device's own records, so it prints offline with the browser's print; online, the server's
// PDF opens too.

import * as api from "../api.js";
import { loadCalendar } from "../calendar.js";
import { getMeta } from "../db.js";
import { dateTime } from "../format.js";
import { label, t } from "../i18n.js";
import { attachmentsOf, imageOf } from "../photos.js";
import { customerBundle, getRecord } from "../records.js";
import { h, mount } from "./dom.js";
import { actionBar, button } from "./form.js";
import { fetchFile, heardText, issuer, signLink } from "./widgets.js";

export async function render(view, { params, navigate }) {
  const visit = await getRecord("visits", params[0]);
  if (!visit) return navigate("#/customers");
  const [bundle, attachments, calendar] = await Promise.all([customerBundle(visit.customer_id),
    attachmentsOf(visit.id), loadCalendar()]);
  const signature = attachments.filter((a) => a.purpose === "signature").at(-1);
  const signatureSlot = h("div", { class: "signature-slot", "data-testid": "print-signature" });
  const urls = [];
  const pdfStatus = h("p", { class: "export-status no-print", role: "status", "data-testid": "pdf-status" });
  const row = (heading, ...value) => h("tr", {}, h("th", { scope: "row" }, heading), h("td", { class: "prewrap" }, ...value));
  const parts = visit.parts?.length ? h("ul", {}, visit.parts.map((p) => h("li", {}, `${p.name}${t("text.gap")}× ${p.quantity ?? ""}`)))
    : t("print.none");
  mount(view,
    h("article", { class: "print-sheet", "data-testid": "print-sheet" },
      h("h1", { tabindex: "-1" }, t("print.title")),
      h("div", { class: "print-parties" },
        h("p", { class: "print-to" }, t("print.to", { name: bundle.customer?.name || "" })),
        issuer(calendar.company)),
      h("table", { class: "print-table" }, h("tbody", {},
        row(t("print.when"), dateTime(visit.visited_at),
          visit.work_minutes != null ? `${t("text.gap")}${t("report.minutes", { n: visit.work_minutes })}` : ""),
        row(t("visit.kind"), label("visit.kind", visit.kind)),
        row(t("record.author"), bundle.users.get(visit.author_id)?.name || ""),
        row(t("visit.purpose"), visit.purpose || ""),
        row(t("print.work"), [visit.handling, visit.notes].filter(Boolean).join("\n")),
        row(t("print.parts"), parts),
        row(t("print.requests"), heardText(bundle.requests, visit) || t("print.none")),
        row(t("visit.nextAction"), visit.next_action || ""))),
      h("section", { class: "print-confirm" },
        h("h2", {}, t("print.confirm")),
        visit.signed_at && visit.changed_after_signing_at
          ? h("p", { class: "print-changed", role: "note", "data-testid": "print-changed" },
            t("print.changedAfterSigning", { when: dateTime(visit.changed_after_signing_at) }))
          : null,
        signatureSlot,
        h("p", { "data-testid": "print-signer" }, t("text.labelled", { label: t("print.signer"), text: visit.signed_by || "" })),
        visit.signed_at ? h("p", { "data-testid": "print-signed-at" },
          t("text.labelled", { label: t("print.signedAt"), text: dateTime(visit.signed_at) })) : null)),
    actionBar(
      pdfStatus, // in the bar, so it is in sight wherever the page is scrolled
      button(t("print.print"), { class: "button primary no-print", "data-testid": "print", onClick: () => window.print() }),
      button(t("print.pdf"), { class: "button no-print", onClick: () => openPdf(visit.id, pdfStatus) }),
      signLink(visit, { class: "button no-print" })));
  if (signature) {
    const blob = await imageOf(signature, { full: true });
    if (blob) {
      const url = URL.createObjectURL(blob);
      urls.push(url);
      mount(signatureSlot, h("img", { src: url, alt: t("attachment.purpose.signature"), class: "signature-image" }));
    }
  }
  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}

/**
 * Fetch the server's PDF with the token and show it in a new tab, saying in `status` why not
 * when it cannot: offline (no tab is opened), or what the server answered (the tab, opened at
 * the tap so that no popup blocker stops it, is closed again).
 */
async function openPdf(visitId, status) {
  if (!navigator.onLine) {
    status.textContent = t("print.pdfOffline");
    return;
  }
  const tab = window.open("", "_blank");
  const blob = await fetchFile(status, async () => api.visitReportPdf(await getMeta("token"), visitId), {
    working: t("print.pdfOpening"),
    offline: t("print.pdfOffline"),
    problem: (err) => (err.status === 404 ? t("print.pdfNotOnServer") : t("print.pdfFailed", { message: err.message })),
  });
  if (!blob) {
    tab?.close();
    return;
  }
  status.textContent = "";
  const url = URL.createObjectURL(blob);
  if (tab) tab.location = url;
  else location.assign(url);
}
