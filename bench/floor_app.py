"""The least a server of Genba's push contract does, for ``push_floor.py``: no Flask, no ORM.

A bare WSGI app on the raw driver, run by gunicorn like the real one. A push of new records
reads the body, asks the database what the contract needs asked (the token, the mutations
already seen, the records that exist, the feed under its lock), inserts the records and the
seen mutations in the quickest way each database has (PostgreSQL ``COPY``, SQLite one
``executemany``), moves the feed, commits durably (SQLite ``synchronous=FULL``) and answers one
result per mutation with its record. It validates nothing, merges nothing and checks no
scope: whatever the real server spends beyond this is its logic.
"""

import hashlib
import os
import sqlite3
from datetime import UTC, datetime

import orjson

URL = os.environ["DATABASE_URL"]
RECORD_COLUMNS = "entity, id, customer_id, owner_id, team, version, deleted, compacted, data, clocks, updated_at, seq, digest"
SEEN_COLUMNS = "device_id, mutation_id, entity, record_id, status, errors, created_at"
_connection = None
SEEN_BY_ID = (
    "SELECT seen.mutation_id FROM unnest(%s::varchar[]) AS pushed(id) CROSS JOIN LATERAL"
    " (SELECT * FROM seen_mutations WHERE device_id = %s AND mutation_id = pushed.id LIMIT 1) AS seen"
)
RECORDS_BY_ID = (
    "SELECT r.id FROM unnest(%s::varchar[]) AS wanted(id) CROSS JOIN LATERAL"
    " (SELECT id FROM records WHERE entity = 'visits' AND id = wanted.id LIMIT 1 FOR UPDATE) AS r"
)


def connection():
    global _connection
    if _connection is None:
        if URL.startswith("sqlite"):
            _connection = sqlite3.connect(URL.removeprefix("sqlite:///"), isolation_level=None)
            for pragma in (
                "journal_mode = WAL",
                "synchronous = FULL",
                "busy_timeout = 10000",
                "cache_size = -16000",
            ):
                _connection.execute("PRAGMA " + pragma)
        else:
            import psycopg

            _connection = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"))
    return _connection


def marks(n, mark):
    return ", ".join([mark] * n)


def push(body, token):
    conn = connection()
    sqlite = isinstance(conn, sqlite3.Connection)
    mark = "?" if sqlite else "%s"
    mutations = body["mutations"]
    device = body["device_id"]
    now = datetime.now(UTC)
    stamp = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    ids = [m["mutation_id"] for m in mutations]
    records = [m["record_id"] for m in mutations]
    cursor = conn.cursor()
    if sqlite:
        cursor.execute("BEGIN IMMEDIATE")
    digest = hashlib.sha256(token.encode()).hexdigest()
    cursor.execute(f"SELECT user_id FROM tokens WHERE token_hash = {mark}", (digest,))
    cursor.fetchall()
    if sqlite:
        cursor.execute(
            f"SELECT mutation_id FROM seen_mutations WHERE device_id = ? AND mutation_id IN ({marks(len(ids), '?')})",
            [device, *ids],
        )
        cursor.fetchall()
        cursor.execute(
            f"SELECT id FROM records WHERE entity = 'visits' AND id IN ({marks(len(records), '?')})", records
        )
        cursor.fetchall()
    else:  # one primary-key probe per id, as sync/batch.py reads them
        cursor.execute(SEEN_BY_ID, (ids, device))
        cursor.fetchall()
        cursor.execute(RECORDS_BY_ID, (records,))
        cursor.fetchall()
    seen = [(device, m["mutation_id"], "visits", m["record_id"], "applied", None, now) for m in mutations]
    answers, rows = [], []
    for m in mutations:
        data = {
            "id": m["record_id"],
            "version": 1,
            "created_at": stamp,
            "updated_at": stamp,
            "deleted": False,
        }
        data.update(m["changes"])
        clocks = orjson.dumps({name: [m["hlc"], 1] for name in m["changes"]}).decode()
        rows.append(
            [
                "visits",
                m["record_id"],
                m["changes"].get("customer_id"),
                None,
                None,
                1,
                False,
                False,
                orjson.dumps(data).decode(),
                clocks,
                now,
                0,
                0,
            ]
        )
        answers.append({"mutation_id": m["mutation_id"], "status": "applied", "record": data})
    if sqlite:
        cursor.executemany(
            f"INSERT INTO seen_mutations ({SEEN_COLUMNS}) VALUES ({marks(7, '?')})",
            [(*s[:6], stamp) for s in seen],
        )
    else:
        with cursor.copy(f"COPY seen_mutations ({SEEN_COLUMNS}) FROM STDIN") as copy:
            for row in seen:
                copy.write_row(row)
    cursor.execute("SELECT seq, hlc FROM feed WHERE id = 1" + ("" if sqlite else " FOR UPDATE"))
    seq, hlc = cursor.fetchone()
    for row in rows:
        seq += 1
        row[11] = seq
    if sqlite:
        cursor.executemany(
            f"INSERT INTO records ({RECORD_COLUMNS}) VALUES ({marks(13, '?')})",
            [(*row[:10], stamp, *row[11:]) for row in rows],
        )
    else:
        with cursor.copy(f"COPY records ({RECORD_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    cursor.execute(f"UPDATE feed SET seq = {mark} WHERE id = 1", (seq,))
    conn.commit()
    return {"results": answers, "hlc": hlc}


def app(environ, start_response):
    if environ["REQUEST_METHOD"] != "POST":  # gunicorn's readiness probe
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = orjson.loads(environ["wsgi.input"].read(length))
    token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
    answer = orjson.dumps(push(body, token))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))])
    return [answer]
