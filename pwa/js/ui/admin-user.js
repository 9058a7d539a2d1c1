// One person (admin, online): change their name, role or team, set a new password (their
// devices must sign in again), deactivate them (their devices are wiped at their next sync) or
// let them back in; and their devices with first and last use, each revocable after a
// confirmation.

import * as api from "../api.js";
import { getMeta } from "../db.js";
import { dateTime, deviceMark } from "../format.js";
import { t } from "../i18n.js";
import { getState } from "../store.js";
import { adminScreen, adminTabs, confirmButton, messageLine, problemText, roleAndTeam, roles } from "./admin-parts.js";
import { MIN_PASSWORD, fieldErrors, passwordInput, roleSelect, teamCode, teamInput, teamOption } from "./admin-users.js";
import { h, mount } from "./dom.js";
import { field, guardForm, input, showErrors, submitButton } from "./form.js";
import { empty, fact, notFound } from "./widgets.js";

export function render(view, { params }) {
  return adminScreen(view, t("admin.user.title"), () => draw(view, params[0]));
}

async function draw(view, userId) {
  const token = await getMeta("token");
  const { el: message, say } = messageLine("admin-message");
  let user;
  let devices;
  let allRoles;
  let teams;

  const load = async () => {
    const [{ users }, answer, known] = await Promise.all([
      api.adminUsers(token), api.userDevices(token, userId), roles()]);
    user = users.find((u) => u.id === userId);
    devices = answer.devices;
    allRoles = known;
    teams = [...new Set(users.map((u) => u.team).filter(Boolean))].sort();
  };
  const act = async (work, done) => {
    try {
      await work();
      await load();
      paint();
      say(done);
    } catch (err) {
      say(problemText(err), "error");
      return err;
    }
    return null;
  };

  const paint = () => mount(view,
    h("p", { class: "crumbs" }, h("a", { href: "#/admin/users" }, t("admin.user.back"))),
    h("h1", { tabindex: "-1", "data-testid": "admin-user-name" }, user.name),
    adminTabs("users"),
    message,
    h("dl", { class: "facts", "data-testid": "admin-user-facts" },
      fact(t("admin.user.login"), h("span", { class: "mono" }, user.login)),
      fact(t("admin.user.roleTeam"), roleAndTeam(user)),
      fact(t("admin.user.state"), user.active ? t("admin.active") : h("span", { class: "badge error" }, t("admin.inactive"))),
      fact(t("admin.user.lastSeen"), user.last_seen ? dateTime(user.last_seen) : t("admin.neverSeen"))),
    h("h2", {}, t("admin.devices.title")),
    devicesList(),
    changeForm(),
    passwordForm(),
    activeSection());

  const devicesList = () => h("ul", { class: "list", "data-testid": "admin-devices" },
    devices.length ? devices.map((device) => h("li", { class: "row static", dataset: { id: device.id } },
      h("span", { class: "row-title" }, device.name),
      device.revoked
        ? h("span", { class: "badge error", "data-testid": "device-revoked" }, t("admin.devices.revoked"))
        : h("span", { class: "badge clear" }, t("admin.devices.inUse")),
      device.id === getState().deviceId ? h("span", { class: "badge info" }, t("admin.devices.this")) : null,
      h("span", { class: "row-meta" },
        h("span", {}, t("admin.devices.firstSeen", { when: dateTime(device.first_seen) })),
        h("span", {}, device.last_seen ? t("admin.lastSeen", { when: dateTime(device.last_seen) }) : t("admin.neverSeen")),
        h("span", { "data-testid": "device-mark" }, deviceMark(device.id))),
      device.revoked ? null : confirmButton(t("admin.devices.revoke"), {
        question: t("admin.devices.revokeQuestion", { device: device.name, name: user.name }),
        confirm: t("admin.devices.revokeConfirm"), testid: "revoke-device",
        onConfirm: () => act(() => api.revokeDevice(token, device.id), t("admin.devices.revokedDone", { device: device.name })),
      })))
      : empty(t("admin.devices.none"), "no-devices"));

  const changeForm = () => {
    const name = input({ value: user.name, maxlength: 100, "data-testid": "user-name" });
    const role = roleSelect(allRoles, user.role);
    const team = teamInput(user.team, "admin-teams");
    const form = h("form", { class: "form admin-form", "data-testid": "change-user" },
      h("h2", {}, t("admin.user.changeTitle")),
      field({ name: "name", label: t("admin.user.name"), control: name, required: true }),
      field({ name: "role", label: t("admin.user.role"), control: role, required: true }),
      field({ name: "team", label: t("admin.user.team"), control: team, hint: t("admin.user.scopeHint") }),
      h("datalist", { id: "admin-teams" }, teams.map(teamOption)),
      submitButton(t("admin.user.save"), { "data-testid": "save-user" }));
    guardForm(form, async () => {
      if (!name.value.trim()) return showErrors(form, { name: [t("admin.user.nameMissing")] });
      const err = await act(() => api.changeUser(token, user.id,
        { name: name.value.trim(), role: role.value, team: teamCode(team.value) }), t("admin.user.saved"));
      if (err) showErrors(form, fieldErrors(err));
    });
    return form;
  };

  const passwordForm = () => {
    const password = passwordInput("new-password");
    const form = h("form", { class: "form admin-form", "data-testid": "reset-password" },
      h("h2", {}, t("admin.user.passwordTitle")),
      field({ name: "password", label: t("admin.user.newPassword"), control: password, required: true,
        hint: t("admin.user.passwordResetHint", { n: MIN_PASSWORD }) }),
      submitButton(t("admin.user.setPassword"), { class: "button", "data-testid": "set-password" }));
    guardForm(form, async () => {
      if (password.value.length < MIN_PASSWORD) {
        return showErrors(form, { password: [t("admin.user.passwordShort", { n: MIN_PASSWORD })] });
      }
      const err = await act(() => api.changeUser(token, user.id, { password: password.value }),
        t("admin.user.passwordSet", { name: user.name }));
      if (err) showErrors(form, fieldErrors(err));
    });
    return form;
  };

  const activeSection = () => (user.id === getState().user?.id
    ? h("p", { class: "hint admin-form", "data-testid": "user-self" }, t("admin.user.self"))
    : h("section", { class: "form admin-form", "data-testid": "user-active" },
    h("h2", {}, user.active ? t("admin.user.deactivateTitle") : t("admin.user.activateTitle")),
    h("p", { class: "hint" }, user.active ? t("admin.user.deactivateHint") : t("admin.user.activateHint")),
    user.active
      ? confirmButton(t("admin.user.deactivate"), {
        question: t("admin.user.deactivateQuestion", { name: user.name }),
        confirm: t("admin.user.deactivateConfirm"), testid: "deactivate",
        onConfirm: () => act(() => api.changeUser(token, user.id, { active: false }), t("admin.user.deactivated", { name: user.name })),
      })
      : confirmButton(t("admin.user.activate"), {
        question: t("admin.user.activateQuestion", { name: user.name }),
        confirm: t("admin.user.activateConfirm"), testid: "activate", danger: false,
        onConfirm: () => act(() => api.changeUser(token, user.id, { active: true }), t("admin.user.activated", { name: user.name })),
      })));

  try {
    await load();
  } catch (err) {
    mount(view, h("h1", { tabindex: "-1" }, t("admin.user.title")), adminTabs("users"),
      h("p", { class: "alert error", role: "alert", "data-testid": "admin-message" }, problemText(err)));
    return;
  }
  if (!user) {
    mount(view, ...notFound(t("admin.user.title"), "#/admin/users", t("admin.user.back")));
    return;
  }
  paint();
}
