// The users of the company (admin, online): everyone with role, team, whether they may sign
// in, how many devices and when one was last used; and a form to add a person. A person's own
// page (admin-user.js) changes them and lists their devices.

import * as api from "../api.js";
import { getMeta } from "../db.js";
import { dateTime } from "../format.js";
import { codes, label, t } from "../i18n.js";
import { adminScreen, adminTabs, messageLine, problemText, roleAndTeam, roles } from "./admin-parts.js";
import { h, mount } from "./dom.js";
import { field, guardForm, input, select, showErrors, submitButton } from "./form.js";
import { emptyItem } from "./widgets.js";

export const MIN_PASSWORD = 8;

export function render(view) {
  return adminScreen(view, t("admin.users.title"), () => draw(view));
}

async function draw(view) {
  const token = await getMeta("token");
  const { el: message, say } = messageLine("admin-message");
  const list = h("ul", { class: "list", "data-testid": "admin-users" });
  let form;
  try {
    form = newUserForm(token, await roles(), async (user) => {
      say(t("admin.users.added", { name: user.name, login: user.login }));
      await refresh();
    });
  } catch (err) {
    mount(view, h("h1", { tabindex: "-1" }, t("admin.users.title")), adminTabs("users"),
      h("p", { class: "alert error", role: "alert", "data-testid": "admin-message" }, problemText(err)));
    return;
  }
  mount(view, h("h1", { tabindex: "-1" }, t("admin.users.title")), adminTabs("users"),
    h("p", { class: "lead" }, t("admin.users.lead")), message, list, form);

  async function refresh() {
    try {
      const { users } = await api.adminUsers(token);
      mount(list, users.length ? users.map(userRow) : emptyItem(t("admin.users.none")));
      teamOptions(form, users);
    } catch (err) {
      say(problemText(err), "error");
    }
  }
  await refresh();
}

function userRow(user) {
  return h("li", { dataset: { login: user.login } },
    h("a", { class: "row", href: `#/admin/users/${user.id}`, "data-testid": "admin-user" },
      h("span", { class: "row-title" }, user.name),
      h("span", { class: "row-sub mono" }, user.login),
      user.active ? null : h("span", { class: "badge error", "data-testid": "inactive" }, t("admin.inactive")),
      h("span", { class: "row-meta" },
        h("span", {}, roleAndTeam(user)),
        h("span", { "data-testid": "device-count" }, t("admin.users.devices", { n: user.devices })),
        h("span", {}, user.last_seen ? t("admin.lastSeen", { when: dateTime(user.last_seen) }) : t("admin.neverSeen")))));
}

/** The teams already in use, offered as suggestions for the team field. */
function teamOptions(form, users) {
  const teams = [...new Set(users.map((u) => u.team).filter(Boolean))].sort();
  mount(form.querySelector("datalist"), teams.map(teamOption));
}

/** A team as the team field shows and offers it: by its name for a named team (office 「事務」). */
export function teamText(team) {
  return team ? label("team", team) : "";
}

/** The team to store for what was typed in the team field: a named team's code for its name
 * (the teams the screens name are those the server routes requests to). */
export function teamCode(typed) {
  const text = typed.trim();
  return codes("team").find((code) => code === text || label("team", code) === text) || text || null;
}

export function teamOption(team) {
  return h("option", { value: teamText(team) });
}

/** A drop-down of `roles` with their labels, `value` chosen. */
export function roleSelect(roles, value) {
  return select(roles.map((role) => [role, label("role", role)]), value, { "data-testid": "user-role" });
}

export function teamInput(value, listId) {
  return input({ value: teamText(value), maxlength: 64, list: listId, "data-testid": "user-team" });
}

export function passwordInput(testid) {
  return input({ type: "password", autocomplete: "new-password", maxlength: 256, "data-testid": testid });
}

function newUserForm(token, roles, added) {
  const login = input({ maxlength: 64, autocapitalize: "off", spellcheck: "false", "data-testid": "user-login" });
  const name = input({ maxlength: 100, "data-testid": "user-name" });
  const role = roleSelect(roles, "rep");
  const team = teamInput("", "admin-teams");
  const password = passwordInput("user-password");
  const form = h("form", { class: "form admin-form", "data-testid": "new-user" },
    h("h2", {}, t("admin.users.addTitle")),
    field({ name: "name", label: t("admin.user.name"), control: name, required: true }),
    field({ name: "login", label: t("admin.user.login"), control: login, required: true, hint: t("admin.user.loginHint") }),
    field({ name: "role", label: t("admin.user.role"), control: role, required: true }),
    field({ name: "team", label: t("admin.user.team"), control: team, hint: t("admin.user.teamHint") }),
    h("datalist", { id: "admin-teams" }),
    field({ name: "password", label: t("admin.user.password"), control: password, required: true,
      hint: t("admin.user.passwordHint", { n: MIN_PASSWORD }) }),
    submitButton(t("admin.users.add"), { "data-testid": "add-user" }));
  guardForm(form, async () => {
    const body = { login: login.value.trim(), name: name.value.trim(), role: role.value,
      team: teamCode(team.value), password: password.value };
    const missing = {};
    if (!body.name) missing.name = [t("admin.user.nameMissing")];
    if (!body.login) missing.login = [t("admin.user.loginMissing")];
    if (body.password.length < MIN_PASSWORD) missing.password = [t("admin.user.passwordShort", { n: MIN_PASSWORD })];
    if (Object.keys(missing).length) return showErrors(form, missing);
    try {
      const user = await api.addUser(token, body);
      form.reset();
      await added(user);
    } catch (err) {
      showErrors(form, fieldErrors(err));
      form.querySelector("[data-testid=form-problem]")?.remove();
      form.append(h("p", { class: "alert error", role: "alert", "data-testid": "form-problem" }, problemText(err)));
    }
  });
  return form;
}

/** The server's field errors, in words, under the fields they name. */
export function fieldErrors(err) {
  if (err?.reason === "login_taken") return { login: [t("admin.reason.login_taken")] };
  const out = {};
  for (const name of Object.keys(err?.errors || {})) out[name] = [t("admin.user.fieldInvalid")];
  return out;
}
