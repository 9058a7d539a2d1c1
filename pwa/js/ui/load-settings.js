// The office's and the production manager's editing of the factory: resource groups (hours a
// day, efficiency, order, in use), company holidays, load entered by hand, and the production
// plan's import. Every save goes to IndexedDB and the outbox like any other, so it works
// offline; only the import needs the server (it answers per-row errors in words).

import * as api from "../api.js";
import { getAll, getMeta } from "../db.js";
import { companyDay, day } from "../format.js";
import { label, t } from "../i18n.js";
import { CONFIDENCES, weekOf, weeksFrom } from "../load.js";
import * as outbox from "../outbox.js";
import { getState } from "../store.js";
import { parseHours } from "../text.js";
import { h, mount } from "./dom.js";
import { button, clearErrors, field, guardForm, input, select, showErrors, submitButton } from "./form.js";
import { weekLabel } from "./load-impact.js";
import { drawThenRedrawOnData } from "./redraw.js";
import { forbidden } from "./widgets.js";
import { newId } from "../ids.js";

export const EDITORS = new Set(["office", "manager", "admin"]);
const ENTRY_WEEKS = 26;

export async function render(view) {
  if (!EDITORS.has(getState().user?.role)) {
    mount(view, ...forbidden(t("settings.title"), t("settings.forbidden"), "settings-forbidden"));
    return null;
  }
  const importBox = importForm();
  const draw = async (force = false) => {
    if (!force && [...view.querySelectorAll("form")].some((f) => f.contains(document.activeElement))) return;
    const [groups, holidays, entries] = await Promise.all([
      getAll("resource_groups"), getAll("company_holidays"), getAll("load_entries")]);
    const live = (rows) => rows.filter((r) => !r.deleted);
    const sorted = live(groups).sort((a, b) => (a.sort || 0) - (b.sort || 0) || (a.name || "").localeCompare(b.name || "", "ja"));
    mount(view,
      h("p", { class: "crumbs" }, h("a", { href: "#/load" }, t("load.title"))),
      h("h1", { tabindex: "-1" }, t("settings.title")),
      h("section", { "aria-labelledby": "groups-h" }, h("h2", { id: "groups-h" }, t("settings.groups")),
        h("ul", { class: "settings-list", "data-testid": "groups" }, sorted.map((g) => h("li", {}, groupForm(g)))),
        h("h3", {}, t("settings.addGroup")), groupForm(null)),
      h("section", { "aria-labelledby": "holidays-h" }, h("h2", { id: "holidays-h" }, t("settings.holidays")),
        h("ul", { class: "settings-list", "data-testid": "holidays" },
          live(holidays).sort((a, b) => (a.date < b.date ? -1 : 1)).map((d) => h("li", { class: "inline-row" },
            h("span", {}, day(d.date), " ", d.name || ""), remove("company_holidays", d)))),
        holidayForm()),
      h("section", { "aria-labelledby": "entries-h" }, h("h2", { id: "entries-h" }, t("settings.entries")),
        entryList(live(entries), sorted), entryForm(sorted.filter((g) => g.active !== false))),
      h("section", { "aria-labelledby": "import-h" }, h("h2", { id: "import-h" }, t("settings.import")), importBox));
  };
  return drawThenRedrawOnData(() => draw(true), { redraw: ({ local }) => draw(local) });
}

function remove(entity, record) {
  return button(t("settings.delete"), { class: "button small danger", "data-testid": "delete",
    onClick: () => {
      // A group holds its load: taking it out of use (使用中) keeps that; deleting needs a second thought.
      if (entity === "resource_groups" && !confirm(t("settings.confirmDelete", { name: record.name }))) return;
      outbox.save([{ entity, id: record.id, changes: {}, op: "delete" }]);
    } });
}

/** Save ``values`` of a new or existing record: only what changed goes in the outbox. */
async function store(entity, record, values) {
  const changes = record ? Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== (record[k] ?? null))) : values;
  if (Object.keys(changes).length) await outbox.save([{ entity, id: record?.id || newId(), changes }]);
}

function number(text) {
  const plain = String(text).normalize("NFKC").trim();
  return plain === "" ? null : Number(plain);
}

function groupForm(group) {
  const testid = group ? `group-${group.name}` : "new-group";
  const name = input({ value: group?.name || "", maxlength: 100, "data-testid": "group-name" });
  const perDay = input({ inputmode: "decimal", value: group?.hours_per_day ?? 8, "data-testid": "group-hours" });
  const efficiency = input({ inputmode: "decimal", value: group?.efficiency ?? 0.85, "data-testid": "group-efficiency" });
  const sort = input({ inputmode: "numeric", value: group?.sort ?? 0, "data-testid": "group-sort" });
  const active = h("input", { type: "checkbox", checked: group ? group.active !== false : true, "data-testid": "group-active" });
  const form = h("form", { class: "form", "data-testid": testid },
    h("div", { class: "field-row group-row" },
      field({ name: "name", label: t("settings.name"), control: name, required: true }),
      field({ name: "hours_per_day", label: t("settings.hoursPerDay"), control: perDay }),
      field({ name: "efficiency", label: t("settings.efficiency"), control: efficiency }),
      field({ name: "sort", label: t("settings.sort"), control: sort })),
    h("div", { class: "actions inline" }, h("label", { class: "check" }, active, t("settings.active")), submitButton(group ? t("settings.save") : t("settings.addGroup"), { class: group ? "button" : "button primary", "data-testid": "group-save" }),
      group ? remove("resource_groups", group) : null));
  guardForm(form, async () => {
    clearErrors(form);
    const values = { name: name.value.trim(), hours_per_day: number(perDay.value), efficiency: number(efficiency.value),
      sort: number(sort.value), active: active.checked };
    const errors = {};
    if (!values.name) errors.name = [t("settings.nameMissing")];
    if (!(values.hours_per_day >= 0 && values.hours_per_day <= 24)) errors.hours_per_day = [t("settings.hoursPerDayInvalid")];
    if (!(values.efficiency >= 0 && values.efficiency <= 1)) errors.efficiency = [t("settings.efficiencyInvalid")];
    if (!Number.isInteger(values.sort)) errors.sort = [t("settings.sortInvalid")];
    if (showErrors(form, errors)) return;
    await store("resource_groups", group, values);
  });
  return form;
}

