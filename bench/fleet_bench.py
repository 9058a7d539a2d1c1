#!/usr/bin/env python3
"""A fleet of 200 devices (the reference client, ``sync/client.py``) against gunicorn on PostgreSQL.

20 reps in 4 teams, 10 devices each, 5 customers per rep. Every device signs in and pulls its
scope, then for 60 s syncs every 3 s (with jitter) after 1-3 edits: a new visit to one of its
team's customers, and now and then an edit of a customer's notes, which other devices of the
team edit too (field merge and kept conflicts). Prints the round trip of a sync (push and pull
to the end) p50/p95/p99, requests, errors (exceptions or rejected mutations: zero expected),
and the server's CPU and worker RSS every 5 s. Beside the devices' round trips it prints the
workers' own time per request (gunicorn's access log): the rest of a round trip is the wait for a
free worker and the client's side.
The devices run as threads of ``--processes`` processes (default 4): in one process their 200
threads queue for one interpreter lock, and a round trip measures that queue as well.
Run: ``.venv/bin/python bench/fleet_bench.py`` (``--quick``: 40 devices for 15 s; ``--db sqlite``).
Several nodes on one database: ``--nodes 2`` starts two gunicorn servers here (the cores split
between them), or ``--url http://a:8000 --url http://b:8000 --database-url postgresql+psycopg://...``
drives servers already running elsewhere; devices are spread over the nodes in turn.
"""

import argparse
import contextlib
import multiprocessing
import os
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sync.client import Client, HttpTransport

