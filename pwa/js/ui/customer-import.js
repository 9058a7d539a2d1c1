// Importing a customer list (顧客台帳) from Excel, for the office: choose the file, see what it
// would create (the server reads it and writes nothing), then import it. Online only: the
// server reads the file; a refused file lists its rows' errors in words, and nothing is
// imported until every row is right. The new customers reach every device by the next sync.

import * as api from "../api.js";
import { getMeta } from "../db.js";
import { list, t } from "../i18n.js";
import { getState } from "../store.js";
import { requestSync } from "../sync.js";
import { h, mount } from "./dom.js";
import { button, field, guardForm, linkButton, showErrors, submitButton } from "./form.js";
import { download, forbidden } from "./widgets.js";

const IMPORTERS = new Set(["office", "manager", "admin"]);

export async function render(view) {
  if (!IMPORTERS.has(getState().user?.role)) {
    mount(view, ...forbidden(t("import.title"), t("import.forbidden"), "import-forbidden"));
    return null;
  }
  const file = h("input", { type: "file", accept: ".csv,.xlsx,text/csv", "data-testid": "customer-import-file" });
  const result = h("div", { role: "status", "data-testid": "customer-import-result" });
  const form = h("form", { class: "form", "data-testid": "customer-import" },
    field({ name: "file", label: t("import.file"), control: file, hint: t("import.hint") }),
    h("details", { class: "import-columns" }, h("summary", {}, t("import.columnsTitle")),
      h("p", {}, t("import.columns")), h("p", {}, t("import.existingRule"))),
    h("div", { class: "actions inline" }, submitButton(t("import.check"), { "data-testid": "customer-import-check" })),
    result);
  let checked = null; // the file the preview shown is of
  const send = async (dryRun) => {
    const chosen = file.files?.[0];
    if (showErrors(form, chosen ? {} : { file: [t("import.fileMissing")] })) return;
    mount(result, h("p", {}, t(dryRun ? "import.checking" : "import.importing")));
    try {
      const answer = await api.importCustomers(await getMeta("token"), chosen, { dryRun });
      checked = dryRun ? chosen : null;
      mount(result, dryRun ? preview(answer, () => send(false)) : done(answer));
      if (!dryRun) {
        file.value = "";
        requestSync("import");
      }
    } catch (err) {
      checked = null;
      mount(result, failure(err));
    }
  };
  guardForm(form, () => send(true));
  file.addEventListener("change", () => {
    if (checked && file.files?.[0] !== checked) mount(result); // a preview of another file is no answer for this one
  });
  mount(view,
    h("p", { class: "crumbs" }, h("a", { href: "#/customers" }, t("customers.title"))),
    h("h1", { tabindex: "-1" }, t("import.title")),
    form,
    exportBox());
  return null;
}

/** The customer list as a workbook in the import's columns: edited in Excel and imported
 * again, it adds only the new rows. */
function exportBox() {
  const status = h("p", { role: "status", "data-testid": "customer-export-status" });
  const name = `customers-${new Date().toISOString().slice(0, 10)}.xlsx`;
  return h("section", { class: "form export-box", "aria-labelledby": "export-h" },
    h("h2", { id: "export-h" }, t("import.exportTitle")),
    h("p", { class: "hint" }, t("import.exportHint")),
    h("div", { class: "actions inline" }, button(t("import.export"), { "data-testid": "customer-export",
      onClick: () => download(status, name, async () => api.exportCustomers(await getMeta("token")), t("import.exported")) })),
    status);
}

/** What the import would create, the button that imports it (before the rows: a list of
 * hundreds would push it far down), and the first rows. */
function preview(answer, onImport) {
  const creates = answer.customers_created + answer.contacts_created > 0;
  return h("div", { class: "import-preview", "data-testid": "customer-import-preview" },
    h("p", { class: "alert info" }, t("import.summary", {
      rows: answer.rows, created: answer.customers_created, existing: answer.customers_existing,
      contacts: answer.contacts_created })),
    creates
      ? h("div", { class: "actions inline" },
        button(t("import.run"), { class: "button primary", "data-testid": "customer-import-run", onClick: onImport }))
      : h("p", { class: "hint", "data-testid": "customer-import-nothing" }, t("import.nothingNew")),
    answer.notes_columns.length
      ? h("p", { class: "hint", "data-testid": "customer-import-notes" },
        t("import.toNotes", { columns: list(answer.notes_columns) }))
      : null,
    h("ul", { class: "import-rows", "data-testid": "customer-import-rows" }, answer.preview.map((row) =>
      h("li", { class: ["import-row", row.action] },
        h("span", { class: "import-row-number" }, t("import.row", { row: row.row })),
        h("span", { class: "import-row-name" }, row.name),
        h("span", { class: "import-row-action" }, actionText(row))))),
    answer.rows > answer.preview.length
      ? h("p", { class: "hint" }, t("import.more", { n: answer.rows - answer.preview.length })) : null);
}

function actionText(row) {
  const what = row.action === "create" ? t("import.create")
    : row.action === "existing" ? t("import.existing") : t("import.sameAsRow", { row: row.same_as_row });
  return row.contact ? list([what, t("import.addContact", { name: row.contact })], { short: true }) : what;
}

function done(answer) {
  return h("div", { class: "alert info", "data-testid": "customer-import-done" },
    h("p", {}, t("import.done", { created: answer.customers_created, contacts: answer.contacts_created })),
    h("p", {}, linkButton(t("import.toCustomers"), "#/customers", { class: "button small" })));
}

function failure(err) {
  if (err instanceof api.NetworkError) return h("p", { class: "alert warn" }, t("import.offline"));
  const rows = Object.entries(err.errors || {})
    .filter(([row]) => /^\d+$/.test(row))
    .sort((a, b) => Number(a[0]) - Number(b[0]));
  const other = err.errors?.file ? [].concat(err.errors.file).join(" ") : err.message;
  return h("div", { class: "alert error", role: "alert", "data-testid": "customer-import-errors" },
    h("p", {}, err.status === 422 && rows.length ? t("import.failed") : other),
    rows.length ? h("ul", { class: "import-errors" }, rows.map(([row, messages]) =>
      h("li", {}, t("import.rowError", { row, message: [].concat(messages).join(" ") })))) : null);
}