function holidayForm() {
  const date = input({ type: "date", "data-testid": "holiday-date" });
  const name = input({ maxlength: 100, "data-testid": "holiday-name" });
  const form = h("form", { class: "form", "data-testid": "new-holiday" },
    h("div", { class: "field-row" },
      field({ name: "date", label: t("settings.date"), control: date, required: true }),
      field({ name: "name", label: t("settings.holidayName"), control: name })),
    h("div", { class: "actions inline" }, submitButton(t("settings.addHoliday"), { "data-testid": "holiday-save" })));
  guardForm(form, async () => {
    if (showErrors(form, date.value ? {} : { date: [t("settings.dateMissing")] })) return;
    await store("company_holidays", null, { date: date.value, name: name.value.trim() || null });
  });
  return form;
}

function entryList(entries, groups) {
  const names = new Map(groups.map((g) => [g.id, g.name]));
  const from = weekOf(companyDay(Date.now()));
  const manual = entries.filter((e) => (e.source || "manual") === "manual" && e.week >= from)
    .sort((a, b) => (a.week < b.week ? -1 : a.week > b.week ? 1 : 0));
  if (!manual.length) return h("p", { class: "empty" }, t("settings.noEntries"));
  return h("ul", { class: "settings-list", "data-testid": "entries" }, manual.map((e) => h("li", { class: "inline-row" },
    h("span", {}, weekLabel(e.week), " ", names.get(e.resource_group_id) || "", " ",
      t("impact.hours", { n: e.hours }), " ", label("load.confidence", e.confidence || "firm"), e.label ? ` ${e.label}` : ""),
    remove("load_entries", e))));
}

function entryForm(groups) {
  const group = select(groups.map((g) => [g.id, g.name]), groups[0]?.id, { "data-testid": "entry-group" });
  const week = select(weeksFrom(weekOf(companyDay(Date.now())), ENTRY_WEEKS).map((w) => [w, weekLabel(w)]), null, { "data-testid": "entry-week" });
  const hours = input({ inputmode: "decimal", "data-testid": "entry-hours" });
  const confidence = select(CONFIDENCES.map((c) => [c, label("load.confidence", c)]), "firm", { "data-testid": "entry-confidence" });
  const name = input({ maxlength: 200, "data-testid": "entry-label" });
  const form = h("form", { class: "form", "data-testid": "new-entry" },
    h("div", { class: "field-row" },
      field({ name: "resource_group_id", label: t("settings.group"), control: group, required: true }),
      field({ name: "week", label: t("settings.week"), control: week, required: true }),
      field({ name: "hours", label: t("settings.hours"), control: hours, required: true }),
      field({ name: "confidence", label: t("settings.confidence"), control: confidence })),
    field({ name: "label", label: t("settings.label"), control: name }),
    h("div", { class: "actions inline" }, submitButton(t("settings.addEntry"), { "data-testid": "entry-save" })));
  guardForm(form, async () => {
    const value = parseHours(hours.value);
    if (showErrors(form, value === null || Number.isNaN(value) ? { hours: [t("impact.hoursInvalid")] } : {})) return;
    if (!group.value) return;
    await store("load_entries", null, { resource_group_id: group.value, week: week.value, hours: value,
      confidence: confidence.value, label: name.value.trim() || null, source: "manual" });
  });
  return form;
}

/** The plan's import: online only; a refused file lists its rows' errors in words. */
function importForm() {
  const file = h("input", { type: "file", accept: ".csv,.xlsx,text/csv", "data-testid": "import-file" });
  const result = h("div", { role: "status", "data-testid": "import-result" });
  const form = h("form", { class: "form", "data-testid": "import" },
    h("p", { class: "hint" }, t("settings.importHint")),
    field({ name: "file", label: t("settings.file"), control: file }),
    h("div", { class: "actions inline" }, submitButton(t("settings.importButton"), { "data-testid": "import-button" })),
    result);
  guardForm(form, async () => {
    const chosen = file.files?.[0];
    if (showErrors(form, chosen ? {} : { file: [t("settings.fileMissing")] })) return;
    mount(result, h("p", {}, t("settings.importing")));
    try {
      const answer = await api.importLoad(await getMeta("token"), chosen);
      mount(result, h("p", { class: "alert info" }, t("settings.imported", answer)));
    } catch (err) {
      if (err instanceof api.NetworkError) return mount(result, h("p", { class: "alert warn" }, t("settings.importOffline")));
      const rows = Object.entries(err.errors || {}).sort((a, b) => Number(a[0]) - Number(b[0]) || (a[0] < b[0] ? -1 : 1));
      mount(result, h("div", { class: "alert error", role: "alert" },
        h("p", {}, err.status === 422 && rows.length ? t("settings.importFailed") : err.message),
        h("ul", { class: "import-errors", "data-testid": "import-errors" }, rows.map(([row, messages]) =>
          h("li", {}, /^\d+$/.test(row) ? t("settings.rowError", { row, message: [].concat(messages).join(" ") })
            : [].concat(messages).join(" "))))));
    }
  });
  return form;
}
