"""The peer's push/pull workload, spoken in Genba's wire contract, and the processes it runs on.

Shared by ``sync_bench.py``, ``anchor_compare.py`` and ``fleet_bench.py``: the documents (the
anchor's 670-byte Japanese visits, from ``../shared/bench/anchor-couch/bench.py``), a fresh
database on SQLite or PostgreSQL with a bench team and its customers, gunicorn as the Procfile
runs it, a keep-alive HTTP device, and ``/proc`` readings of the server's CPU and memory.
"""

import contextlib
import http.client
import importlib.util
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sync.client import new_id  # noqa: E402  (ids as the app makes them; ROOT is on the path now)

from server.gunicorn_config import default_workers  # noqa: E402  (as the Procfile's gunicorn counts them)

ANCHOR_DIR = Path(os.environ.get("GENBA_ANCHOR_DIR", ROOT.parent / "shared" / "bench" / "anchor-couch"))
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-password"
CUSTOMERS = 50
KINDS = ["aftercare", "sales", "phone"]


def anchor():
    """The peer's benchmark module (documents and its CouchDB client), loaded from its folder."""
    path = ANCHOR_DIR / "bench.py"
    if not path.exists():
        sys.exit(f"the anchor benchmark is not at {path}: set GENBA_ANCHOR_DIR")
    spec = importlib.util.spec_from_file_location("anchor_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ANCHOR = None


def peer_doc(rng):
    global ANCHOR
    if ANCHOR is None:
        ANCHOR = anchor()
    return ANCHOR.make_doc(rng)


def visit_mutation(rng, customer_ids, device):
    """The anchor's visit document as a Genba visit created by ``device``."""
    doc = peer_doc(rng)
    contact = doc["contact"]
    return device.mutation(
        "visits",
        doc["_id"],
        customer_id=rng.choice(customer_ids),
        kind=KINDS[rng.randrange(3)],
        visited_at=doc["visited_at"],
        purpose=f"{contact['name']} {contact['phone']}",
        handling=f"{doc['status']} {doc['duration_min']}分",
        notes=doc["notes"],
    )


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


# ---------------------------------------------------------------- databases


@contextlib.contextmanager
def fresh_database(kind, folder):
    """Yield the SQLAlchemy URL of a new, empty database (``sqlite`` or ``postgresql``)."""
    if kind == "sqlite":
        yield f"sqlite:///{Path(folder) / 'genba.sqlite3'}"
        return
    import psycopg

    name = f"genba_bench_{uuid.uuid4().hex[:10]}"
    admin = PG_SERVER.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_SERVER.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def driver_url(url):
    """The plain driver's connection string of a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://").replace("sqlite:///", "")


def migrate(database_url, folder, users):
    """Apply the migrations and create ``users`` (login -> (role, team)); return their ids."""
    import flask_migrate

    from server import create_app
    from server.core.db import writing_session
    from server.core.users import create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "GENBA_DATA_DIR": str(folder)})
    with app.app_context():
        flask_migrate.upgrade()
        session = writing_session()
        ids = {
            login: create_user(session, login, PASSWORD, role, team).id
            for login, (role, team) in users.items()
        }
        session.commit()
        from server.core.db import db

        db.engine.dispose()
    return ids


# ---------------------------------------------------------------- gunicorn


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url, folder, workers=None, extra_env=None, app="server:create_app()"):
    """Serve the app as the Procfile does (as many workers as ``server/gunicorn_config.py``
    starts for this database, unless ``workers``); yield (URL, pid). ``app`` names another WSGI
    app (``push_floor.py``'s), started and probed the same way."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GENBA_INSTANCE_PATH": str(folder),
        "GENBA_DATA_DIR": str(folder),
        "RATELIMIT_ENABLED": "0",
        "PYTHONPATH": str(ROOT),
        "MAX_PUSH_MUTATIONS": "500",
        **(extra_env or {}),
    }
    workers = workers or default_workers(env)
    log_path = Path(folder) / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                # This interpreter's gunicorn: the code is ROOT's (PYTHONPATH, cwd), so another tree
                # (push_ab.py's B) needs no virtualenv of its own.
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "python:server.gunicorn_config",
                "--no-control-socket",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                app,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/v1/openapi.json")
                if conn.getresponse().status == 200 and len(workers_of(process.pid)) == workers:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + log_path.read_text())
            time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def workers_of(pid):
    """The child process ids of ``pid`` (gunicorn's workers)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class ServerProc:
    """CPU seconds and memory of a server: its main process and its workers, from /proc."""

    def __init__(self, pid):
        self.pid, self.tick = pid, os.sysconf("SC_CLK_TCK")

    def pids(self):
        return [self.pid, *workers_of(self.pid)]

    def cpu(self):
        total = 0.0
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / self.tick
            except OSError:
                pass
        return total

    def memory(self):
        """``{pid: (rss MB, peak rss MB)}`` of every process of the server."""
        out = {}
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/status") as f:
                    kv = dict(line.split(":", 1) for line in f if line.startswith(("VmRSS", "VmHWM")))
                out[pid] = (int(kv["VmRSS"].split()[0]) / 1024, int(kv["VmHWM"].split()[0]) / 1024)
            except (OSError, KeyError):
                pass
        return out

    def peak_worker_mb(self):
        peaks = [peak for pid, (_, peak) in self.memory().items() if pid != self.pid]
        return max(peaks) if peaks else 0.0


def machine_busy():
    """CPU seconds every process on this machine used since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Timed:
    """``with Timed(proc) as t``: wall seconds, server CPU % and the rest of the machine's CPU %."""

    def __init__(self, proc):
        self.proc = proc

    def __enter__(self):
        self.m0, self.s0, self.c0 = machine_busy(), self.proc.cpu(), time.process_time()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        self.srv = 100 * (self.proc.cpu() - self.s0) / self.wall
        self.cli = 100 * (time.process_time() - self.c0) / self.wall
        self.rest = max(0.0, 100 * (machine_busy() - self.m0) / self.wall - self.srv - self.cli)


