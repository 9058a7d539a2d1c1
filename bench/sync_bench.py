#!/usr/bin/env python3
"""Benchmark the sync server with the CouchDB peer's workload on SQLite and PostgreSQL.

Over HTTP against gunicorn (its workers as the Procfile starts them: one per core on SQLite,
two per core on PostgreSQL), with the anchor's
670-byte Japanese visits (``../shared/bench/anchor-couch/bench.py``), a rep of one team:

  a  push 10,000 new visits, 100 per request, one device              -> mutations/s
  c  full pull of them on a new device, 500 per page                   -> records/s
  d  100 single-visit pushes, then the incremental pull of those 100 and an empty pull,
     with 100,000 records of history                                   -> ms p50/p95
  e  8 devices at once, each 1,000 visits in batches of 50             -> mutations/s, p50/p95
     peak RSS of each gunicorn worker                                   -> MB

Beside each figure, the same work as raw statements through the same driver (sqlite3 or
psycopg): inserts of the stored JSON in the same transactions, selects of pages by position.
Run: ``.venv/bin/python bench/sync_bench.py`` (``--quick`` for a smoke run, ``--db sqlite``).
"""

import argparse
import sqlite3
import statistics
import threading
import time
from datetime import UTC, datetime

from workload import (
    Device,
    ServerProc,
    Timed,
    concurrently,
    driver_url,
    fresh_database,
    gunicorn,
    loadavg,
    machine,
    migrate,
    pct,
    seed_customers,
    seeded,
    temp_folder,
    visit_mutation,
)

TARGETS = {"push": 12000, "pull": 35000, "empty_p95": 5.0, "concurrent": 11000, "rss": 150}
PEER = {"push": 8177, "pull": 11686, "incr_p50": 10.6, "empty_p50": 1.9, "concurrent": 7335, "rss": 190}


