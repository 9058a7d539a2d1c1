// Boot and the hash router: open the store, register the service worker, show the screen the
// hash names (the login when nobody is signed in), and start syncing.

import { endOwed, ensureDeviceId, requestPersistence, wipeDevice } from "./auth.js";
import { getMetas, keepSpare, openDb, refusedWrite } from "./db.js";
import { lang, setLang, t } from "./i18n.js";
import * as drafts from "./drafts.js";
import * as outbox from "./outbox.js";
import * as photos from "./photos.js";
import { getState, onData, subscribe, update, whenErasedElsewhere } from "./store.js";
import * as sync from "./sync.js";
import * as conflicts from "./ui/conflicts.js";
import * as contactForm from "./ui/contact-form.js";
import * as customerForm from "./ui/customer-form.js";
import * as customerMerge from "./ui/customer-merge.js";
import * as customerPage from "./ui/customer-page.js";
import * as customers from "./ui/customers.js";
import * as followRequests from "./ui/follow-requests.js";
import { h, mount } from "./ui/dom.js";
import { notSavedText } from "./ui/form.js";
import * as exhibition from "./ui/exhibition.js";
import * as inbox from "./ui/inbox.js";
import * as login from "./ui/login.js";
import * as myRequests from "./ui/my-requests.js";
import { navigation, translateShell } from "./ui/nav.js";
import * as requestForm from "./ui/request-form.js";
import * as requestPage from "./ui/request-page.js";
import * as rules from "./ui/rules.js";
import * as syncPage from "./ui/sync-page.js";
import { syncStatus } from "./ui/sync-status.js";
import * as visitForm from "./ui/visit-form.js";
import * as visitPage from "./ui/visit-page.js";
// Deals, ball and follow-up
import * as board from "./ui/board.js";
import * as competitors from "./ui/competitors.js";
import * as dealForm from "./ui/deal-form.js";
import * as dealList from "./ui/deal-list.js";
import * as dealPage from "./ui/deal-page.js";
// Past-quote database
import * as quoteForm from "./ui/quote-form.js";
import * as quotePage from "./ui/quote-page.js";
import * as quotePrint from "./ui/quote-print.js";
import * as quotes from "./ui/quotes.js";
import * as loadChart from "./ui/load-chart.js";
// Work reports: the day, the daily report, the signature and the printed service report
import * as reportList from "./ui/reports.js";
import * as today from "./ui/today.js";
import * as visitPrint from "./ui/visit-print.js";
import * as visitSign from "./ui/visit-sign.js";
import * as loadSettings from "./ui/load-settings.js";
import { customers as customerImport, quotes as quoteImport } from "./ui/list-import.js";
// People: users, their devices and the audit trail (admins, online)
import * as adminAudit from "./ui/admin-audit.js";
import * as adminUser from "./ui/admin-user.js";
import * as adminUsers from "./ui/admin-users.js";

const ROUTES = [
  [/^\/login$/, login, { public: true }],
  [/^\/(?:customers)?$/, customers],
  [/^\/customers\/new$/, customerForm],
  [/^\/customers\/import$/, customerImport],
  [/^\/customers\/([\w-]+)\/edit$/, customerForm, { edit: true }],
  [/^\/customers\/([\w-]+)\/merge$/, customerMerge],
  [/^\/customers\/([\w-]+)$/, customerPage],
  [/^\/contacts\/new$/, contactForm],
  [/^\/contacts\/([\w-]+)\/edit$/, contactForm, { edit: true }],
  [/^\/visits\/new$/, visitForm],
  [/^\/visits\/([\w-]+)\/edit$/, visitForm, { edit: true }],
  [/^\/visits\/([\w-]+)\/sign$/, visitSign],
  [/^\/visits\/([\w-]+)\/print$/, visitPrint],
  [/^\/visits\/([\w-]+)$/, visitPage],
  [/^\/requests\/new$/, requestForm],
  [/^\/requests\/([\w-]+)\/edit$/, requestForm, { edit: true }],
  [/^\/requests\/([\w-]+)$/, requestPage],
  [/^\/exhibition$/, exhibition],
  [/^\/inbox$/, inbox],
  [/^\/my-requests$/, myRequests],
  [/^\/rules$/, rules],
  [/^\/conflicts$/, conflicts],
  [/^\/sync$/, syncPage],
  [/^\/follow-requests$/, followRequests],
  // Deals, ball and follow-up
  [/^\/deals$/, dealList],
  [/^\/deals\/new$/, dealForm],
  [/^\/deals\/([\w-]+)$/, dealPage],
  [/^\/board$/, board],
  [/^\/competitors$/, competitors],
  // Past-quote database
  [/^\/quotes$/, quotes],
  [/^\/quotes\/new$/, quoteForm],
  [/^\/quotes\/import$/, quoteImport],
  [/^\/quotes\/([\w-]+)\/edit$/, quoteForm, { edit: true }],
  [/^\/quotes\/([\w-]+)\/print$/, quotePrint],
  [/^\/quotes\/([\w-]+)$/, quotePage],
  [/^\/load$/, loadChart],
  [/^\/today$/, today],
  [/^\/reports$/, reportList],
  [/^\/load\/settings$/, loadSettings],
  [/^\/admin\/users$/, adminUsers],
  [/^\/admin\/users\/([\w-]+)$/, adminUser],
  [/^\/admin\/audit$/, adminAudit],
];

