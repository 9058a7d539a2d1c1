"""A push on SQLite waits for another writer's lock, and answers 503 if it is held too long.

Another process holding SQLite's write lock (a long import, a stuck CLI) is stood for here by a
second connection to the same file that has begun ``BEGIN IMMEDIATE``.
"""

import sqlite3
import threading
import time

import pytest

from conftest import Device, make_app
from server.core.db import db


@pytest.fixture
def sqlite_app(tmp_path, sqlite_template):
    def build(**settings):
        path = tmp_path / "genba.sqlite3"
        if not path.exists():
            path.write_bytes(sqlite_template.read_bytes())
        app = make_app(f"sqlite:///{path}", tmp_path, **settings)
        built.append(app)
        return app, path

    built: list = []
    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def hold_write_lock(path):
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def visit(device, customer):
    return device.mutation(
        "visits",
        customer_id=customer["id"],
        kind="phone",
        visited_at="2026-12-03T10:00:00+09:00",
        notes="待ってから保存",
    )


def test_a_push_waits_for_another_writer_and_then_applies(sqlite_app):
    app, path = sqlite_app(SQLITE_BUSY_TIMEOUT_MS=10_000)
    rep = Device(app.test_client(), "rep_a")
    customer = rep.create("customers", name="待機工業")
    other = hold_write_lock(path)
    release = threading.Timer(0.3, other.rollback)
    release.start()
    try:
        (result,) = rep.push(visit(rep, customer))
    finally:
        release.join()
        other.close()
    assert result["status"] == "applied", result
    assert result["record"]["notes"] == "待ってから保存"


def test_a_lock_held_past_the_busy_timeout_answers_503_and_the_push_applies_later(sqlite_app):
    app, path = sqlite_app(SQLITE_BUSY_TIMEOUT_MS=1000)
    rep = Device(app.test_client(), "rep_a")
    customer = rep.create("customers", name="待機工業")
    mutation = visit(rep, customer)
    other = hold_write_lock(path)
    try:
        started = time.monotonic()
        answer = rep.push_raw(rep.wire.envelope([mutation], client_time=False))
        waited = time.monotonic() - started
    finally:
        other.rollback()
        other.close()
    assert answer.status_code == 503
    # One busy timeout, not one per retry of the push: waiting again for a lock another
    # process holds would only outlast gunicorn's worker timeout.
    assert 1 <= waited < 3
    assert answer.headers["Retry-After"] == "1"
    assert answer.get_json()["message"].startswith("The server is busy writing")
    (result,) = rep.push(mutation)  # the device sends the same mutation again
    assert result["status"] == "applied"
    pulled = rep.pull().get_json()["changes"]
    assert [c["record"]["notes"] for c in pulled if c["entity"] == "visits"] == ["待ってから保存"]
