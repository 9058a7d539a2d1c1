#!/usr/bin/env python3
"""How long the server takes to read a whole prioritised first pull, page by page.

Signs in as each reader through Flask's test client (no HTTP, no gunicorn) and pulls without a
cursor with ``priority=true``, 2,000 records a page, until ``has_more`` is false; prints the
records, the pages and the time of the whole read, its median and slowest page. Point it at a
database ``pwa_bench.py --keep FOLDER`` seeded (or any with the demo users):

    .venv/bin/python bench/first_pull.py sqlite:////path/genba.sqlite3
    .venv/bin/python bench/first_pull.py postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo.data import DEMO_USERS  # noqa: E402
from server import create_app  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--logins", nargs="+", default=["office1", "rep1", "tech1"])
    parser.add_argument("--limit", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="genba-first-pull-") as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": args.database_url,
                "GENBA_DATA_DIR": folder,
                "RATELIMIT_ENABLED": False,
            }
        )
        client = app.test_client()
        for login in args.logins:
            password = next(u["password"] for u in DEMO_USERS if u["login"] == login)
            device = {"id": str(uuid.uuid4()), "name": "bench"}
            answer = client.post(
                "/api/v1/auth/token", json={"login": login, "password": password, "device": device}
            )
            headers = {"Authorization": "Bearer " + answer.get_json()["token"]}
            cursor, times, records = None, [], 0
            while True:
                query = f"limit={args.limit}&" + (f"cursor={cursor}" if cursor else "priority=true")
                started = time.perf_counter()
                body = client.get("/api/v1/sync/pull?" + query, headers=headers).get_json()
                times.append(time.perf_counter() - started)
                records += len(body["changes"])
                cursor = body["cursor"]
                if not body["has_more"]:
                    break
            print(
                f"{login:<9} {records:>7,} records {len(times):>3} pages: {sum(times):5.2f} s,"
                f" median {statistics.median(times) * 1000:4.0f} ms, slowest {max(times) * 1000:4.0f} ms"
            )


if __name__ == "__main__":
    main()
