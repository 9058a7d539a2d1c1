#!/usr/bin/env python3
"""Two trees' servers side by side, their pushes interleaved request by request.

On this shared machine a push's time moves by a third from one minute to the next, more than
most changes to the push path; two servers measured one after the other mostly measure the
minute. This starts gunicorn from each tree (``--a``, default this checkout, and ``--b``, say a
``git worktree`` of another commit) on fresh databases, then pushes ``--pushes`` batches of 100 (``--size``)
new visits to each in alternation (A B, B A, ...): both see the same moments. Then it runs
the 8-device phase (8 devices x 20 pushes of 50 at once) on each in turn, ``--rounds`` times.
Prints each side's push latency (median, mean), the paired difference and the 8-device rates.
Run: ``.venv/bin/python bench/push_ab.py --b ../other-tree [--db postgresql] [--workers-b 4]``.
"""

import argparse
import contextlib
import statistics
import time
from pathlib import Path

import workload
from workload import (
    Device,
    concurrently,
    fresh_database,
    migrate,
    seed_customers,
    seeded,
    temp_folder,
    visit_mutation,
)


def options():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--a", default=str(workload.ROOT), help="tree A (default: this checkout)")
    p.add_argument("--b", required=True, help="tree B (served with this interpreter's packages)")
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--pushes", type=int, default=300, help="pushes to each side")
    p.add_argument("--size", type=int, default=100, help="mutations a push (default 100)")
    p.add_argument("--rounds", type=int, default=4, help="8-device phases on each side")
    p.add_argument("--workers-a", type=int, help="gunicorn workers of A (default: the Procfile's)")
    p.add_argument("--workers-b", type=int, help="gunicorn workers of B (default: the Procfile's)")
    return p.parse_args()


@contextlib.contextmanager
def server(root, kind, workers):
    """gunicorn started from ``root`` on a fresh database; yield its base URL."""
    with temp_folder() as folder, fresh_database(kind, folder) as url:
        migrate(url, folder, {"bench-rep": ("rep", "bench")})
        here, workload.ROOT = workload.ROOT, Path(root)  # gunicorn runs from that tree
        try:
            running = workload.gunicorn(url, folder, workers)
            base, _pid = running.__enter__()
        finally:
            workload.ROOT = here
        try:
            yield base
        finally:
            running.__exit__(None, None, None)


def main():
    a = options()
    rng = seeded(7)
    with server(a.a, a.db, a.workers_a) as base_a, server(a.b, a.db, a.workers_b) as base_b:
        sides = {}
        for name, base in (("A", base_a), ("B", base_b)):
            device = Device(base, "bench-rep")
            customers = seed_customers(device, rng)
            for _ in range(5):  # warm-up: every worker imports and connects
                device.push(device.push_body([visit_mutation(rng, customers, device) for _ in range(100)]))
            bodies = [
                device.push_body([visit_mutation(rng, customers, device) for _ in range(a.size)])
                for _ in range(a.pushes)
            ]
            sides[name] = (base, device, customers, bodies)
        times = {"A": [], "B": []}
        for n in range(a.pushes):
            for name in ("A", "B") if n % 2 == 0 else ("B", "A"):
                _, device, _, bodies = sides[name]
                started = time.perf_counter()
                device.push(bodies[n])
                times[name].append(1000 * (time.perf_counter() - started))
        for name in "AB":
            print(
                f"{name} push of {a.size}: median {statistics.median(times[name]):.2f} ms, "
                f"mean {statistics.mean(times[name]):.2f} ms ({a.a if name == 'A' else a.b})"
            )
        paired = [b - x for x, b in zip(times["A"], times["B"], strict=True)]
        print(
            f"B - A, paired: median {statistics.median(paired):+.2f} ms, mean {statistics.mean(paired):+.2f} ms"
        )
        rates = {"A": [], "B": []}
        for n in range(a.rounds):
            for name in ("A", "B") if n % 2 == 0 else ("B", "A"):
                base, _, customers, _ = sides[name]
                devices = [Device(base, "bench-rep") for _ in range(8)]
                plans = [
                    [d.push_body([visit_mutation(rng, customers, d) for _ in range(50)]) for _ in range(20)]
                    for d in devices
                ]
                wall, _ = concurrently([pusher(d, plan) for d, plan in zip(devices, plans, strict=True)])
                rates[name].append(8 * 20 * 50 / wall)
        for name in "AB":
            print(
                f"{name} 8 devices: median {statistics.median(rates[name]):.0f} docs/s "
                f"({', '.join(f'{r:.0f}' for r in rates[name])})"
            )


def pusher(device, plan):
    def run():
        for body in plan:
            device.push(body)

    return run


if __name__ == "__main__":
    main()
