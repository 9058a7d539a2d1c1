// What the admin screens (users, a user's devices, the audit trail) share: who may open them,
// the tabs between them, the offline state (they call the admin API directly, there is no copy
// on the device), the server's errors in words, and a confirmation step inside the page.

import * as api from "../api.js";
import { label, t } from "../i18n.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { button } from "./form.js";
import { forbidden } from "./widgets.js";

export const ADMINS = new Set(["admin"]);

/** The tabs between the admin screens; `current` is "users" or "audit". */
export function adminTabs(current) {
  return h("nav", { class: "tabs", "aria-label": t("admin.tabs") },
    [["users", "#/admin/users"], ["audit", "#/admin/audit"]].map(([name, href]) =>
      h("a", { href, class: "tab", "aria-current": name === current ? "page" : null,
        "data-testid": `admin-tab-${name}` }, t(`admin.tab.${name}`))));
}

/**
 * Draw an admin screen through `draw()` when the user is an admin and online; otherwise say
 * why not, and draw it when the network comes back (a screen already drawn is left alone, so
 * a form being filled in is never reset). Answers the screen's cleanup.
 */
export async function adminScreen(view, title, draw) {
  if (!ADMINS.has(getState().user?.role)) {
    mount(view, ...forbidden(title, t("admin.forbidden"), "admin-forbidden"));
    return null;
  }
  let waiting = false; // showing the offline notice: redraw when the network is back
  const show = async () => {
    waiting = !navigator.onLine;
    if (waiting) mount(view, h("h1", { tabindex: "-1" }, title), offlineNotice());
    else await draw();
  };
  const back = () => waiting && show();
  window.addEventListener("online", back);
  await show();
  return () => window.removeEventListener("online", back);
}

/** 「オフラインでは使えません」 and what to do about it. */
export function offlineNotice() {
  return h("div", { class: "alert warn", role: "alert", "data-testid": "admin-offline" },
    h("p", { class: "alert-title" }, t("admin.offline")), h("p", {}, t("admin.offlineHow")));
}

/** A failure of the admin API in words a person can act on (the one JSON error shape). */
export function problemText(err) {
  if (err instanceof api.NetworkError || !navigator.onLine) return t("admin.unreachable");
  if (err instanceof api.ApiError) {
    const known = { 401: "admin.error.401", 403: "admin.error.403", 404: "admin.error.404" }[err.status];
    if (err.reason && t(`admin.reason.${err.reason}`) !== `admin.reason.${err.reason}`) return t(`admin.reason.${err.reason}`);
    if (known) return t(known);
    if (err.status === 422) return t("admin.error.422");
    return t("admin.error.other", { status: err.status, message: err.message });
  }
  return String(err?.message || err);
}

/** A message line a screen reuses: `say(text, kind)` shows it, `say("")` hides it. */
export function messageLine(testid) {
  const el = h("p", { class: "alert info", role: "status", hidden: true, "data-testid": testid });
  const say = (text, kind = "info") => {
    el.textContent = text;
    el.className = `alert ${kind}`;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    el.hidden = !text;
  };
  return { el, say };
}

/**
 * A button that asks first, in the page: a tap shows `question` with a confirm and a keep
 * button (no browser dialog, so it reads the same with gloves and in tests).
 */
export function confirmButton(text, { question, confirm, onConfirm, testid, danger = true }) {
  const box = h("span", { class: "confirm-step" });
  const ask = () => mount(box,
    h("span", { class: "alert warn confirm-question", role: "alert" }, question),
    button(confirm, { class: "button small danger", "data-testid": `${testid}-confirm`,
      onClick: async (event) => { event.currentTarget.disabled = true; await onConfirm(); } }),
    button(t("admin.keep"), { class: "button small", "data-testid": `${testid}-keep`, onClick: idle }));
  const idle = () => mount(box, button(text, { class: danger ? "button small danger" : "button small",
    "data-testid": testid, onClick: ask }));
  idle();
  return box;
}

let vocabulary = null;

/** The server's vocabulary (fetched once): the one list of roles and of audited actions. */
async function serverVocabulary() {
  vocabulary = vocabulary || await api.vocabulary();
  return vocabulary;
}

/** The roles a user may have. */
export async function roles() {
  return (await serverVocabulary()).roles;
}

/** What the audit trail records, in the server's order. */
export async function auditActions() {
  return (await serverVocabulary()).enums["audit.action"].map((entry) => entry.code);
}

/** 「システム管理者 · 営業部」: a user's role and team. */
export function roleAndTeam(user) {
  return [label("role", user.role), label("team", user.team) || t("admin.noTeam")].join(" · ");
}
