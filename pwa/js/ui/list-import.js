// Importing a list kept in Excel, for the office: the customer list (顧客台帳) and past quotes
// (見積台帳). Choose the file, see what it would create (the server reads it and writes
// nothing), then import it. Online only: the server reads the file; a refused file lists its
// rows' errors in words, and nothing is imported until every row is right. What is imported
// reaches every device by the next sync. The customer list also goes out to Excel, in the
// columns it comes back in.

import * as api from "../api.js";
import { getMeta } from "../db.js";
import { companyDay } from "../format.js";
import { label, list, t } from "../i18n.js";
import { usersById } from "../records.js";
import { getState } from "../store.js";
import { requestSync } from "../sync.js";
import { h, mount } from "./dom.js";
import { button, field, guardForm, linkButton, showErrors, submitButton } from "./form.js";
import { download, forbidden } from "./widgets.js";

export const IMPORTERS = new Set(["office", "manager", "admin"]);

/** What differs between the lists: their words, their call, what a row does, where they go. */
const KINDS = {
  customers: {
    key: "import", testid: "customer-import", send: api.importCustomers, home: "#/customers",
    summary: (a) => sentences(t("import.summary", { rows: a.rows, created: a.customers_created,
      existing: a.customers_existing, contacts: a.contacts_created }), filledSentence("import.summaryFilled", a),
    counted("import.summaryReassigned", a.customers_reassigned), counted("import.summaryDeleted", a.customers_deleted),
    counted("import.summaryUnowned", a.customers_unowned), t("import.notYet")),
    creates: (a) => a.customers_created + a.contacts_created + a.customers_updated + a.contacts_updated
      + a.customers_reassigned > 0,
    options: () => together(reassignBox(), ownerBox()),
    done: (a) => sentences(t("import.done", { created: a.customers_created, contacts: a.contacts_created }),
      filledSentence("import.doneFilled", a),
      counted("import.doneReassigned", a.customers_reassigned), t("import.toDevices")),
    action: (row) => rowAction(row, row.action === "same_as_row"
      ? t("import.sameAsRow", { row: row.same_as_row }) : t(`import.${row.action}`), { // create, existing, deleted
      moved: row.reassigned_to && t("import.reassign", { name: row.reassigned_to }),
      added: row.contact && t("import.addContact", { name: row.contact }),
    }),
    extra: () => exportBox("customers", "import", api.exportCustomers),
  },
  quotes: {
    key: "quoteImport", testid: "quote-import", send: api.importQuotes, home: "#/quotes",
    summary: (a) => sentences(t("quoteImport.summary", { rows: a.rows, created: a.quotes_created,
      existing: a.quotes_existing }), counted("quoteImport.summaryFilled", a.quotes_updated),
    counted("quoteImport.summaryDeleted", a.quotes_deleted), t("import.notYet")),
    creates: (a) => a.quotes_created + a.quotes_updated > 0,
    options: () => null,
    done: (a) => sentences(t("quoteImport.done", { created: a.quotes_created }),
      counted("quoteImport.doneFilled", a.quotes_updated), t("quoteImport.toDevices")),
    action: (row) => rowAction(row, t(`quoteImport.${row.action}`), { filledKey: "quoteImport.filled" }), // create, existing, deleted
    extra: () => exportBox("quotes", "quoteImport", api.exportQuotes),
  },
};

/** The customer list's choice to move kept customers to the 営業担当 the file names (担当替え):
 * off, a file's other rep is shown and not written. */
function reassignBox() {
  const tick = h("input", { type: "checkbox", name: "reassign", "data-testid": "customer-import-reassign" });
  const box = h("div", { class: "field" },
    h("label", { class: "check" }, tick, h("span", {}, t("import.reassignLabel"))),
    h("p", { class: "hint" }, t("import.reassignHint")));
  return { box, values: () => ({ reassign: tick.checked }) };
}

/** The rep of new customers whose rows name no 営業担当 (an exhibition's list for one rep):
 * the one importing, unless another is chosen. */
