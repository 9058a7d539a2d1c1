#!/usr/bin/env python3
"""How fast can this browser store records in IndexedDB at all? The floor under the first sync.

Writes 66,000 records (the size of ``pwa_bench.py``'s first sync) into a fresh IndexedDB in
Debian's Chromium, with none of the app's code: pages of 2,000 in one transaction each,
relaxed durability, the next page written while the one before commits (as the app's pull
worker does). Prints the time and microseconds a record for:

- visits one value each, as the app stored them before keeping them in groups (their fields,
  a ``customer_id`` index);
- the same without the index;
- the smallest record there is (an id), without an index: what each put() costs regardless
  of size, the per-record floor;
- the same visits kept ten to a value, one value per customer, found by id through a
  multi-entry index of the ids: as the app keeps them now (``pwa/js/visit-groups.js``, whose
  groups hold up to fifty).

Run: ``.venv/bin/python bench/idb_floor.py [--records N] [--page N]``.
"""

import argparse
import functools
import http.server
import os
import sys
import tempfile
import threading
from pathlib import Path

from workload import loadavg

CHROMIUM = os.environ.get("GENBA_CHROMIUM", "/usr/lib/chromium/chromium")

WRITE = r"""
async ([records, perPage, kind]) => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('floor-' + kind + '-' + Math.random(), 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore('plain', { keyPath: 'id' });
      open.result.createObjectStore('indexed', { keyPath: 'id' }).createIndex('customer_id', 'customer_id');
      open.result.createObjectStore('meta');
      // A visit is found by its id through the multi-entry index of the ids its value holds.
      open.result.createObjectStore('grouped', { keyPath: 'customer_id' }).createIndex('ids', 'ids', { multiEntry: true });
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const customers = Array.from({ length: Math.max(5000, Math.ceil(records / 10)) }, () => crypto.randomUUID());
  const visit = (i) => ({ id: crypto.randomUUID(), version: 1, created_at: '2026-12-03T10:00:00.000Z',
    updated_at: '2026-12-03T10:00:00.000Z', deleted: false, customer_id: customers[i % 5000], kind: 'aftercare',
    visited_at: '2026-11-03T10:00:00+09:00', contact_ids: [crypto.randomUUID()], purpose: '定期点検',
    notes: '工場長と面談。次期設備更新の計画があり、治具の相談を受けた。', handling: 'ローラー部の点検と給油。異音なし。',
    next_action: '次回点検', next_action_due: '2026-12-20', deal_id: null, work_minutes: null, parts: [],
    signed_by: null, author_id: crypto.randomUUID() });
  // Grouped: ten visits a customer, sent in customer order (customer i's visits one after another).
  const make = kind === 'tiny' ? () => ({ id: crypto.randomUUID() })
    : kind === 'grouped' ? (i) => visit(Math.floor(i / 10)) : visit;
  const store = kind === 'indexed' || kind === 'grouped' ? kind : 'plain';
  const pages = [];
  for (let start = 0; start < records; start += perPage) {
    pages.push(JSON.stringify(Array.from({ length: Math.min(perPage, records - start) }, (_, i) => make(start + i))));
  }
  const started = performance.now();
  let previous = Promise.resolve();
  for (const text of pages) {
    const tx = db.transaction([store, 'meta'], 'readwrite', { durability: 'relaxed' });
    const objects = tx.objectStore(store);
    if (kind === 'grouped') {
      const values = new Map();
      for (const record of JSON.parse(text)) {
        let value = values.get(record.customer_id);
        if (!value) values.set(record.customer_id, value = { customer_id: record.customer_id, ids: [], visits: [] });
        value.ids.push(record.id);
        value.visits.push(record);
      }
      for (const value of values.values()) objects.put(value);
    } else {
      for (const record of JSON.parse(text)) objects.put(record);
    }
    tx.objectStore('meta').put(text.length, 'cursor');
    const committed = new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
    await previous;
    previous = committed;
  }
  await previous;
  const ms = performance.now() - started;
  db.close();
  return ms;
}
"""

KINDS = [
    ("indexed", "visits one value each (customer_id index)"),
    ("plain", "the same visits, no index"),
    ("tiny", "an id alone, no index: the per-record floor"),
    ("grouped", "ten visits to a value (as the app keeps them)"),
]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=66_000)
    parser.add_argument("--page", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="genba-idb-") as folder:
        Path(folder, "index.html").write_text(
            "<!doctype html><title>IndexedDB floor</title>", encoding="utf-8"
        )
        handler = functools.partial(Quiet, directory=folder)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            print(
                f"IndexedDB floor — Chromium {browser.version}, {os.cpu_count()} CPUs, loadavg {loadavg()}; "
                f"{args.records:,} records, {args.page:,} a transaction, two in flight, best of {args.runs}"
            )
            for kind, label in KINDS:
                best = min(page.evaluate(WRITE, [args.records, args.page, kind]) for _ in range(args.runs))
                print(f"  {label:<52} {best / 1000:6.1f} s  {best * 1000 / args.records:5.0f} µs a record")
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
