// Always visible under the header: offline badge, pending count, last successful sync, errors,
// conflicts to review, and warnings (unsent work older than a day, storage that may be cleared).

import { companyDay, dateTime, time } from "../format.js";
import { t } from "../i18n.js";
import { getState, subscribe, update } from "../store.js";
import { requestSync, staleSince } from "../sync.js";
import { h, mount } from "./dom.js";
import { button, storageFull } from "./form.js";

/** The status badges (`el`, one short row) and the notes that need words (`notes`, below). */
export function syncStatus() {
  const el = h("section", { class: "sync-status", "aria-label": t("sync.label"), "data-testid": "sync-status" });
  const notes = h("div", { class: "sync-notes", "data-testid": "sync-notes" });
  const render = (state) => {
    el.dataset.syncing = String(state.syncing);
    el.dataset.lastSync = state.lastSync ? String(state.lastSync) : "";
    mount(el, badges(state));
    mount(notes, ...warnings(state));
  };
  render(getState());
  const dispose = subscribe(render);
  return { el, notes, dispose };
}

function lastSyncText(lastSync) {
  if (!lastSync) return t("sync.never");
  const sameDay = companyDay(lastSync) === companyDay(Date.now());
  return t("sync.last", { when: sameDay ? time(lastSync) : dateTime(lastSync) });
}

/** 「同期中…」, with the records stored so far once a pull has stored any (a phone shows the count
   alone: a first sync takes a while and its bar has room for little). */
function syncingText(received) {
  if (!received) return t("sync.running");
  const n = received.toLocaleString("ja-JP");
  return worded(t("sync.receiving", { n }), t("sync.receivingShort", { n }));
}

/** A badge's words, and the short form a phone's one-line bar shows (the long one is still read). */
function worded(long, short) {
  return [h("span", { class: "long" }, long), h("span", { class: "short", "aria-hidden": "true" }, short)];
}

function badges(state) {
  return h("div", { class: "status-row" },
    state.online ? null : h("span", { class: "badge offline", "data-testid": "offline-badge" },
      worded(t("sync.offline"), t("sync.offlineShort"))),
    // 「すべて送信済み」 only when nothing waits and nothing was refused.
    h("a", { class: ["badge", state.pending ? "pending" : state.rejected ? null : "clear"], href: "#/sync",
      "data-testid": "pending" },
      state.pending || state.rejected ? t("sync.pending", { n: state.pending })
        : worded(t("sync.allSent"), t("sync.allSentShort")),
      h("span", { class: "visually-hidden", "data-testid": "pending-count" }, String(state.pending))),
    state.rejected ? h("a", { class: "badge error", href: "#/sync", "data-testid": "rejected" },
      worded(t("sync.rejected", { n: state.rejected }), t("sync.rejectedShort", { n: state.rejected }))) : null,
    state.conflicts ? h("a", { class: "badge warn", href: "#/conflicts", "data-testid": "conflicts-badge" },
      worded(t("sync.conflicts", { n: state.conflicts }), t("sync.conflictsShort", { n: state.conflicts }))) : null,
    state.persisted === false ? h("a", { class: "badge info", href: "#/sync", "data-testid": "storage-warning" },
      t("sync.notPersistentShort")) : null,
    h("span", { class: ["last-sync", state.syncing && state.received ? "counting" : null], "data-testid": "last-sync" },
      state.syncing ? syncingText(state.received) : lastSyncText(state.lastSync)),
    button(worded(t("sync.now"), "↻"), { class: "button small sync-now", "data-testid": "sync-now",
      disabled: state.syncing, onClick: () => requestSync("manual") }));
}

function warnings(state) {
  const notes = [];
  if (state.notSaved) {
    notes.push(h("p", { class: "alert error", role: "alert", "data-testid": "not-saved-global" }, state.notSaved, " ",
      button(t("save.dismiss"), { class: "button small", onClick: () => update({ notSaved: null }) })));
  }
  if (state.authNeeded) {
    notes.push(h("p", { class: "alert error", role: "alert", "data-testid": "auth-needed" },
      t("sync.authNeeded"), " ",
      h("a", { href: "#/login?reauth=1", class: "button small primary" }, t("sync.signInAgain"))));
  } else if (state.error?.kind === "clock") {
    notes.push(h("p", { class: "alert error", role: "alert", "data-testid": "clock-skew" }, t("sync.clockSkew")));
  } else if (state.error?.kind === "outdated") {
    notes.push(h("p", { class: "alert error", role: "alert", "data-testid": "outdated" }, t("sync.outdated")));
  } else if (state.error?.kind === "server") {
    notes.push(h("p", { class: "alert error", role: "alert" }, t("sync.serverError", { message: state.error.message })));
  } else if (state.error?.kind === "storage") {
    notes.push(h("p", { class: "alert error", role: "alert", "data-testid": "storage-error" },
      // Full (or failing) storage in the words the forms use; another refusal with its reason.
      storageFull(state.error) ? t("sync.storageFull") : t("sync.storageError", { message: state.error.message })));
  } else if (state.error?.kind === "network") {
    notes.push(h("p", { class: "alert warn" }, t("sync.networkError")));
  }
  if (staleSince(state)) {
    notes.push(h("p", { class: "alert warn", "data-testid": "stale-warning" }, t("sync.stale")));
  }
  if (state.notice === "reload") {
    notes.push(h("p", { class: "alert info" }, t("sync.reload")));
  } else if (state.notice === "lost") {
    notes.push(h("p", { class: "alert warn", role: "alert", "data-testid": "db-lost" },
      [t(state.lost.edits ? "sync.lost" : "sync.lostNone", { edits: state.lost.edits }),
        state.lost.photosLost ? t("sync.lostPhotos", { n: state.lost.photosLost }) : null,
      ].filter(Boolean).join(t("text.sentences")), " ",
      button(t("save.dismiss"), { class: "button small", onClick: () => update({ notice: null }) })));
  }
  return notes;
}
