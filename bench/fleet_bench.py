#!/usr/bin/env python3
"""A fleet of 200 devices (the reference client, ``sync/client.py``) against gunicorn on PostgreSQL.

20 reps in 4 teams, 10 devices each, 5 customers per rep. Every device signs in and pulls its
scope, then for 60 s syncs every 3 s (with jitter) after 1-3 edits: a new visit to one of its
team's customers, and now and then an edit of a customer's notes, which other devices of the
team edit too (field merge and kept conflicts). Prints the round trip of a sync (push and pull
to the end) p50/p95/p99, requests, errors (exceptions or rejected mutations: zero expected),
and the server's CPU and worker RSS every 5 s.
Run: ``.venv/bin/python bench/fleet_bench.py`` (``--quick``: 40 devices for 15 s; ``--db sqlite``).
"""
import argparse
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sync.client import Client, HttpTransport

from workload import (
    PASSWORD,
    ServerProc,
    fresh_database,
    gunicorn,
    loadavg,
    machine,
    machine_busy,
    migrate,
    pct,
    peer_doc,
    temp_folder,
)

TEAMS = ["east", "west", "north", "south"]


def options():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    p.add_argument("--devices", type=int, default=200)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--interval", type=float, default=3.0, help="seconds between a device's syncs")
    p.add_argument("--workers", type=int, help="gunicorn workers (default: one per core)")
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    if a.quick:
        a.devices, a.seconds = 40, 15
    return a


class Fleet:
    """Figures shared by the device threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.round_trips, self.errors, self.syncs, self.mutations, self.conflicts = [], [], 0, 0, 0

    def done(self, seconds, results):
        with self.lock:
            self.round_trips.append(1000 * seconds)
            self.syncs += 1
            self.mutations += len(results)
            self.conflicts += sum(1 for r in results if r.get("conflicts"))
            self.errors.extend(f"rejected: {r.get('errors')}" for r in results if r["status"] == "rejected")

    def failed(self, error):
        with self.lock:
            self.errors.append(repr(error)[:200])


def device_loop(client, fleet, stop_at, interval, seed):
    rng = random.Random(seed)
    time.sleep(rng.uniform(0, interval))
    while time.monotonic() < stop_at:
        customers = [r for (entity, _), r in client.replica.records.items()
                     if entity == "customers" and not r["deleted"]]
        for _ in range(rng.randint(1, 3)):
            customer = rng.choice(customers)
            if rng.random() < 0.2:
                client.save("customers", customer["id"], notes=f"{client.device_id[:8]} {rng.random():.6f}")
            else:
                doc = peer_doc(rng)
                client.save("visits", customer_id=customer["id"], kind="aftercare", visited_at=doc["visited_at"],
                            purpose=doc["contact"]["name"], notes=doc["notes"])
        started = time.perf_counter()
        try:
            results = client.push()
            client.pull()
            fleet.done(time.perf_counter() - started, results)
        except Exception as err:  # noqa: BLE001 - every failure is counted and shown
            fleet.failed(err)
        time.sleep(max(0.0, interval * rng.uniform(0.8, 1.2) - (time.perf_counter() - started)))


def main():
    a = options()
    reps = {f"fleet-rep{n:02d}": ("rep", TEAMS[n % 4]) for n in range(20)}
    print(f"fleet_bench {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}, loadavg {loadavg()}, "
          f"{a.devices} devices on {a.db}, sync every {a.interval:.0f} s for {a.seconds:.0f} s", flush=True)
    with temp_folder() as folder, fresh_database(a.db, folder) as url:
        migrate(url, folder, reps)
        with gunicorn(url, folder, a.workers) as (base, pid):
            transport = HttpTransport(base, timeout=60)
            for login in reps:  # 5 customers each, with a visit
                owner = Client(transport, login, PASSWORD)
                for n in range(5):
                    cid = owner.save("customers", name=f"{login} 顧客{n}", name_kana=f"こきゃく{n}")
                    owner.save("visits", customer_id=cid, kind="sales", visited_at="2026-11-27T10:00:00+09:00")
                owner.push()
            clients = [Client(transport, list(reps)[n % 20], PASSWORD) for n in range(a.devices)]
            started = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:  # sign-ins hash passwords: keep both workers busy
                list(pool.map(Client.sync, clients))
            print(f"  {a.devices} devices signed in and pulled their scope in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)

            proc, fleet, samples = ServerProc(pid), Fleet(), []
            stop_at = time.monotonic() + a.seconds
            threads = [threading.Thread(target=device_loop, args=(c, fleet, stop_at, a.interval, n), daemon=True)
                       for n, c in enumerate(clients)]
            for thread in threads:
                thread.start()
            last = (time.perf_counter(), proc.cpu(), machine_busy(), time.process_time())
            begun = last[0]
            while time.monotonic() < stop_at:
                time.sleep(5)
                now = (time.perf_counter(), proc.cpu(), machine_busy(), time.process_time())
                wall = now[0] - last[0]
                memory = proc.memory()
                workers = [rss for p, (rss, _) in memory.items() if p != pid]
                samples.append((now[0] - begun, *(100 * (now[i] - last[i]) / wall for i in (1, 3, 2)),
                                workers))
                last = now
            for thread in threads:
                thread.join(timeout=120)
            peaks = [peak for p, (_, peak) in proc.memory().items() if p != pid]

    rt = fleet.round_trips
    print("\n  t (s) | server CPU % | devices CPU % | machine CPU % | worker RSS (MB)")
    for t, cpu, devices, busy, workers in samples:
        print(f"  {t:5.0f} | {cpu:12.0f} | {devices:13.0f} | {busy:13.0f} | {' '.join(f'{w:.0f}' for w in workers)}")
    print(f"\n  syncs {fleet.syncs} ({fleet.syncs / a.seconds:.1f}/s), mutations {fleet.mutations}, "
          f"merged with conflicts {fleet.conflicts}, errors {len(fleet.errors)}")
    if rt:
        print(f"  round trip (push + pull): p50 {statistics.median(rt):.0f} ms, p95 {pct(rt, 95):.0f} ms, "
              f"p99 {pct(rt, 99):.0f} ms, max {max(rt):.0f} ms")
    print(f"  peak worker RSS {max(peaks):.0f} MB; loadavg at the end {loadavg()}")
    for error in fleet.errors[:5]:
        print("  error:", error)
    if rt:
        print(f"fleet: devices={a.devices} p50_ms={statistics.median(rt):.0f} p95_ms={pct(rt, 95):.0f} "
              f"p99_ms={pct(rt, 99):.0f} errors={len(fleet.errors)} rss_mb={max(peaks):.0f}")


if __name__ == "__main__":
    main()
