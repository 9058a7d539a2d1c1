#!/usr/bin/env python3
"""How fast can a push go here at all? The peer, a server with no logic, and ours, in one run.

Pushes the same 10,000 visits, 100 a request, from one client in alternation to:

- the CouchDB-protocol peer (pouchdb-server, LevelDB, ``_bulk_docs``), as ``anchor_compare.py``;
- ``floor_app.py``: a bare WSGI app under gunicorn on the raw driver that makes the statements
  Genba's push contract needs (token, seen mutations, existing records, feed lock, the inserts
  by ``COPY`` or one ``executemany``, a durable commit) and answers each mutation with its
  record, with no validation, merge or scope check: the floor under any Python server of this
  contract on this machine;
- Genba's server, as the Procfile runs it.

Prints docs/s of each (median of ``--runs``), what 1.5x the peer needs, and how much of our time
per push is the floor's and how much our logic's.
Run: ``.venv/bin/python bench/push_floor.py [--db sqlite|postgresql|both] [--runs N]``.
"""

import argparse
import statistics
import subprocess
import time
from datetime import UTC, datetime

from anchor_compare import start_peer
from workload import (
    Device,
    anchor,
    dumps,
    fresh_database,
    gunicorn,
    loadavg,
    machine,
    migrate,
    seed_customers,
    seeded,
    temp_folder,
    visit_mutation,
)

N, BATCH = 10_000, 100


class Offline(Device):
    """A device that only writes push bodies (the floor has no sign-in)."""

    def __init__(self, base_url):  # noqa: D107  (no sign-in: the floor does not check it)
        import uuid

        self.id, self.counter, self.conn = str(uuid.uuid4()), 0, None
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.headers = {"Content-Type": "application/json", "Authorization": "Bearer floor"}


def timed_pushes(device, bodies):
    started = time.perf_counter()
    for body in bodies:
        device.push(body)
    return N / (time.perf_counter() - started)


def floor_run(kind, customers):
    with temp_folder() as folder, fresh_database(kind, folder) as url:
        migrate(url, folder, {})
        with gunicorn(url, folder, app="bench.floor_app:app") as (base, _):
            device, rng = Offline(base), seeded(7)
            for _ in range(20):  # warm-up
                device.push(device.push_body([visit_mutation(rng, customers, device) for _ in range(BATCH)]))
            bodies = [
                device.push_body([visit_mutation(rng, customers, device) for _ in range(BATCH)])
                for _ in range(N // BATCH)
            ]
            return timed_pushes(device, bodies)


def ours_run(kind):
    with temp_folder() as folder, fresh_database(kind, folder) as url:
        migrate(url, folder, {"bench-rep": ("rep", "bench")})
        with gunicorn(url, folder) as (base, _):
            device, rng = Device(base, "bench-rep"), seeded(7)
            customers = seed_customers(device, rng)
            for _ in range(20):
                device.push(device.push_body([visit_mutation(rng, customers, device) for _ in range(BATCH)]))
            bodies = [
                device.push_body([visit_mutation(rng, customers, device) for _ in range(BATCH)])
                for _ in range(N // BATCH)
            ]
            return timed_pushes(device, bodies), customers


def peer_run(peer, url, run_no):
    conn, db, rng = peer.Conn(url), f"floor_{run_no}", seeded(run_no)
    conn.req("PUT", f"/{db}")
    bodies = [dumps({"docs": [peer.make_doc(rng) for _ in range(BATCH)]}) for _ in range(N // BATCH)]
    started = time.perf_counter()
    for body in bodies:
        conn.req("POST", f"/{db}/_bulk_docs", body)
    rate = N / (time.perf_counter() - started)
    conn.req("DELETE", f"/{db}")
    return rate


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    kinds = ["sqlite", "postgresql"] if a.db == "both" else [a.db]
    print(f"push_floor {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}, loadavg {loadavg()}", flush=True)
    peer = anchor()
    url, pid = start_peer()
    rates: dict[str, list[float]] = {"peer": []}
    try:
        peer_run(peer, url, 0)  # warm-up
        for run_no in range(1, a.runs + 1):
            rates["peer"].append(peer_run(peer, url, run_no))
            for kind in kinds:
                ours, customers = ours_run(kind)
                rates.setdefault(f"ours {kind}", []).append(ours)
                rates.setdefault(f"floor {kind}", []).append(floor_run(kind, customers))
            print(f"  run {run_no}: " + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in rates.items()), flush=True)
    finally:
        subprocess.run(["kill", str(pid)], check=False)
    peer_rate = statistics.median(rates["peer"])
    print(f"\nloadavg at the end {loadavg()}; medians of {a.runs} runs, {N:,} docs, {BATCH} a request\n")
    print("| server | docs/s | vs the peer | ms a push of 100 |")
    print("| --- | --- | --- | --- |")
    for name, values in rates.items():
        rate = statistics.median(values)
        print(f"| {name} | {rate:,.0f} | {rate / peer_rate:.2f}x | {BATCH * 1000 / rate:.1f} |")
    need = 1.5 * peer_rate
    print(f"\n1.5x the peer: {need:,.0f} docs/s, {BATCH * 1000 / need:.1f} ms a push of 100")
    for kind in kinds:
        floor_ms = BATCH * 1000 / statistics.median(rates[f"floor {kind}"])
        ours_ms = BATCH * 1000 / statistics.median(rates[f"ours {kind}"])
        print(
            f"{kind}: the floor takes {floor_ms:.1f} ms of our {ours_ms:.1f} ms a push; our logic "
            f"{ours_ms - floor_ms:.1f} ms; 1.5x leaves it {BATCH * 1000 / need - floor_ms:.1f} ms"
        )


if __name__ == "__main__":
    main()
