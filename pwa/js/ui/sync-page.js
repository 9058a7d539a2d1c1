// Sync in detail: what is waiting to be sent, what the server refused (with its message, to be
// fixed and resent or given up), the device and its storage, the language, and signing out.

import * as auth from "../auth.js";
import { getMeta } from "../db.js";
import * as drafts from "../drafts.js";
import { dateTime, deviceMark } from "../format.js";
import { label, lang, setLang, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { getRecord } from "../records.js";
import { getState, subscribe } from "../store.js";
import { requestCheck, requestSync, unsentCount } from "../sync.js";
import { h, mount } from "./dom.js";
import { actionBar, button, fieldName } from "./form.js";
import { photoQueueSection } from "./photos.js";
import { drawThenRedrawOnData } from "./redraw.js";
import { empty } from "./widgets.js";

const FIXABLE = new Set(["customers", "contacts", "visits", "requests"]);

export async function render(view, { navigate }) {
  const photoQueue = photoQueueSection(); // made once, kept across redraws: it draws itself
  const draw = async () => {
    const entries = await outbox.entries();
    const work = entries.filter(outbox.isWork); // not read marks
    const pending = work.filter((e) => e.status === "pending");
    const rejected = work.filter((e) => e.status === "rejected");
    const state = getState();
    mount(view,
      h("h1", { tabindex: "-1" }, t("syncPage.title")),
      h("dl", { class: "facts" },
        h("dt", {}, t("syncPage.lastSync")), h("dd", {}, state.lastSync ? dateTime(state.lastSync) : t("sync.never")),
        h("dt", {}, t("syncPage.user")), h("dd", {}, state.user ? t("text.aside", { text: state.user.name, aside: label("role", state.user.role) }) : ""),
        h("dt", {}, t("syncPage.device")), h("dd", {}, deviceLabel(state.deviceId)),
        h("dt", {}, t("syncPage.storage")), h("dd", {}, t(state.persisted ? "syncPage.persistent" : "syncPage.notPersistent")),
        h("dt", {}, t("syncPage.check")), h("dd", {},
          h("div", { "data-testid": "device-check" }, checkText(await getMeta("checked"))),
          h("p", { class: "hint" }, t("syncPage.checkHint")),
          // With edits unsent the device differs on purpose: the check waits for them.
          button(t("syncPage.checkNow"), { "data-testid": "check-now",
            disabled: state.syncing || !navigator.onLine || Boolean(entries.length),
            onClick: () => requestCheck() }))),
      state.persisted === false ? h("p", { class: "alert info" }, t("sync.notPersistent")) : null,
      h("section", {},
        h("h2", {}, t("syncPage.rejected", { n: rejected.length })),
        rejected.length ? h("p", { class: "lead" }, t("syncPage.rejectedIntro")) : null,
        rejected.length ? h("ul", { class: "cards", "data-testid": "rejected-list" },
          await Promise.all(rejected.map((e) => rejectedCard(e, navigate))))
          : empty(t("syncPage.noRejected"))),
      h("section", {},
        h("h2", {}, t("syncPage.pending", { n: pending.length })),
        pending.length ? h("ul", { class: "list compact", "data-testid": "pending-list" },
          await Promise.all(pending.map(pendingRow)))
          : empty(t(rejected.length ? "syncPage.noneWaiting" : "sync.allSent"))), // not 「すべて」 beside refusals
      photoQueue,
      draftsSection(),
      h("section", {},
        h("h2", {}, t("syncPage.settings")),
        h("div", { class: "actions inline" },
          button(lang() === "ja" ? "English" : "日本語", { lang: lang() === "ja" ? "en" : "ja",
            onClick: () => { setLang(lang() === "ja" ? "en" : "ja"); location.reload(); } }),
          button(t("syncPage.signOut"), { class: "button danger", onClick: () => signOut(navigate) }))),
      actionBar(button(t("sync.now"), { class: "button primary", "data-testid": "sync-now-big",
        disabled: state.syncing, onClick: () => requestSync("manual") })));
  };
  const offData = await drawThenRedrawOnData(draw);
  let syncing = getState().syncing;
  const offState = subscribe((state) => {
    if (state.syncing !== syncing) {
      syncing = state.syncing;
      draw();
    }
  });
  return () => { offData(); offState(); photoQueue.dispose(); };
}

/** What the last check of the device's records found (check.js). */
function checkText(checked) {
  if (!checked) return t("syncPage.checkNever");
  const when = dateTime(checked.at);
  if (checked.failed) return t("syncPage.checkFailed", { when });
  const n = checked.records;
  const waiting = checked.waiting || 0; // left for their unsent edits: checked again once sent
  if (waiting) return t(n ? "syncPage.checkFixedWaiting" : "syncPage.checkWaiting", { when, n, waiting });
  return n ? t("syncPage.checkFixed", { when, n }) : t("syncPage.checkSame", { when });
}

/** This device by a short mark; the whole id (for an admin revoking it) only on request. */
function deviceLabel(deviceId) {
  if (!deviceId) return "";
  return h("details", { class: "device-id" },
    h("summary", {}, t("syncPage.deviceShort", { mark: deviceMark(deviceId) })),
    h("span", { class: "mono", "data-testid": "device-id" }, deviceId));
}

async function summary(entry) {
  const record = await getRecord(entry.entity, entry.record_id);
  const source = { ...(record || {}), ...entry.changes };
  if (entry.entity === "attachments") { // a photo: whose it is, not its file name or purpose code
    return (await getRecord("customers", source.customer_id))?.name || dateTime(entry.created_ms);
  }
  return source.title || source.name || source.purpose || source.filename || (source.visited_at ? dateTime(source.visited_at) : "")
    || dateTime(entry.created_ms);
}

/** The forms typed and not saved, each a link back to it; none, no section. */
function draftsSection() {
  const typed = drafts.listed();
  if (!typed.length) return null;
  return h("section", { "data-testid": "drafts" },
    h("h2", {}, t("syncPage.drafts", { n: typed.length })),
    h("p", { class: "lead" }, t("syncPage.draftsIntro")),
    h("ul", { class: "list compact" }, typed.map(({ address, at }) => h("li", {},
      h("a", { class: "row", href: address },
        h("span", { class: "row-title" }, formName(address)),
        at ? h("span", { class: "row-meta" }, dateTime(at)) : null)))));
}

/** 「訪問の記録（新規）」, 「顧客（編集）」, 「作業日報」: what a draft's address opens. */
function formName(address) {
  const [, screen, which] = address.match(/^#\/([\w-]+)(?:\/([\w-]+))?/) || [];
  const key = `syncPage.draftForm.${screen}`;
  const kind = t(key) === key ? t("syncPage.draftForm.other") : t(key);
  if (screen === "today") return kind;
  return t("text.aside", { text: kind, aside: t(which === "new" ? "syncPage.draftNew" : "syncPage.draftEdit") });
}

async function pendingRow(entry) {
  return h("li", { class: "row static" },
    h("span", { class: "row-title" }, t("text.named", { kind: label("entity", entry.entity), name: await summary(entry) })),
    h("span", { class: "row-meta" }, dateTime(entry.created_ms), entry.attempted ? ` · ${t("syncPage.sent")}` : ""));
}

async function rejectedCard(entry, navigate) {
  const messages = Object.entries(entry.errors || {})
    .map(([name, list]) => h("li", {}, `${fieldName(name)}: ${[].concat(list).join(" ")}`));
  // Mended in the record's own form, which shows the server's reasons and sends the refused
  // change again with the corrections (a deletion has nothing to mend).
  const fixHref = FIXABLE.has(entry.entity) && entry.op === "upsert"
    ? `#/${entry.entity}/${entry.record_id}/edit?fix=${entry.seq}` : null;
  return h("li", { class: "card rejected", "data-testid": "rejected-entry" },
    h("h3", {}, t("text.named", { kind: label("entity", entry.entity), name: await summary(entry) })),
    h("ul", { class: "errors" }, messages),
    h("div", { class: "actions inline" },
      fixHref ? button(t("syncPage.fix"), { class: "button primary", onClick: () => navigate(fixHref) }) : null,
      button(t("syncPage.resend"), { onClick: () => outbox.resend(entry.seq) }),
      button(t("syncPage.discard"), { class: "button danger", onClick: () => {
        if (confirm(t("syncPage.discardConfirm"))) outbox.discard(entry.seq);
      } })));
}

async function signOut(navigate) {
  const unsent = await unsentCount(); // the status bar's count: records and photos
  const typed = drafts.count(); // forms typed and not saved, which the sign-out erases too
  const warning = [typed ? t("syncPage.signOutDrafts", { n: typed }) : null,
    unsent ? t("syncPage.signOutUnsent", { n: unsent }) : t("syncPage.signOutConfirm")];
  if (!confirm(warning.filter(Boolean).join(t("text.sentences")))) return;
  await auth.signOut();
  navigate("#/login");
}
