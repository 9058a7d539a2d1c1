// Sign in (online, once per device). After a token expired the same screen asks only for the
// password, and the unsent work goes out as soon as it is entered.

import { ApiError, NetworkError } from "../api.js";
import { OtherUserDrafts, OtherUserPending, signIn } from "../auth.js";
import { getMeta } from "../db.js";
import { t } from "../i18n.js";
import { getState, update } from "../store.js";
import { requestSync } from "../sync.js";
import { h, mount } from "./dom.js";
import { actionBar, clearErrors, field, guardForm, input, showErrors, submitButton } from "./form.js";

export async function render(view, { query, navigate }) {
  const state = getState();
  const reauth = Boolean(state.user) && (query.get("reauth") === "1" || state.authNeeded);
  const knownLogin = reauth ? await getMeta("login") : "";
  const login = input({ autocomplete: "username", autocapitalize: "none", spellcheck: "false",
    value: knownLogin || "", readOnly: reauth, enterkeyhint: "next" });
  const password = input({ type: "password", autocomplete: "current-password", enterkeyhint: "go" });
  const general = h("p", { class: "alert error", role: "alert", hidden: true, "data-testid": "login-error" });
  const submit = submitButton(t(reauth ? "login.again" : "login.submit"));
  const form = h("form", { class: "form login" },
    field({ name: "login", label: t("login.login"), control: login, required: true }),
    field({ name: "password", label: t("login.password"), control: password, required: true }),
    general,
    actionBar(submit));
  const lost = state.wiped && (state.wiped.unsent || state.wiped.typed)
    ? t("login.revokedLost", { unsent: state.wiped.unsent, typed: state.wiped.typed }) : "";
  const notice = state.notice === "revoked"
    ? h("p", { class: "alert warn", role: "status", "data-testid": "wiped" }, t("login.revoked"), lost) : null;
  mount(view,
    h("h1", { tabindex: "-1" }, t(reauth ? "login.reauthTitle" : "login.title")),
    notice,
    h("p", { class: "lead" }, t(reauth ? "login.reauthIntro" : "login.intro", { n: state.pending })),
    form);

  guardForm(form, async () => {
    clearErrors(form);
    general.hidden = true;
    const errors = {};
    if (!login.value.trim()) errors.login = [t("login.loginMissing")];
    if (!password.value) errors.password = [t("login.passwordMissing")];
    if (showErrors(form, errors)) return;
    submit.disabled = true;
    submit.textContent = t("login.busy");
    try {
      try {
        await signIn(login.value.trim(), password.value);
      } catch (err) {
        // The last person's unsaved forms: the next person decides, told how many there are.
        if (!(err instanceof OtherUserDrafts && confirm(t("login.otherUserDrafts", { n: Number(err.message) })))) throw err;
        await signIn(login.value.trim(), password.value, { dropDrafts: true });
      }
      update({ notice: null, wiped: null });
      requestSync("manual");
      navigate(query.get("next") || "#/customers");
    } catch (err) {
      general.textContent = loginError(err);
      general.hidden = false;
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = t(reauth ? "login.again" : "login.submit");
    }
  });
}

function loginError(err) {
  if (err instanceof OtherUserPending) return t("login.otherUserPending", { n: err.message });
  if (err instanceof OtherUserDrafts) return t("login.otherUserDraftsKept", { n: err.message });
  if (err instanceof NetworkError) return t("login.offline");
  if (err instanceof ApiError) {
    if (err.status === 401) return t("login.bad");
    if (err.status === 403) return t("login.deviceRevoked");
    if (err.status === 429) return t("login.rateLimited");
    return err.message;
  }
  return String(err?.message || err);
}