// What IndexedDB says when it cannot store: full, its files failing, its connection gone.
const REFUSED_BY_STORAGE = new Set(["QuotaExceededError", "UnknownError", "DataError", "InvalidStateError"]);

let cleanup = null;
let rendering = 0;
let shown = null; // the address drawn last
let replacing = null; // the history entry navigate(…, { replace }) is putting in place of the current one

/**
 * Show `hash`. With `replace`, it takes the place of the current address in the history: a
 * form just saved is not where Back goes (Back from the saved visit is the customer, not a
 * blank form inviting the same visit again). If `hash` is the page the current one was opened
 * from (an edit form saved, back on its record), the history goes back to it instead, so it is
 * not there twice.
 */
export function navigate(hash, { replace = false } = {}) {
  if (location.hash === hash) route();
  else if (replace && history.state?.from === hash) history.back();
  else if (replace) {
    replacing = { from: history.state?.from ?? null };
    location.replace(hash);
  } else location.hash = hash;
}

/** Note in each history entry the address it was opened from (kept through Back, Forward and
 * reloads, as entries keep their state). */
function noteWhereFrom() {
  if (history.state === null) history.replaceState(replacing ?? { from: shown }, "");
  replacing = null;
  shown = location.hash;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  return { path, query: new URLSearchParams(search) };
}

async function route() {
  noteWhereFrom();
  const { path, query } = parseHash();
  const view = document.getElementById("view");
  let match = null;
  for (const [pattern, screen, options = {}] of ROUTES) {
    const found = pattern.exec(path);
    if (found) {
      match = { screen, options, params: found.slice(1) };
      break;
    }
  }
  if (!match) return navigate("#/customers");
  if (!getState().user && !match.options.public) return navigate("#/login");
  const ticket = ++rendering;
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  const screen = screenIn(view, ticket);
  // A screen navigates only while the address is still its own: one the user has left for
  // another address (Back pressed with a filter's words typed, whose change then fires as the
  // box goes) must not take them back.
  const here = location.hash;
  const go = (hash, options) => (location.hash === here ? navigate(hash, options) : undefined);
  const result = await match.screen.render(screen.el, {
    params: match.params, query, edit: Boolean(match.options.edit), navigate: go, address: here,
  });
  if (ticket !== rendering) {
    if (typeof result === "function") result();
    return;
  }
  screen.show(); // a screen that drew nothing still takes the place of the one before
  cleanup = result;
  document.title = `${screen.el.querySelector("h1")?.textContent || ""} | Genba`;
  view.dataset.route = path;
  markCurrent(path);
  screen.el.querySelector("h1")?.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

/**
 * The element a screen draws in: its own, in `view`. A screen reads IndexedDB before it draws,
 * and the user may have moved on meanwhile; what a left screen draws late (its first drawing or
 * a redraw) goes into its own element, which is no longer on the page, and never covers the
 * screen the address names. The screen before stays in sight until the new one first draws
 * (no blank flash); the swap happens before the browser paints.
 */
function screenIn(view, ticket) {
  for (const child of view.querySelectorAll(":scope > .screen")) {
    if (child !== shownScreen) child.remove(); // screens left before they drew anything
  }
  const el = document.createElement("div");
  el.className = "screen";
  view.append(el);
  const show = () => {
    observer.disconnect();
    if (ticket !== rendering || shownScreen === el) return;
    shownScreen?.remove();
    // Whatever the view held itself (「読み込み中…」 until the first screen draws) goes too.
    for (const node of [...view.childNodes]) if (node !== el) node.remove();
    shownScreen = el;
  };
  const observer = new MutationObserver(show);
  observer.observe(el, { childList: true });
  return { el, show };
}

let shownScreen = null;

let disposeHeader = null;
let markCurrent = () => {};

/** The compact top bar (name, sync status), the tab bar and the menu; the tabs follow the role. */
function renderHeader() {
  const header = document.getElementById("header");
  disposeHeader?.();
  const user = getState().user;
  const status = user ? syncStatus() : null;
  const switchLang = (next) => {
    setLang(next);
    translateShell();
    renderHeader();
    route();
  };
  const nav = user ? navigation(user, switchLang) : null;
  disposeHeader = () => { status?.dispose(); nav?.dispose(); };
  markCurrent = nav ? nav.markCurrent : () => {};
  const other = lang() === "ja" ? "en" : "ja";
  document.body.classList.toggle("has-tabs", Boolean(nav));
  mount(header,
    h("a", { class: "brand", href: "#/customers" }, t("app.name")),
    status?.el,
    nav?.tabBar,
    h("button", {
      type: "button", class: "lang", lang: other, "data-testid": "lang-toggle",
      onClick: () => switchLang(other),
    }, t("lang.switch")),
    nav?.panel,
    status?.notes);
  markCurrent(parseHash().path);
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").then((registration) => {
    const offer = (worker) => {
      if (worker && navigator.serviceWorker.controller) showUpdate(worker);
    };
    offer(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      worker?.addEventListener("statechange", () => {
        if (worker.state === "installed") offer(worker);
      });
    });
    setInterval(() => registration.update().catch(() => {}), 30 * 60 * 1000);
  }).catch((err) => console.warn("service worker not registered", err));
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!getState().updateReady || reloading) return;
    reloading = true;
    location.reload();
  });
}

