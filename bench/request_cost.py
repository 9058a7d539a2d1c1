#!/usr/bin/env python3
"""Count what one request costs the database: statements, transactions, pings and checkouts.

The fixed cost of a request decides small ones (a fleet's syncs, an empty pull): this prints,
per kind of request, the statements SQLAlchemy sends, the BEGINs, COMMITs and ROLLBACKs, the
pool's pre-pings and connection checkouts, and the in-process CPU (Flask test client).
Run: ``.venv/bin/python bench/request_cost.py [--db postgresql] [--n 200]``.
"""

import argparse
import collections
import contextlib
import random
import time

from sqlalchemy import event

from profile_sync import TestDevice, seeded_app, visit
from workload import loadavg


class Counter:
    """Database work seen by one engine, between ``reset`` calls."""

    def __init__(self, engine):
        self.counts = collections.Counter()
        self.statements = collections.Counter()
        self.active = True
        event.listen(engine, "before_cursor_execute", self.on_statement)
        for name in ("begin", "commit", "rollback"):
            event.listen(engine, name, self.counting(name))
        event.listen(engine.pool, "checkout", self.counting("checkout"))
        dialect = engine.dialect
        ping = dialect.do_ping

        def counted_ping(connection):
            self.counts["ping"] += 1
            return ping(connection)

        dialect.do_ping = counted_ping

    def counting(self, name):
        def count(*args):
            if not self.active:
                return
            if name in ("begin", "commit", "rollback") and autocommit(args[0]):
                return  # the driver sends no BEGIN, COMMIT or ROLLBACK in autocommit mode
            self.counts[name] += 1

        return count

    def on_statement(self, _conn, _cursor, statement, _params, _context, executemany):
        if not self.active:
            return
        self.counts["statements"] += 1
        self.statements[" ".join(statement.split())[:90]] += 1

    def reset(self):
        self.counts.clear()
        self.statements.clear()


def autocommit(connection):
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def measure(counter, label, n, request, verbose, prepare=None):
    """Run ``request`` n times (after ``prepare``, not counted); print what one costs on average."""
    counter.reset()
    wall = cpu = 0.0
    for _ in range(n):
        if prepare is not None:
            counter.active = False
            prepare()
            counter.active = True
        cpu_before, started = time.process_time(), time.perf_counter()
        request()
        wall += time.perf_counter() - started
        cpu += time.process_time() - cpu_before
    wall, cpu = wall / n * 1000, cpu / n * 1000
    c = counter.counts
    trips = c["statements"] + c["begin"] + c["commit"] + c["rollback"] + c["ping"]
    print(
        f"| {label} | {c['statements'] / n:.1f} | {c['begin'] / n:.1f} | {c['commit'] / n:.1f} | "
        f"{c['rollback'] / n:.1f} | {c['ping'] / n:.1f} | {c['checkout'] / n:.1f} | {trips / n:.1f} | "
        f"{wall:.2f} | {cpu:.2f} |"
    )
    if verbose:
        for statement, count in counter.statements.most_common():
            print(f"|   {count / n:.1f} x {statement} |")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--n", type=int, default=200)
    p.add_argument("-v", "--verbose", action="store_true", help="list the statements of each request")
    a = p.parse_args()
    from server.core.db import db

    rng = random.Random(1)
    print(f"request_cost on {a.db}, {a.n} requests each, loadavg {loadavg()}")
    with seeded_app(a.db) as (app, client, device, ids):
        reader = TestDevice(client, "bench-rep")
        cursor = None
        while True:
            page = reader.pull(cursor)
            cursor = page["cursor"]
            if not page["has_more"]:
                break
        with app.app_context():
            counter = Counter(db.engine)
        print(
            "\n| request | statements | BEGIN | COMMIT | ROLLBACK | pings | checkouts | round trips | "
            "ms | ms CPU |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        )
        measure(counter, "empty pull", a.n, lambda: reader.pull(cursor), a.verbose)

        def pull_one():
            nonlocal cursor
            page = reader.pull(cursor)
            assert len(page["changes"]) == 1, page
            cursor = page["cursor"]

        def push_one():
            device.push([visit(device, rng, ids)])

        measure(counter, "pull of 1 change", a.n, pull_one, a.verbose, prepare=push_one)
        measure(counter, "push of 1", a.n, lambda: device.push([visit(device, rng, ids)]), a.verbose)
        measure(
            counter,
            "push of 100",
            max(1, a.n // 10),
            lambda: device.push([visit(device, rng, ids) for _ in range(100)]),
            a.verbose,
        )
        with app.app_context(), contextlib.suppress(Exception):
            db.engine.dispose()


if __name__ == "__main__":
    main()