function ownerBox() {
  const me = getState().user;
  const select = h("select", { name: "owner", id: "import-owner", "data-testid": "customer-import-owner" },
    h("option", { value: "" }, t("import.ownerSelf", { name: me?.name || "" })));
  usersById().then((users) => {
    const others = [...users.values()].filter((u) => u.id !== me?.id && !u.deleted)
      .sort((a, b) => (a.team || "").localeCompare(b.team || "") || a.name.localeCompare(b.name, "ja"));
    select.append(...others.map((u) => h("option", { value: u.id }, t("import.ownerOption", { name: u.name, role: label("role", u.role) }))));
  }).catch(() => {}); // the people unreadable: the importer stays the one choice
  const box = field({ name: "owner", label: t("import.ownerLabel"), control: select, hint: t("import.ownerHint") });
  return { box, values: () => ({ owner: select.value || null }) };
}

/** Two choices as one: one box, their values together. */
function together(...choices) {
  return {
    box: h("div", { class: "choices" }, ...choices.map((c) => c.box)),
    values: () => Object.assign({}, ...choices.map((c) => c.values())),
  };
}

/** What a preview row does: `what`, with what it adds and the fields it fills, then
 * on a line of its own the fields the file gives otherwise (not written). */
function rowAction(row, what, { moved = null, added = null, filledKey = "import.filled" } = {}) {
  const parts = [what, moved, added, row.filled?.length ? t(filledKey, { fields: list(row.filled) }) : null]
    .filter(Boolean);
  const said = parts.length > 1 ? list(parts, { short: true }) : what;
  return row.differs?.length
    ? [said, h("span", { class: "import-row-differs" }, t("import.differs", { fields: list(row.differs) }))]
    : said;
}

/** Sentences one after the other, as the language writes them (no space in Japanese). */
function sentences(...said) {
  return said.filter(Boolean).join(t("text.sentences"));
}

/** The sentence `key` of `n` things, or null when there are none. */
function counted(key, n) {
  return n ? t(key, { n }) : null;
}

/** The sentence of the kept customers and people an import fills, or null if none. */
function filledSentence(key, a) {
  return a.customers_updated + a.contacts_updated > 0
    ? t(key, { customers: a.customers_updated, contacts: a.contacts_updated }) : null;
}

export const customers = { render: (view) => render(view, KINDS.customers) };
export const quotes = { render: (view) => render(view, KINDS.quotes) };

async function render(view, kind) {
  const words = (name, vars) => t(`${kind.key}.${name}`, vars);
  if (!IMPORTERS.has(getState().user?.role)) {
    mount(view, ...forbidden(words("title"), words("forbidden"), "import-forbidden"));
    return null;
  }
  const file = h("input", { type: "file", accept: ".csv,.xlsx,text/csv", "data-testid": `${kind.testid}-file` });
  const options = kind.options(); // { box, values() } or null
  const result = h("div", { role: "status", "data-testid": `${kind.testid}-result` });
  const form = h("form", { class: "form", "data-testid": kind.testid },
    field({ name: "file", label: words("file"), control: file, hint: words("hint") }),
    h("details", { class: "import-columns" }, h("summary", {}, t("import.columnsTitle")),
      h("p", {}, words("columns")), h("p", {}, words("existingRule"))),
    options?.box,
    h("div", { class: "actions inline" }, submitButton(t("import.check"), { "data-testid": `${kind.testid}-check` })),
    result);
  let checked = null; // the file the preview shown is of
  const send = async (dryRun) => {
    const chosen = file.files?.[0];
    if (showErrors(form, chosen ? {} : { file: [t("import.fileMissing")] })) return;
    mount(result, h("p", {}, t(dryRun ? "import.checking" : "import.importing")));
    try {
      const answer = await kind.send(await getMeta("token"), chosen, { dryRun, ...options?.values() });
      checked = dryRun ? chosen : null;
      mount(result, dryRun ? preview(kind, answer, () => send(false)) : done(kind, answer));
      if (!dryRun) {
        file.value = "";
        requestSync("import");
      }
    } catch (err) {
      checked = null;
      mount(result, failure(kind, err));
    }
  };
  guardForm(form, () => send(true));
  file.addEventListener("change", () => {
    if (checked && file.files?.[0] !== checked) mount(result); // a preview of another file is no answer for this one
  });
  options?.box.addEventListener("change", () => { // nor one made with other options
    checked = null;
    mount(result);
  });
  mount(view,
    h("p", { class: "crumbs" }, h("a", { href: kind.home }, words("home"))),
    h("h1", { tabindex: "-1" }, words("title")),
    form,
    kind.extra());
  return null;
}

