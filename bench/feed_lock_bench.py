#!/usr/bin/env python3
"""The ceiling of the one feed lock: commits that each take the feed row's lock, write a push's
rows and commit, from 1, 4 and 16 connections at once (raw psycopg on PostgreSQL, no app).

Every push numbers its changes under this lock and holds it to its commit (the fsync of the
WAL), so however many nodes serve, pushes cannot commit faster than one lock holder after
another. This measures that bound on this machine: pushes/s, and the p50/p99 of a commit
(waiting for the lock included). A push of the app does more work before the lock (parsing,
validation, merge) that runs in parallel; only the part from the lock to the commit is serial.
Run: ``.venv/bin/python bench/feed_lock_bench.py`` (``--seconds 5`` for a shorter run).
"""

import argparse
import statistics
import threading
import time
from datetime import UTC, datetime

from workload import driver_url, fresh_database, loadavg, machine, migrate, pct, temp_folder

ROW = "x" * 600  # about one visit's stored JSON


def options():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--rows", type=int, default=3, help="changes per push")
    return p.parse_args()


def pusher(url, rows, stop_at, times):
    import psycopg

    with psycopg.connect(url) as conn:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            with conn.transaction():
                seq = conn.execute("SELECT seq FROM feed WHERE id = 1 FOR UPDATE").fetchone()[0]
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO lock_probe (seq, data) VALUES (%s, %s)",
                        [(seq + n + 1, ROW) for n in range(rows)],
                    )
                conn.execute("UPDATE feed SET seq = %s WHERE id = 1", (seq + rows,))
            times.append(1000 * (time.perf_counter() - started))


def main():
    a = options()
    print(
        f"feed_lock_bench {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}, "
        f"loadavg {loadavg()}, {a.rows} changes per push, {a.seconds:.0f} s per step",
        flush=True,
    )
    with temp_folder() as folder, fresh_database("postgresql", folder) as url:
        migrate(url, folder, {})
        import psycopg

        with psycopg.connect(driver_url(url), autocommit=True) as conn:
            conn.execute("CREATE TABLE lock_probe (seq bigint PRIMARY KEY, data text)")
        print("  connections | pushes/s | commit p50 / p99 (ms)")
        for connections in (1, 4, 16):
            times, stop_at = [], time.monotonic() + a.seconds
            threads = [
                threading.Thread(target=pusher, args=(driver_url(url), a.rows, stop_at, times))
                for _ in range(connections)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            print(
                f"  {connections:11d} | {len(times) / a.seconds:8.0f} | "
                f"{statistics.median(times):.1f} / {pct(times, 99):.1f}",
                flush=True,
            )
    print(f"  loadavg at the end {loadavg()}")


if __name__ == "__main__":
    main()
