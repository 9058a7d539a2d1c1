"""A push on SQLite waits for another writer's lock, and answers 503 if it is held too long.

Another process holding SQLite's write lock (a long import, a stuck CLI) is stood for here by a
second connection to the same file that has begun ``BEGIN IMMEDIATE``. Another of the app's own
writers (a worker, a job runner) takes its turn on the lock file beside the database; it is
stood for by this test holding that file's lock.
"""

import fcntl
import os
import sqlite3
import threading
import time

import pytest

from conftest import Device
from server.core.db import db, writing_session


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


@pytest.fixture
def writers_turn(tmp_path):
    """Take and give back the app's writers' turn, as another worker's push would."""
    descriptor = os.open(tmp_path / "genba.sqlite3-writer.lock", os.O_RDWR | os.O_CREAT)
    yield descriptor
    os.close(descriptor)


def turn_is_free(descriptor):
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    fcntl.flock(descriptor, fcntl.LOCK_UN)
    return True


def test_a_push_waits_for_another_app_writers_turn_and_then_applies(sqlite_app, writers_turn):
    app, _ = sqlite_app(SQLITE_BUSY_TIMEOUT_MS=10_000)
    rep = Device(app.test_client(), "rep_a")
    customer = rep.create("customers", name="順番工業")
    fcntl.flock(writers_turn, fcntl.LOCK_EX)
    answers = []
    pushing = threading.Thread(target=lambda: answers.append(rep.push(visit(rep, customer))))
    pushing.start()
    pushing.join(0.5)
    assert pushing.is_alive() and not answers  # it waits while the other writer has the turn
    fcntl.flock(writers_turn, fcntl.LOCK_UN)
    pushing.join(10)
    ((result,),) = answers
    assert result["status"] == "applied"
    assert turn_is_free(writers_turn)  # and gives the turn back once committed


def test_the_turn_is_given_back_however_the_transaction_ends(sqlite_app, writers_turn):
    app, _ = sqlite_app()
    rep = Device(app.test_client(), "rep_a")
    rep.create("customers", name="返却工業")
    assert turn_is_free(writers_turn)
    with app.app_context():
        session = writing_session()
        assert not turn_is_free(writers_turn)
        session.rollback()
        assert turn_is_free(writers_turn)
        writing_session()
        assert not turn_is_free(writers_turn)
        db.session.remove()  # the request ends mid-transaction: the pool rolls the connection back
        assert turn_is_free(writers_turn)
    # A rejected mutation is written too (its dead letter): the turn is free after it.
    (rejected,) = rep.push(rep.mutation("visits", customer_id="not-a-uuid", kind="phone"))
    assert rejected["status"] == "rejected"
    assert turn_is_free(writers_turn)


def test_a_turn_held_past_the_busy_timeout_answers_503_and_the_push_applies_later(sqlite_app, writers_turn):
    app, _ = sqlite_app(SQLITE_BUSY_TIMEOUT_MS=1000)
    rep = Device(app.test_client(), "rep_a")
    customer = rep.create("customers", name="待機工業")
    mutation = visit(rep, customer)
    fcntl.flock(writers_turn, fcntl.LOCK_EX)
    try:
        started = time.monotonic()
        answer = rep.push_raw(rep.wire.envelope([mutation], client_time=False))
        waited = time.monotonic() - started
    finally:
        fcntl.flock(writers_turn, fcntl.LOCK_UN)
    assert answer.status_code == 503
    assert 1 <= waited < 3
    assert answer.get_json()["message"].startswith("The server is busy writing")
    (result,) = rep.push(mutation)
    assert result["status"] == "applied"