from workload import (
    PASSWORD,
    ServerProc,
    default_workers,
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
    p.add_argument(
        "--workers", type=int, help="gunicorn workers per node (default: the Procfile's count / nodes)"
    )
    p.add_argument("--nodes", type=int, default=1, help="gunicorn servers to start on the one database")
    p.add_argument("--url", action="append", default=[], help="a running node's base URL (repeat)")
    p.add_argument("--database-url", help="the database of the --url nodes (users are created there)")
    p.add_argument("--processes", type=int, default=4, help="processes the device threads run in")
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    if a.url and not a.database_url:
        p.error("--url needs --database-url (the bench creates its users there)")
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

    def merge(self, round_trips, errors, syncs, mutations, conflicts):
        """Add a device process's figures."""
        self.round_trips += round_trips
        self.errors += errors
        self.syncs += syncs
        self.mutations += mutations
        self.conflicts += conflicts

    def failed(self, error):
        with self.lock:
            self.errors.append(repr(error)[:200])


def node_env(folder, n):
    """A node's settings: its name, and its access log with each request's time in the worker."""
    log = os.path.join(node_folder(folder, n), ACCESS_LOG)
    extra = f"--access-logfile {log} --access-logformat '{ACCESS_FORMAT}'"
    return {
        "SERVER_NODE": f"node-{n}",
        "GUNICORN_CMD_ARGS": " ".join(filter(None, [os.environ.get("GUNICORN_CMD_ARGS"), extra])),
    }


def node_folder(folder, n):
    """Each node's own data folder and log, as on separate machines."""
    path = os.path.join(folder, f"node-{n}")
    os.makedirs(path, exist_ok=True)
    return path


class Servers:
    """CPU and memory of the nodes started here, summed (nothing for nodes elsewhere)."""

    def __init__(self, pids):
        self.procs = [ServerProc(pid) for pid in pids]

    def cpu(self):
        return sum(proc.cpu() for proc in self.procs)

    def memory(self):
        return {pid: usage for proc in self.procs for pid, usage in proc.memory().items()}


def edit(client, rng):
    """1-3 edits of the device's customers: new visits, and now and then a customer's notes."""
    customers = [
        r for (entity, _), r in client.replica.records.items() if entity == "customers" and not r["deleted"]
    ]
    if not customers:
        raise RuntimeError(f"device {client.device_id[:8]} holds no customers to edit")
    for _ in range(rng.randint(1, 3)):
        customer = rng.choice(customers)
        if rng.random() < 0.2:
            client.save("customers", customer["id"], notes=f"{client.device_id[:8]} {rng.random():.6f}")
        else:
            doc = peer_doc(rng)
            client.save(
                "visits",
                customer_id=customer["id"],
                kind="aftercare",
                visited_at=doc["visited_at"],
                purpose=doc["contact"]["name"],
                notes=doc["notes"],
            )


def device_loop(client, fleet, stop_at, interval, seed):
    rng = random.Random(seed)
    time.sleep(rng.uniform(0, interval))
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            edit(client, rng)
            started = time.perf_counter()
            results = client.push()
            client.pull()
            fleet.done(time.perf_counter() - started, results)
        except Exception as err:  # noqa: BLE001 - every failure is counted and shown
            fleet.failed(err)
        time.sleep(max(0.0, interval * rng.uniform(0.8, 1.2) - (time.perf_counter() - started)))


def device_process(bases, logins, seed, interval, queue, go, stop_at):
    """Sign in this process's devices (``(node, login)``), then sync them from ``go`` until
    ``stop_at``; put ``("ready",)`` and then the figures on ``queue``."""
    transports = [HttpTransport(base, timeout=60) for base in bases]
    try:
        with ThreadPoolExecutor(2) as pool:  # sign-ins hash passwords: keep both workers busy
            clients = list(pool.map(lambda nl: signed_in(transports[nl[0]], nl[1]), logins))
    except Exception as err:  # noqa: BLE001 - the parent shows it and stops
        queue.put(("failed", repr(err)))
        return
    queue.put(("ready",))
    go.wait()
    fleet = Fleet()
    threads = [
        threading.Thread(
            target=device_loop, args=(c, fleet, stop_at.value, interval, seed * 10_000 + n), daemon=True
        )
        for n, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    errors = [str(e) for e in fleet.errors]
    queue.put(("done", fleet.round_trips, errors, fleet.syncs, fleet.mutations, fleet.conflicts))


def signed_in(transport, login):
    client = Client(transport, login, PASSWORD)
    client.sync()
    return client


ACCESS_LOG = "access.log"
# gunicorn's access log line: the method, the path and the time in the worker (microseconds).
ACCESS_FORMAT = "%(m)s %(U)s %(D)s"


def handling_times(folders):
    """The workers' own time per sync request (ms), by method and path, from the nodes' logs."""
    out: dict[str, list[float]] = {}
    for folder in folders:
        try:
            lines = Path(folder, ACCESS_LOG).read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            method, path, micros = line.split()
            if path.startswith("/api/v1/sync/"):
                out.setdefault(f"{method} {path}", []).append(int(micros) / 1000)
    return out


def main():
    a = options()
    reps = {f"fleet-rep{n:02d}": ("rep", TEAMS[n % 4]) for n in range(20)}
    nodes = len(a.url) or a.nodes
    print(
        f"fleet_bench {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}, loadavg {loadavg()}, "
        f"{a.devices} devices on {a.db}, {nodes} node(s), sync every {a.interval:.0f} s for "
        f"{a.seconds:.0f} s",
        flush=True,
    )
    with temp_folder() as folder, contextlib.ExitStack() as stack:
        url = a.database_url or stack.enter_context(fresh_database(a.db, folder))
        migrate(url, folder, reps)
        workers = a.workers or max(1, default_workers({"DATABASE_URL": url}) // nodes)
        servers = [(base, None) for base in a.url] or [
            stack.enter_context(gunicorn(url, node_folder(folder, n), workers, node_env(folder, n)))
            for n in range(a.nodes)
        ]
        pids = [pid for _, pid in servers if pid is not None]
        transports = [HttpTransport(base, timeout=60) for base, _ in servers]
        transport = transports[0]
        for login in reps:  # 5 customers each, with a visit
            owner = Client(transport, login, PASSWORD)
            for n in range(5):
                cid = owner.save("customers", name=f"{login} 顧客{n}", name_kana=f"こきゃく{n}")
                owner.save("visits", customer_id=cid, kind="sales", visited_at="2026-11-27T10:00:00+09:00")
            owner.push()
        logins = [(n % nodes, list(reps)[n % 20]) for n in range(a.devices)]
        processes = max(1, min(a.processes, a.devices))
        context = multiprocessing.get_context("fork")
        queue, go, stop_at = context.Queue(), context.Event(), context.Value("d", 0.0)
        started = time.perf_counter()
        children = [
            context.Process(
                target=device_process,
                args=([b for b, _ in servers], logins[n::processes], n, a.interval, queue, go, stop_at),
            )
            for n in range(processes)
        ]
        for child in children:
            child.start()
        for _ in children:
            message = queue.get(timeout=600)
            if message[0] == "failed":
                raise SystemExit(f"a device process could not sign in: {message[1]}")
        print(
            f"  {a.devices} devices in {processes} processes signed in and pulled their scope in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )

        proc, devices, fleet, samples = Servers(pids), Servers([c.pid for c in children]), Fleet(), []
        stop_at.value = time.monotonic() + a.seconds  # one clock for every process on this machine
        go.set()
        last = (time.perf_counter(), proc.cpu(), machine_busy(), devices.cpu())
        begun = last[0]
        while time.monotonic() < stop_at.value:
            time.sleep(5)
            now = (time.perf_counter(), proc.cpu(), machine_busy(), devices.cpu())
            wall = now[0] - last[0]
            memory = proc.memory()
            workers = [rss for p, (rss, _) in memory.items() if p not in pids]
            samples.append((now[0] - begun, *(100 * (now[i] - last[i]) / wall for i in (1, 3, 2)), workers))
            last = now
        for _ in children:
            message = queue.get(timeout=180)
            fleet.merge(*message[1:])
        for child in children:
            child.join(timeout=60)
        peaks = [peak for p, (_, peak) in proc.memory().items() if p not in pids] or [0]
        handled = handling_times([node_folder(folder, n) for n in range(a.nodes)] if not a.url else [])

    rt = fleet.round_trips
    print("\n  t (s) | server CPU % | devices CPU % | machine CPU % | worker RSS (MB)")
    for t, cpu, devices, busy, workers in samples:
        print(
            f"  {t:5.0f} | {cpu:12.0f} | {devices:13.0f} | {busy:13.0f} | {' '.join(f'{w:.0f}' for w in workers)}"
        )
    print(
        f"\n  syncs (a push and a pull each) {fleet.syncs} ({fleet.syncs / a.seconds:.1f} pushes/s), "
        f"mutations {fleet.mutations} ({fleet.mutations / a.seconds:.0f}/s), "
        f"merged with conflicts {fleet.conflicts}, errors {len(fleet.errors)}"
    )
    if rt:
        print(
            f"  round trip (push + pull): p50 {statistics.median(rt):.0f} ms, p95 {pct(rt, 95):.0f} ms, "
            f"p99 {pct(rt, 99):.0f} ms, max {max(rt):.0f} ms"
        )
    for path, times in sorted(handled.items()):
        times.sort()
        print(
            f"  in the workers, {path}: {len(times)} requests, p50 {times[len(times) // 2]:.0f} ms, "
            f"p95 {pct(times, 95):.0f} ms, p99 {pct(times, 99):.0f} ms, max {times[-1]:.0f} ms"
        )
    print(f"  peak worker RSS {max(peaks):.0f} MB; loadavg at the end {loadavg()}")
    for error in fleet.errors[:5]:
        print("  error:", error)
    if rt:
        print(
            f"fleet: nodes={nodes} devices={a.devices} pushes_per_s={fleet.syncs / a.seconds:.1f} p50_ms={statistics.median(rt):.0f} p95_ms={pct(rt, 95):.0f} "
            f"p99_ms={pct(rt, 99):.0f} errors={len(fleet.errors)} rss_mb={max(peaks):.0f}"
        )


if __name__ == "__main__":
    main()