# ---------------------------------------------------------------- a device over HTTP


class Device:
    """One signed-in device speaking the wire contract over one HTTP connection."""

    def __init__(self, base_url, login, device_id=None):
        u = urlsplit(base_url)
        self.host, self.port = u.hostname, u.port
        self.id = device_id or str(uuid.uuid4())
        self.counter = 0
        self.conn = None
        self.headers = {"Content-Type": "application/json", "Genba-Protocol": "1"}
        body = self.call(
            "POST",
            "/api/v1/auth/token",
            dumps({"login": login, "password": PASSWORD, "device": {"id": self.id, "name": "bench"}}),
        )
        self.headers["Authorization"] = "Bearer " + body["token"]
        self.user_id = body["user"]["id"]

    def call(self, method, path, body=None):
        for attempt in (1, 2):  # gunicorn's sync workers close after each answer
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
            try:
                self.conn.request(method, path, body=body, headers=self.headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status}: {raw[:300]!r}")
        return json.loads(raw)

    def hlc(self):
        self.counter += 1
        return f"{int(time.time() * 1000):013d}:{self.counter % 1000000:06d}:{self.id}"

    def mutation(self, entity, record_id=None, base_version=None, **changes):
        return {
            "mutation_id": new_id(),
            "entity": entity,
            "record_id": record_id or new_id(),
            "op": "upsert",
            "base_version": base_version,
            "changes": changes,
            "hlc": self.hlc(),
        }

    def push_body(self, mutations):
        return dumps({"device_id": self.id, "client_time": int(time.time() * 1000), "mutations": mutations})

    def push(self, body):
        """Push a serialised body; fail unless every mutation applied."""
        results = self.call("POST", "/api/v1/sync/push", body)["results"]
        bad = [r for r in results if r["status"] not in ("applied", "duplicate")]
        if bad:
            raise RuntimeError(f"push: {bad[:2]}")
        return results

    def pull_page(self, cursor, limit):
        query = f"?limit={limit}" + (f"&cursor={quote(cursor)}" if cursor else "")
        return self.call("GET", "/api/v1/sync/pull" + query)

    def pull_all(self, cursor, limit):
        """Follow the feed to its end; return (changes, cursor, requests)."""
        n = requests = 0
        while True:
            page = self.pull_page(cursor, limit)
            n, requests, cursor = n + len(page["changes"]), requests + 1, page["cursor"]
            if not page["has_more"]:
                return n, cursor, requests


def seed_customers(device, rng, count=CUSTOMERS):
    """Create ``count`` customers owned by the device's user; return their ids."""
    mutations = [
        device.mutation(
            "customers",
            name=f"株式会社ベンチ{n:03d}",
            name_kana=f"ベンチ{n:03d}",
            address="東京都大田区蒲田1-2-3",
            phone="03-0000-0000",
        )
        for n in range(count)
    ]
    device.push(device.push_body(mutations))
    return [m["record_id"] for m in mutations]


# ---------------------------------------------------------------- figures


def pct(values, q):
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def concurrently(jobs):
    """Run callables in threads released together; return (wall seconds, results)."""
    gate = threading.Barrier(len(jobs) + 1)
    results, failures = [None] * len(jobs), []

    def run(index, job):
        try:
            gate.wait()
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - surfaced below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return time.perf_counter() - started, results


def machine():
    cpu = "?"
    with contextlib.suppress(OSError):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return f"{os.cpu_count()} cores, {cpu}"


def temp_folder():
    return tempfile.TemporaryDirectory(prefix="genba-bench-")


def seeded(seed):
    return random.Random(seed)