/** "新しいバージョンがあります": the user chooses when; nothing is lost (the outbox is in IndexedDB). */
function showUpdate(worker) {
  const bar = document.getElementById("update");
  mount(bar,
    h("p", {}, t("update.available")),
    h("button", {
      type: "button", class: "button primary", "data-testid": "update-button",
      onClick: () => {
        update({ updateReady: true });
        worker.postMessage({ type: "SKIP_WAITING" });
      },
    }, t("update.apply")));
  bar.hidden = false;
}

/** Keep --header-height at the sticky header's height (it grows with a sync note, shrinks on a
 * phone), for the page's scroll padding: a field scrolled to is never left under the header. */
function followHeaderHeight() {
  const header = document.getElementById("header");
  const root = document.documentElement;
  new ResizeObserver(() => root.style.setProperty("--header-height", `${header.offsetHeight}px`))
    .observe(header);
}

async function boot() {
  setLang(lang());
  translateShell();
  // 「本文へ移動」 moves the focus to the screen; its "#view" must not reach the router (an
  // address it does not know, which would open the customer list).
  document.querySelector(".skip-link")?.addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("view").focus();
  });
  // The browser threw the database away (its files broken by a full disk) and db.js put back
  // the unsent work (found when it opens, below, or later): say so, and fetch the rest.
  window.addEventListener("genba:db-lost", ({ detail }) => {
    update({ notice: "lost", lost: detail });
    sync.requestSync("restored");
  });
  await openDb();
  keepSpare(); // what the device holds alone, kept apart too (spare.js)
  const { user, last_sync: lastSync, device_id: deviceId } = await getMetas(["user", "last_sync", "device_id"]);
  await ensureDeviceId(deviceId);
  update({ user: user || null, lastSync: lastSync || null, online: navigator.onLine });
  sync.setRevokedHandler(async () => {
    // The wipe is the contract's (a revoked device keeps nothing), but the person is told what
    // it took: the changes not sent and the forms typed in, so they know what to enter again.
    const [entries, typed] = await Promise.all([outbox.entries().catch(() => []), drafts.count()]);
    const unsent = entries.filter(outbox.isWork).length;
    await wipeDevice("revoked");
    update({ wiped: { unsent, typed } });
    renderHeader();
    navigate("#/login");
  });
  let signedIn = Boolean(user);
  subscribe((state) => {
    if (Boolean(state.user) !== signedIn) {
      signedIn = Boolean(state.user);
      renderHeader();
    }
  });
  followHeaderHeight();
  window.addEventListener("hashchange", route);
  window.addEventListener("genba:db-closed", () => update({ notice: "reload" }));
  // Another tab signed out, or another person signed in there: start again from what is stored,
  // so no screen here goes on showing the last person's customers.
  whenErasedElsewhere(() => location.reload());
  // A tap whose save the device refused (a photo, a card, a button's change) with no form to say
  // so: the note under the header says it, until closed or until a save goes through. Not for a
  // read that failed (a screen drawn again while the browser closes the database: the sync's
  // note says why), nor when the screen already says it (the card's alert, a write beside it).
  window.addEventListener("unhandledrejection", (event) => {
    if (!REFUSED_BY_STORAGE.has(event.reason?.name) || !refusedWrite(event.reason)) return;
    const text = notSavedText(event.reason, false);
    const said = [...document.querySelectorAll("#view [role=alert]:not([hidden])")]
      .some((alert) => alert.textContent.includes(text));
    if (!said) update({ notSaved: text });
  });
  onData((what) => { if (what.local) update({ notSaved: null }); });
  renderHeader();
  await route();
  document.body.dataset.ready = "true";
  performance.mark("genba:interactive");
  registerServiceWorker();
  if (user) requestPersistence();
  endOwed(); // sign-outs made offline, sent now (or on "online", or after the next sign-in)
  window.addEventListener("online", endOwed);
  await sync.refreshStatus();
  sync.start();
  photos.start(); // the photo upload queue
  photos.sweepUnsaved(drafts.heldValues("draft_photos")); // a form's photos its draft no longer names
  photos.onPhotos(() => sync.refreshStatus()); // a photo still to send is unsent work too
}

boot().catch((err) => {
  console.error(err);
  mount(document.getElementById("view"),
    h("div", { class: "alert error", role: "alert" }, t("app.bootFailed"), " ", String(err?.message || err)));
});
