// The routing rules editor (office, admins): list in the order they are tried, add, edit the
// keywords and route, move up and down, delete, and try a text to see which rule fires. Rules
// live on the server only, so this screen works online; offline it says so.

import * as api from "../api.js";
import { getMeta } from "../db.js";
import { label, list, t } from "../i18n.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { button, field, guardForm, input, select, showErrors, submitButton } from "./form.js";
import { TEAMS } from "./inbox.js";
import { forbidden } from "./widgets.js";

const EDITORS = new Set(["office", "admin"]);
const KINDS = ["request", "complaint", "question"];

function words(text) {
  return text.split(/[,、，\s]+/).map((w) => w.trim()).filter(Boolean);
}

export async function render(view) {
  if (!EDITORS.has(getState().user?.role)) {
    mount(view, ...forbidden(t("rules.title"), t("rules.forbidden")));
    return null;
  }
  const message = h("p", { class: "alert info", role: "status", hidden: true, "data-testid": "rules-message" });
  const say = (text, kind = "info") => {
    message.textContent = text;
    message.className = `alert ${kind}`;
    message.hidden = !text;
  };
  const explain = (err) => say(err instanceof api.NetworkError || !navigator.onLine ? t("rules.offline") : err.message, "error");
  const token = await getMeta("token");
  let rules = [];
  let editing = null;

  const draw = () => mount(view,
    h("h1", { tabindex: "-1" }, t("rules.title")),
    h("p", { class: "lead" }, t("rules.lead")),
    message,
    h("ol", { class: "list rules", "data-testid": "rules" }, rules.map((rule, index) => ruleRow(rule, index))),
    ruleForm(editing),
    trialForm());

  const act = async (work) => {
    try {
      await work();
      rules = (await api.routingRules(token)).rules;
      say("");
    } catch (err) {
      explain(err);
    }
    draw();
  };

  const ruleRow = (rule, index) => h("li", { class: "row static rule", dataset: { id: String(rule.id) } },
    // The route on a line of its own: names often say it already (「品質・故障の苦情 → 製造」).
    h("span", { class: "row-title" }, `${rule.position}. ${rule.name}`),
    h("span", { class: "row-meta" },
      h("span", { "data-testid": "rule-row-route" }, t("request.route"), ": ", label("request.route", rule.route_to)),
      rule.keywords.length ? h("span", {}, t("rules.keywords"), ": ", list(rule.keywords)) : null,
      rule.kinds.length ? h("span", {}, t("request.kind"), ": ", list(rule.kinds.map((k) => label("request.kind", k)))) : null,
      rule.urgencies.length ? h("span", {}, t("request.urgency"), ": ", list(rule.urgencies.map((u) => label("request.urgency", u)))) : null),
    h("span", { class: "rule-actions" },
      button(t("rules.up"), { class: "button small", disabled: index === 0, "aria-label": t("rules.upOf", { name: rule.name }),
        onClick: () => act(() => api.editRule(token, rule.id, { position: rule.position - 1 })) }),
      button(t("rules.down"), { class: "button small", disabled: index === rules.length - 1, "aria-label": t("rules.downOf", { name: rule.name }),
        onClick: () => act(() => api.editRule(token, rule.id, { position: rule.position + 1 })) }),
      button(t("form.edit"), { class: "button small", "aria-label": t("rules.editOf", { name: rule.name }),
        onClick: () => { editing = rule; draw(); view.querySelector("#rule-form-h")?.scrollIntoView(); } }),
      button(t("rules.delete"), { class: "button small danger", "aria-label": t("rules.deleteOf", { name: rule.name }),
        onClick: () => { if (confirm(t("rules.confirmDelete", { name: rule.name }))) act(() => api.removeRule(token, rule.id)); } })));

  const ruleForm = (rule) => {
    const name = input({ value: rule?.name || "", maxlength: 200, "data-testid": "rule-name" });
    const keywords = input({ value: list(rule?.keywords || []), "data-testid": "rule-keywords" });
    const route = select(TEAMS.map((r) => [r, label("request.route", r)]), rule?.route_to || "triage", { "data-testid": "rule-route" });
    const kinds = h("fieldset", { class: "field choices", dataset: { field: "kinds" } },
      h("legend", {}, t("rules.kinds")),
      h("div", { class: "choice-row" }, KINDS.map((k) => h("label", { class: "choice" },
        h("input", { type: "checkbox", name: "kinds", value: k, checked: (rule?.kinds || []).includes(k) }),
        h("span", {}, label("request.kind", k))))));
    const form = h("form", { class: "form rule-form", "data-testid": "rule-form" },
      h("h2", { id: "rule-form-h" }, rule ? t("rules.editTitle", { name: rule.name }) : t("rules.addTitle")),
      field({ name: "name", label: t("rules.name"), control: name, required: true }),
      field({ name: "keywords", label: t("rules.keywords"), control: keywords, hint: t("rules.keywordsHint") }),
      kinds,
      field({ name: "route_to", label: t("request.route"), control: route, required: true }),
      h("div", { class: "rule-form-actions" },
        submitButton(rule ? t("form.save") : t("rules.add"), { "data-testid": "rule-save" }),
        rule ? button(t("form.cancel"), { onClick: () => { editing = null; draw(); } }) : null));
    guardForm(form, () => {
      const body = { name: name.value.trim(), keywords: words(keywords.value), route_to: route.value,
        kinds: [...form.querySelectorAll("input[name=kinds]:checked")].map((c) => c.value) };
      if (!body.name) return showErrors(form, { name: [t("rules.nameMissing")] });
      return act(async () => {
        await (rule ? api.editRule(token, rule.id, body) : api.addRule(token, body));
        editing = null;
      });
    });
    return form;
  };

  const trialForm = () => {
    const text = input({ "data-testid": "trial-text" });
    const result = h("p", { class: "trial-result", role: "status", "data-testid": "trial-result" });
    const form = h("form", { class: "form trial" },
      h("h2", {}, t("rules.tryTitle")),
      field({ name: "trial", label: t("rules.tryText"), control: text }),
      submitButton(t("rules.try"), { class: "button", "data-testid": "trial-run" }), result);
    guardForm(form, async () => {
      try {
        const answer = await api.tryRules(token, { title: text.value, kind: "complaint" });
        result.textContent = t("rules.tryResult", { route: label("request.route", answer.route_to), rule: answer.rule || t("rules.noRule") });
      } catch (err) {
        result.textContent = err instanceof api.NetworkError ? t("rules.offline") : err.message;
      }
    });
    return form;
  };

  try {
    rules = (await api.routingRules(token)).rules;
  } catch (err) {
    explain(err);
  }
  draw();
  return null;
}