/** What the import would create, the button that imports it (before the rows: a list of
 * hundreds would push it far down), and the first rows. */
function preview(kind, answer, onImport) {
  return h("div", { class: "import-preview", "data-testid": `${kind.testid}-preview` },
    h("p", { class: "alert info" }, kind.summary(answer)),
    kind.creates(answer)
      ? h("div", { class: "actions inline" },
        button(t("import.run"), { class: "button primary", "data-testid": `${kind.testid}-run`, onClick: onImport }))
      : h("p", { class: "hint", "data-testid": `${kind.testid}-nothing` }, t("import.nothingNew")),
    answer.notes_columns.length
      ? h("p", { class: "hint", "data-testid": `${kind.testid}-notes` },
        t(`${kind.key}.toNotes`, { columns: list(answer.notes_columns) }))
      : null,
    h("ul", { class: "import-rows", "data-testid": `${kind.testid}-rows` }, answer.preview.map((row, i) => [
      row.later && !answer.preview[i - 1]?.later
        ? h("li", { class: "import-rows-later", "data-testid": `${kind.testid}-later` }, t("import.later")) : null,
      h("li", { class: ["import-row", row.action] },
        h("span", { class: "import-row-number" }, t("import.row", { row: row.row })),
        h("span", { class: "import-row-name" }, row.name),
        h("span", { class: "import-row-action" }, kind.action(row)))])),
    answer.rows > answer.preview.length
      ? h("p", { class: "hint" }, t("import.more", { n: answer.rows - answer.preview.length })) : null);
}

function done(kind, answer) {
  return h("div", { class: "alert info", "data-testid": `${kind.testid}-done` },
    h("p", {}, kind.done(answer)),
    h("p", {}, linkButton(t(`${kind.key}.toHome`), kind.home, { class: "button small" })));
}

function failure(kind, err) {
  if (err instanceof api.NetworkError) return h("p", { class: "alert warn" }, t("import.offline"));
  const rows = Object.entries(err.errors || {})
    .filter(([row]) => /^\d+$/.test(row))
    .sort((a, b) => Number(a[0]) - Number(b[0]));
  const other = err.errors?.file ? [].concat(err.errors.file).join(" ") : err.message;
  return h("div", { class: "alert error", role: "alert", "data-testid": `${kind.testid}-errors` },
    h("p", {}, err.status === 422 && rows.length ? t("import.failed") : other),
    rows.length ? h("ul", { class: "import-errors" }, rows.map(([row, messages]) =>
      h("li", {}, t("import.rowError", { row, message: [].concat(messages).join(" ") })))) : null);
}

/** The list as a workbook in the import's columns (the customer list, the quote ledger):
 * edited in Excel and imported again, it adds only the new rows and the cells filled. */
function exportBox(what, key, fetch) {
  const testid = `${what.replace(/s$/, "")}-export`;
  const status = h("p", { role: "status", "data-testid": `${testid}-status` });
  const name = `${what}-${companyDay(Date.now())}.xlsx`;
  return h("section", { class: "form export-box", "aria-labelledby": "export-h" },
    h("h2", { id: "export-h" }, t(`${key}.exportTitle`)),
    h("p", { class: "hint" }, t(`${key}.exportHint`)),
    h("div", { class: "actions inline" }, button(t("import.export"), { "data-testid": testid,
      onClick: () => download(status, name, async () => fetch(await getMeta("token")), t("import.exported")) })),
    status);
}
