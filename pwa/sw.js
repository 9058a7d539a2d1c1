// Genba's service worker (a classic script): caches the app shell so the app starts and runs
// with no network. Data never goes through here: records live in IndexedDB and /api/ calls go
// straight to the network.
//
// VERSION is filled in by the server when it serves this file: a hash of every file in pwa/
// (server/pwa.py). Any change to a file gives a new version, so the shell's files move to new
// /app/v<VERSION>/ URLs (long-cached), this worker's bytes change, the new worker precaches
// them into a new cache, and the page offers "新しいバージョンがあります"; the old cache is
// deleted once the new worker activates.

const VERSION = "__GENBA_VERSION__";
const CACHE = `genba-shell-v${VERSION}`;
const APP = `/app/v${VERSION}/`;
// Every file the shell needs, relative to pwa/ (tests/test_pwa_files.py checks it against the folder).
const FILES = [
  "css/app.css",
  "icons/apple-touch-icon.png",
  "icons/icon-192.png",
  "icons/icon-512.png",
  "icons/icon-maskable-512.png",
  "js/api.js",
  "js/app.js",
  "js/auth.js",
  "js/calendar.js",
  "js/check.js",
  "js/company-day.js",
  "js/contacts.js",
  "js/db.js",
  "js/deals.js",
  "js/digest.js",
  "js/drafts.js",
  "js/format.js",
  "js/hlc.js",
  "js/i18n.js",
  "js/ids.js",
  "js/load.js",
  "js/messages-en.js",
  "js/messages-ja.js",
  "js/outbox.js",
  "js/overlay.js",
  "js/photos.js",
  "js/pull-worker.js",
  "js/pull.js",
  "js/quote-search.js",
  "js/quote-synonyms.js",
  "js/records.js",
  "js/reports.js",
  "js/retry.js",
  "js/seen.js",
  "js/server-fields.js",
  "js/spare.js",
  "js/store.js",
  "js/sync.js",
  "js/text.js",
  "js/ui/admin-audit.js",
  "js/ui/admin-parts.js",
  "js/ui/admin-user.js",
  "js/ui/admin-users.js",
  "js/ui/board.js",
  "js/ui/card-review.js",
  "js/ui/competitors.js",
  "js/ui/conflicts.js",
  "js/ui/contact-form.js",
  "js/ui/customer-form.js",
  "js/ui/customer-merge.js",
  "js/ui/customer-page.js",
  "js/ui/customer-picker.js",
  "js/ui/customers.js",
  "js/ui/deal-events.js",
  "js/ui/deal-form.js",
  "js/ui/deal-list.js",
  "js/ui/deal-page.js",
  "js/ui/deal-picker.js",
  "js/ui/deal-summary.js",
  "js/ui/dom.js",
  "js/ui/exhibition.js",
  "js/ui/follow-requests.js",
  "js/ui/follow-search.js",
  "js/ui/form.js",
  "js/ui/inbox.js",
  "js/ui/kana-reading.js",
  "js/ui/list-import.js",
  "js/ui/load-chart.js",
  "js/ui/load-impact.js",
  "js/ui/load-settings.js",
  "js/ui/login.js",
  "js/ui/my-requests.js",
  "js/ui/nav.js",
  "js/ui/photos.js",
  "js/ui/quote-form.js",
  "js/ui/quote-page.js",
  "js/ui/quote-print.js",
  "js/ui/quotes.js",
  "js/ui/redraw.js",
  "js/ui/reports.js",
  "js/ui/request-form.js",
  "js/ui/request-history.js",
  "js/ui/request-page.js",
  "js/ui/rules.js",
  "js/ui/sync-page.js",
  "js/ui/sync-status.js",
  "js/ui/today.js",
  "js/ui/triage.js",
  "js/ui/visit-form.js",
  "js/ui/visit-page.js",
  "js/ui/visit-print.js",
  "js/ui/visit-sign.js",
  "js/ui/widgets.js",
  "js/visit-groups.js",
  "manifest.webmanifest",
];
const SHELL = "/";
const PRECACHE = [SHELL, ...FILES.map((file) => APP + file)];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) =>
    cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("genba-shell-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The page asks the waiting worker to take over when the user accepts the update.
self.addEventListener("message", (event) => {
  if (event.data?.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(navigation(url, request));
    return;
  }
  if (url.pathname.startsWith("/app/")) {
    event.respondWith(caches.match(request, { cacheName: CACHE })
      .then((cached) => cached || fetch(request)));
  }
});

/** The shell from the cache (it starts with no network); other pages from the network first. */
async function navigation(url, request) {
  const cache = await caches.open(CACHE);
  if (url.pathname === SHELL || url.pathname === "/index.html") {
    return (await cache.match(SHELL)) || fetch(request);
  }
  try {
    return await fetch(request);
  } catch (err) {
    const shell = await cache.match(SHELL);
    if (shell) return shell;
    throw err;
  }
}
