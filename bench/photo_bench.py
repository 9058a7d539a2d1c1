#!/usr/bin/env python3
"""Benchmark photo uploads: 50 photos of 3 MB through the content endpoint from 4 clients.

gunicorn serves the app (SQLite in a temporary folder unless ``--database-url`` names a migrated
PostgreSQL database); 4 devices of one rep push the attachment records, then 4 threads send the
bytes with ``PUT /api/v1/attachments/{id}/content``, one file at a time each. It prints the
throughput (MB/s over the wall time of the uploads) and the workers' memory: resident size before
the uploads and the high-water mark (``VmHWM``, reset just before them) after, so a body held in memory would show as
growth of several MB per worker. Target: >= 50 MB/s on loopback, memory flat.

Run: ``.venv/bin/python bench/photo_bench.py`` (``--photos``, ``--mb``, ``--clients``, ``--workers``).
"""

import argparse
import contextlib
import hashlib
import http.client
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from workload import workers_of  # gunicorn's workers, from /proc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-password"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(database_url, folder):
    """Migrate the database and create the rep who uploads."""
    import flask_migrate

    from server import create_app
    from server.core.db import db, writing_session
    from server.core.users import create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "GENBA_DATA_DIR": folder})
    with app.app_context():
        flask_migrate.upgrade()
        session = writing_session()
        create_user(session, "bench_rep", PASSWORD, "rep", "east", "ベンチ 太郎")
        session.commit()
        db.session.remove()
        db.engine.dispose()


@contextlib.contextmanager
def gunicorn(database_url, folder, workers):
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        GENBA_DATA_DIR=folder,
        GENBA_INSTANCE_PATH=folder,
        RATELIMIT_ENABLED="0",
        PYTHONPATH=str(ROOT),
    )
    log = open(Path(folder) / "gunicorn.log", "wb")  # noqa: SIM115 (gunicorn writes to it until stopped)
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--no-control-socket",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "server:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = call(port, "GET", "/api/v1/openapi.json")
                if status == 200 and len(workers_of(process.pid)) == workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start: " + (Path(folder) / "gunicorn.log").read_text())
            time.sleep(0.1)
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def call(port, method, path, body=None, headers=None):
    import json

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        payload = json.dumps(body).encode() if isinstance(body, dict) else body
        all_headers = {"Content-Type": "application/json"} if isinstance(body, dict) else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        connection.close()


def memory_kb(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Client:
    """One device of the rep."""

    def __init__(self, port):
        self.port, self.id = port, str(uuid.uuid4())
        status, body = call(
            port,
            "POST",
            "/api/v1/auth/token",
            {"login": "bench_rep", "password": PASSWORD, "device": {"id": self.id, "name": "bench"}},
        )
        assert status == 200, body
        self.headers = {"Authorization": f"Bearer {body['token']}"}
        self.counter = 0

    def push(self, entity, **changes):
        self.counter += 1
        mutation = {
            "mutation_id": str(uuid.uuid4()),
            "entity": entity,
            "record_id": str(uuid.uuid4()),
            "op": "upsert",
            "base_version": None,
            "changes": changes,
            "hlc": f"{int(time.time() * 1000):013d}:{self.counter:06d}:{self.id}",
        }
        status, body = call(
            self.port,
            "POST",
            "/api/v1/sync/push",
            {"device_id": self.id, "mutations": [mutation]},
            self.headers,
        )
        assert status == 200 and body["results"][0]["status"] == "applied", body
        return body["results"][0]["record"]

    def upload(self, attachment_id, data):
        status, body = call(
            self.port,
            "PUT",
            f"/api/v1/attachments/{attachment_id}/content",
            data,
            {**self.headers, "Content-Type": "application/octet-stream"},
        )
        assert status == 200 and body["record"]["uploaded"], body


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--mb", type=float, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--database-url", help="a migrated-or-empty database (default: SQLite in a temp folder)"
    )
    args = parser.parse_args()
    size = int(args.mb * 1024 * 1024)
    with tempfile.TemporaryDirectory(prefix="genba-photo-bench-") as folder:
        database_url = args.database_url or f"sqlite:///{folder}/genba.sqlite3"
        prepare(database_url, folder)
        photos = [b"\xff\xd8\xff\xe0" + os.urandom(size - 4) for _ in range(args.photos)]
        with gunicorn(database_url, folder, args.workers) as (port, master):
            clients = [Client(port) for _ in range(args.clients)]
            customer = clients[0].push("customers", name="ベンチ製作所")
            visit = clients[0].push(
                "visits", customer_id=customer["id"], kind="aftercare", visited_at="2026-11-27T10:00:00+09:00"
            )
            work = queue.Queue()
            for index, data in enumerate(photos):
                client = clients[index % len(clients)]
                record = client.push(
                    "attachments",
                    customer_id=customer["id"],
                    owner_entity="visits",
                    owner_id=visit["id"],
                    filename=f"p{index}.jpg",
                    content_type="image/jpeg",
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                )
                work.put((record["id"], data))
            workers = workers_of(master.pid)
            before = {pid: memory_kb(pid, "VmRSS") for pid in workers}
            for pid in workers:  # reset the high-water mark: boot and imports peaked higher
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            load_before = os.getloadavg()

            def run(client):
                while True:
                    try:
                        attachment_id, data = work.get_nowait()
                    except queue.Empty:
                        return
                    client.upload(attachment_id, data)

            threads = [threading.Thread(target=run, args=(c,)) for c in clients]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            peak = {pid: memory_kb(pid, "VmHWM") for pid in workers}
            after = {pid: memory_kb(pid, "VmRSS") for pid in workers}
        total_mb = size * args.photos / 1024 / 1024
        print(
            f"\nGenba photo upload benchmark — {args.photos} photos × {args.mb:g} MB, "
            f"{args.clients} clients, gunicorn {args.workers} workers, "
            f"{'PostgreSQL' if 'postgresql' in database_url else 'SQLite'}, {os.cpu_count()} CPUs"
        )
        print(
            f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
            f"after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
        )
        print(f"uploaded {total_mb:.0f} MB in {elapsed:.2f} s: {total_mb / elapsed:.1f} MB/s (target >= 50)")
        for pid in workers:
            print(
                f"worker {pid}: RSS before {before[pid] / 1024:.1f} MB, peak {peak[pid] / 1024:.1f} MB, "
                f"after {after.get(pid, 0) / 1024:.1f} MB (growth {(peak[pid] - before[pid]) / 1024:+.1f} MB)"
            )


if __name__ == "__main__":
    main()
