// Placeholder service worker: the field app's worker (app shell cache) replaces it.
self.addEventListener("install", () => self.skipWaiting());