def options(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--quick", action="store_true", help="a smoke run: 1,000 visits, 5,000 rows of history")
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--history", type=int, default=100_000)
    p.add_argument("--workers", type=int, help="gunicorn workers (default: as the Procfile starts them)")
    p.add_argument("--no-raw", action="store_true", help="skip the raw driver baseline")
    a = p.parse_args(argv)
    if a.quick:
        a.n, a.history = 1_000, 5_000
    a.per_client = max(50, a.n // 10)
    return a


# ---------------------------------------------------------------- ours over HTTP


def run_ours(kind, a, log=print):
    """Run the phases against a fresh server on ``kind``; return (figures, stored visit JSON)."""
    rng = seeded(42)
    with temp_folder() as folder, fresh_database(kind, folder) as url:
        migrate(url, folder, {"bench-rep": ("rep", "bench")})
        with gunicorn(url, folder, a.workers) as (base, pid):
            proc, m = ServerProc(pid), {}
            writer = Device(base, "bench-rep")
            customers = seed_customers(writer, rng)
            # warm-up, as the peer's bench does: every worker imports and connects
            warm = [
                writer.push_body([visit_mutation(rng, customers, writer) for _ in range(100)])
                for _ in range(max(2, a.n // 1000))
            ]
            for body in warm:
                writer.push(body)
            Device(base, "bench-rep").pull_all(None, 500)

            # a. push
            bodies = [
                writer.push_body([visit_mutation(rng, customers, writer) for _ in range(100)])
                for _ in range(a.n // 100)
            ]
            with Timed(proc) as t:
                for body in bodies:
                    writer.push(body)
            m["push"] = a.n / t.wall
            m["push_cpu"] = t.srv * t.wall / 100 * 1000 / (a.n / 100)  # server CPU ms per request
            log(
                f"  a push {a.n} (100/req): {m['push']:.0f} mutations/s in {t.wall:.2f} s "
                f"(server {t.srv:.0f}% client {t.cli:.0f}% rest {t.rest:.0f}%)"
            )

            # c. full pull on a new device
            reader = Device(base, "bench-rep")
            with Timed(proc) as t:
                got, cursor, requests = reader.pull_all(None, 500)
            m["pull"] = got / t.wall
            m["pull_cpu"] = t.srv * t.wall / 100 * 1000 / requests
            log(
                f"  c full pull (500/page): {m['pull']:.0f} records/s, {got} records in {requests} "
                f"requests, {t.wall:.2f} s (server {t.srv:.0f}% rest {t.rest:.0f}%)"
            )

            # d. history, then 100 single pushes and the pulls of them
            have = got
            filler = [
                writer.push_body([visit_mutation(rng, customers, writer) for _ in range(500)])
                for _ in range(max(0, a.history - have) // 500)
            ]
            started = time.perf_counter()
            for body in filler:
                writer.push(body)
            filled = time.perf_counter() - started
            got, cursor, _ = reader.pull_all(cursor, 2000)
            log(
                f"  d history: {len(filler) * 500} more visits pushed at "
                f"{len(filler) * 500 / max(filled, 1e-9):.0f}/s (500/req); catch-up pull of {got}"
            )
            singles = [writer.push_body([visit_mutation(rng, customers, writer)]) for _ in range(100)]
            lat = []
            for body in singles:
                t0 = time.perf_counter()
                writer.push(body)
                lat.append(1000 * (time.perf_counter() - t0))
            m["single_p50"], m["single_p95"] = statistics.median(lat), pct(lat, 95)
            incr = []
            for _ in range(20):
                t0 = time.perf_counter()
                got, last, _ = reader.pull_all(cursor, 500)
                incr.append(1000 * (time.perf_counter() - t0))
                assert got == 100, f"incremental pull returned {got}"
            empty = []
            for _ in range(50):
                t0 = time.perf_counter()
                got, _, _ = reader.pull_all(last, 500)
                empty.append(1000 * (time.perf_counter() - t0))
                assert got == 0
            m["incr_p50"], m["incr_p95"] = statistics.median(incr), pct(incr, 95)
            m["empty_p50"], m["empty_p95"] = statistics.median(empty), pct(empty, 95)
            log(
                f"  d single push p50 {m['single_p50']:.1f} ms p95 {m['single_p95']:.1f} ms; "
                f"pull of 100: p50 {m['incr_p50']:.1f} p95 {m['incr_p95']:.1f} ms; "
                f"empty pull: p50 {m['empty_p50']:.1f} p95 {m['empty_p95']:.1f} ms"
            )

            # e. 8 devices at once
            devices = [Device(base, "bench-rep") for _ in range(8)]
            plans = [
                [
                    d.push_body([visit_mutation(rng, customers, d) for _ in range(50)])
                    for _ in range(a.per_client // 50)
                ]
                for d in devices
            ]
            latencies, lock = [], threading.Lock()

            def job(device, plan):
                def run():
                    for body in plan:
                        t0 = time.perf_counter()
                        device.push(body)
                        with lock:
                            latencies.append(1000 * (time.perf_counter() - t0))

                return run

            with Timed(proc) as t:
                wall, _ = concurrently([job(d, p) for d, p in zip(devices, plans, strict=True)])
            total = sum(len(p) for p in plans) * 50
            m["concurrent"] = total / wall
            m["conc_cpu"] = t.srv * t.wall / 100 * 1000 / (total / 50)
            m["conc_p50"], m["conc_p95"] = statistics.median(latencies), pct(latencies, 95)
            log(
                f"  e 8 devices x {a.per_client} (50/req): {m['concurrent']:.0f} mutations/s, "
                f"p50 {m['conc_p50']:.0f} ms p95 {m['conc_p95']:.0f} ms (server {t.srv:.0f}% rest {t.rest:.0f}%)"
            )

            memory = proc.memory()
            m["rss"] = proc.peak_worker_mb()
            log(
                "  memory (MB, rss/peak): "
                + ", ".join(
                    f"{'master' if p == pid else 'worker'} {now:.0f}/{peak:.0f}"
                    for p, (now, peak) in memory.items()
                )
            )
        stored = stored_visits(url, a.n)
    return m, stored


def stored_visits(url, n):
    """The stored JSON of ``n`` visits, as the server wrote it."""
    query = "SELECT data FROM records WHERE entity = 'visits' ORDER BY seq LIMIT %d" % n
    if url.startswith("sqlite"):
        conn = sqlite3.connect(driver_url(url))
        rows = [r[0] for r in conn.execute(query)]
        conn.close()
        return rows
    import psycopg

    with psycopg.connect(driver_url(url)) as conn:
        return [r[0] for r in conn.execute(query)]


# ---------------------------------------------------------------- raw driver baseline


class Raw:
    """One table of (seq, id, data) through the plain driver, committed as ours commits."""

    def __init__(self, kind, url):
        self.kind, self.url = kind, url
        self.mark = "?" if kind == "sqlite" else "%s"

    def connect(self):
        if self.kind == "sqlite":
            conn = sqlite3.connect(driver_url(self.url), isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")  # as the server runs it
            conn.execute("PRAGMA busy_timeout = 30000")
            return conn
        import psycopg

        return psycopg.connect(driver_url(self.url), autocommit=True)

    def setup(self):
        conn = self.connect()
        conn.execute("CREATE TABLE raw (seq BIGINT PRIMARY KEY, id TEXT UNIQUE NOT NULL, data TEXT NOT NULL)")
        conn.close()
        self.seq, self.lock = 0, threading.Lock()

    def insert(self, conn, texts):
        """Insert ``texts`` in one committed transaction."""
        conn.execute("BEGIN IMMEDIATE" if self.kind == "sqlite" else "BEGIN")
        with self.lock:
            start, self.seq = self.seq, self.seq + len(texts)
        rows = [(start + i + 1, f"{start + i + 1:036d}", text) for i, text in enumerate(texts)]
        sql = f"INSERT INTO raw (seq, id, data) VALUES ({self.mark}, {self.mark}, {self.mark})"
        if self.kind == "sqlite":
            conn.executemany(sql, rows)
        else:
            with conn.cursor() as cur:
                cur.executemany(sql, rows)
        conn.execute("COMMIT")

    def page(self, conn, after, limit):
        rows = conn.execute(
            f"SELECT seq, data FROM raw WHERE seq > {self.mark} ORDER BY seq LIMIT {self.mark}",
            (after, limit),
        ).fetchall()
        body = '{"changes":[%s]}' % ",".join(r[1] for r in rows)
        return (rows[-1][0] if rows else after), len(rows), body


def run_raw(kind, a, stored, log=print):
    m = {}
    with temp_folder() as folder, fresh_database(kind, folder) as url:
        raw = Raw(kind, url)
        raw.setup()
        conn = raw.connect()
        with Timed(NoProc()) as t:
            for i in range(0, len(stored), 100):
                raw.insert(conn, stored[i : i + 100])
        m["push"] = len(stored) / t.wall
        with Timed(NoProc()) as t:
            after, got = 0, 0
            while True:
                after, n, _ = raw.page(conn, after, 500)
                got += n
                if n < 500:
                    break
        m["pull"] = got / t.wall
        while raw.seq < a.history:
            raw.insert(conn, stored[: min(1000, len(stored))])
        raw.insert(conn, stored[:100])
        top = raw.seq
        incr, empty = [], []
        for _ in range(20):
            t0 = time.perf_counter()
            _, n, _ = raw.page(conn, top - 100, 500)
            incr.append(1000 * (time.perf_counter() - t0))
        for _ in range(50):
            t0 = time.perf_counter()
            raw.page(conn, top, 500)
            empty.append(1000 * (time.perf_counter() - t0))
        m["incr_p50"], m["incr_p95"] = statistics.median(incr), pct(incr, 95)
        m["empty_p50"], m["empty_p95"] = statistics.median(empty), pct(empty, 95)
        conn.close()
        texts = stored[:50]
        conns = [raw.connect() for _ in range(8)]
        latencies, lock = [], threading.Lock()

        def job(c):
            def run():
                for _ in range(a.per_client // 50):
                    t0 = time.perf_counter()
                    raw.insert(c, texts)
                    with lock:
                        latencies.append(1000 * (time.perf_counter() - t0))

            return run

        wall, _ = concurrently([job(c) for c in conns])
        m["concurrent"] = 8 * (a.per_client // 50) * 50 / wall
        m["conc_p50"], m["conc_p95"] = statistics.median(latencies), pct(latencies, 95)
        for c in conns:
            c.close()
    log(
        f"  raw {kind}: insert {m['push']:.0f}/s (100 per commit), select {m['pull']:.0f}/s (500 per page), "
        f"incremental {m['incr_p50']:.2f} ms, empty {m['empty_p50']:.2f} ms, "
        f"8 writers {m['concurrent']:.0f}/s (50 per commit)"
    )
    return m


class NoProc:
    def cpu(self):
        return 0.0


# ---------------------------------------------------------------- table

ROWS = [  # key, label, unit, higher is better
    ("push", "a push, 100/req", "mut/s", True),
    ("pull", "c full pull, 500/page", "rec/s", True),
    ("incr_p50", "d pull of 100 new, p50", "ms", False),
    ("incr_p95", "d pull of 100 new, p95", "ms", False),
    ("empty_p50", "d empty pull, p50", "ms", False),
    ("empty_p95", "d empty pull, p95", "ms", False),
    ("single_p50", "d push of 1, p50", "ms", False),
    ("concurrent", "e 8 devices, 50/req", "mut/s", True),
    ("conc_p50", "e request p50", "ms", False),
    ("conc_p95", "e request p95", "ms", False),
    ("rss", "peak RSS per worker", "MB", False),
    ("push_cpu", "server CPU per push of 100", "ms", False),
    ("pull_cpu", "server CPU per pull page of 500", "ms", False),
    ("conc_cpu", "server CPU per push of 50 (8 devices)", "ms", False),
]


def fmt(value):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def table(results):
    """A Markdown table: each database's figure, the raw driver's, the ratio, the peer's."""
    kinds = list(results)
    head = "| figure | " + " | ".join(f"{k} | raw {k} | ours/raw" for k in kinds) + " | peer | target |"
    lines = [head, "|" + " --- |" * (3 + 3 * len(kinds))]
    for key, label, unit, higher in ROWS:
        cells = []
        for k in kinds:
            ours, raw = results[k]["ours"].get(key), results[k]["raw"].get(key)
            ratio = (f"{ours / raw:.2f}" if higher else f"x{ours / raw:,.0f}") if ours and raw else "-"
            cells += [fmt(ours), fmt(raw), ratio]
        target = TARGETS.get({"empty_p95": "empty_p95"}.get(key, key))
        lines.append(
            f"| {label} ({unit}) | "
            + " | ".join(cells)
            + f" | {fmt(PEER.get(key))} | {fmt(target) if target else '-'} |"
        )
    return "\n".join(lines)


def main(argv=None):
    a = options(argv)
    kinds = ["sqlite", "postgresql"] if a.db == "both" else [a.db]
    print(
        f"sync_bench {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}, "
        f"loadavg {loadavg()}, n={a.n} history={a.history}",
        flush=True,
    )
    results = {}
    for kind in kinds:
        print(f"{kind}:", flush=True)
        ours, stored = run_ours(kind, a, log=lambda s: print(s, flush=True))
        raw = {} if a.no_raw else run_raw(kind, a, stored, log=lambda s: print(s, flush=True))
        results[kind] = {"ours": ours, "raw": raw}
    print(f"\nloadavg at the end {loadavg()}\n")
    print(table(results))
    for kind in kinds:
        m = results[kind]["ours"]
        print(
            f"{kind}: push_per_s={m['push']:.0f} pull_per_s={m['pull']:.0f} incr_pull_ms={m['incr_p50']:.1f} "
            f"empty_pull_p95_ms={m['empty_p95']:.1f} concurrent_per_s={m['concurrent']:.0f} rss_mb={m['rss']:.0f}"
        )
    return results


if __name__ == "__main__":
    main()
