#!/usr/bin/env python3
"""Profile push and pull in one process (Flask test client, cProfile) on SQLite or PostgreSQL.

Run: ``.venv/bin/python bench/profile_sync.py [--db postgresql] [--phase push|pull|empty]``;
prints the functions with the most cumulative and own time. ``--phases`` instead splits a push's
wall time into its phases (request handling, auth, validation, apply, each kind of statement,
the feed lock, commit) and prints the time per push of ``--batch``.
"""

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import time
import uuid

from server.gunicorn_config import post_worker_init
from workload import PASSWORD, fresh_database, migrate, new_id, peer_doc, temp_folder

WARM_UP = 5  # pushes before the phases are timed


class TestDevice:
    """A device through the Flask test client."""

    def __init__(self, client, login):
        self.client, self.id, self.counter = client, str(uuid.uuid4()), 0
        body = client.post(
            "/api/v1/auth/token",
            json={"login": login, "password": PASSWORD, "device": {"id": self.id, "name": "profile"}},
        ).get_json()
        self.headers = {"Authorization": "Bearer " + body["token"]}

    def mutation(self, entity, record_id=None, **changes):
        self.counter += 1
        return {
            "mutation_id": new_id(),
            "entity": entity,
            "record_id": record_id or new_id(),
            "op": "upsert",
            "base_version": None,
            "changes": changes,
            "hlc": f"{int(time.time() * 1000):013d}:{self.counter:06d}:{self.id}",
        }

    def push(self, mutations):
        r = self.client.post(
            "/api/v1/sync/push",
            data=json.dumps({"device_id": self.id, "mutations": mutations}),
            headers={**self.headers, "Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.get_data(as_text=True)[:300]

    def pull(self, cursor, limit=500):
        q = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        return self.client.get("/api/v1/sync/pull", query_string=q, headers=self.headers).get_json()


def visit(device, rng, customers):
    doc = peer_doc(rng)
    return device.mutation(
        "visits",
        doc["_id"],
        customer_id=rng.choice(customers),
        kind="aftercare",
        visited_at=doc["visited_at"],
        purpose=doc["contact"]["name"],
        handling=doc["status"],
        notes=doc["notes"],
    )


@contextlib.contextmanager
def seeded_app(kind):
    """A fresh, migrated database with a rep's device and 50 of their customers, served by the
    app in process: yields ``(app, client, device, customer ids)``."""
    from server import create_app

    with temp_folder() as folder, fresh_database(kind, folder) as url:
        migrate(url, folder, {"bench-rep": ("rep", "bench")})
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "GENBA_DATA_DIR": folder, "RATELIMIT_ENABLED": False}
        )
        client = app.test_client()
        device = TestDevice(client, "bench-rep")
        customers = [device.mutation("customers", name=f"客{n}") for n in range(50)]
        device.push(customers)
        yield app, client, device, [c["record_id"] for c in customers]


def db_engine():
    from server.core.db import db

    return db.engine


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--phase", choices=["push", "pull", "empty", "none"], default="push")
    p.add_argument("--n", type=int, default=3000)
    p.add_argument("--top", type=int, default=35)
    p.add_argument("--batch", type=int, default=100, help="mutations per push")
    p.add_argument("--phases", action="store_true", help="split a push's time into its phases")
    a = p.parse_args()
    rng = random.Random(1)
    with seeded_app(a.db) as (app, client, device, customers):
        batches = [[visit(device, rng, customers) for _ in range(a.batch)] for _ in range(a.n // a.batch)]
        if a.phases:
            from phases import Phases

            with app.app_context():
                phases = Phases(db_engine(), a.db)
            bodies = [json.dumps({"device_id": device.id, "mutations": batch}) for batch in batches]
            headers = {**device.headers, "Content-Type": "application/json"}
            for body in bodies[:WARM_UP]:  # every statement prepared, every cache filled
                client.post("/api/v1/sync/push", data=body, headers=headers)
            post_worker_init(None)  # the garbage collector as in a gunicorn worker
            with phases:
                for body in bodies[WARM_UP:]:
                    with phases.request():
                        r = client.post("/api/v1/sync/push", data=body, headers=headers)
                    assert r.status_code == 200, r.get_data(as_text=True)[:300]
            phases.report(len(batches) - WARM_UP, a.batch)
            return
        profile = cProfile.Profile()
        if a.phase == "push":
            profile.enable()
        started, cpu = time.perf_counter(), time.process_time()
        for batch in batches:
            device.push(batch)
        print(
            f"push: {a.n / (time.perf_counter() - started):.0f} mutations/s, "
            f"{(time.process_time() - cpu) / len(batches) * 1e3:.2f} ms CPU per push of {a.batch}"
        )
        profile.disable()
        reader = TestDevice(client, "bench-rep")
        if a.phase == "pull":
            profile.enable()
        started, cpu, cursor, got = time.perf_counter(), time.process_time(), None, 0
        while True:
            page = reader.pull(cursor)
            got, cursor = got + len(page["changes"]), page["cursor"]
            if not page["has_more"]:
                break
        print(
            f"pull: {got / (time.perf_counter() - started):.0f} records/s, "
            f"{(time.process_time() - cpu) / got * 5e5:.1f} ms CPU per 500"
        )
        profile.disable()
        if a.phase == "empty":
            profile.enable()
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(200):
            reader.pull(cursor)
        print(
            f"empty pull: {(time.perf_counter() - started) / 200 * 1000:.2f} ms, "
            f"{(time.process_time() - cpu) / 200 * 1000:.2f} ms CPU"
        )
        profile.disable()
        from server.core.db import db

        with app.app_context():
            db.engine.dispose()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(a.top)
    stats.sort_stats("tottime").print_stats(a.top)
    if os.environ.get("PROFILE_CALLERS"):
        stats.print_callers(os.environ["PROFILE_CALLERS"])
    if os.environ.get("PROFILE_CALLEES"):
        stats.print_callees(os.environ["PROFILE_CALLEES"])
    print(out.getvalue())


if __name__ == "__main__":
    main()
