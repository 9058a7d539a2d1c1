"""A pull with nothing new after its cursor: answered from the feed's head, read in the token
check's one statement, exactly as reading the feed would answer it."""

import tempfile
import time
from datetime import timedelta

import pytest
from psycopg import pq
from sqlalchemy import event, select

from sync.client import pull_path
from sync.models import read_feed, utcnow
from sync.pull import DONE, caught_up, changes_since, decode_cursor, encode_cursor

from server.core.db import db
from server.core.engine import ENGINE, actor
from server.core.models import User
from test_auth import last_used, set_last_used
from test_errors import assert_error_shape

WINDOW_MS = 90 * 86400 * 1000


@pytest.fixture
def synced_rep(device):
    """rep_a with two customers, pulled to the end: its cursor is past the feed's head."""
    rep = device("rep_a")
    for name in ("北辰工業", "南海精機"):
        rep.create("customers", name=name)
    rep.sync()
    return rep


def cursors_at_the_head(top, high_water, now_ms):
    return {
        "handed out at the end": lambda cursor: cursor,
        "the last position sent whole": lambda _: encode_cursor(top, DONE, high_water, now_ms),
        "ahead of the head (a restored server)": lambda _: encode_cursor(top + 5, "", high_water, now_ms),
    }


@pytest.mark.parametrize(
    "which",
    ["handed out at the end", "the last position sent whole", "ahead of the head (a restored server)"],
)
def test_the_early_answer_equals_the_answer_read_from_the_feed(app, people, synced_rep, which):
    with app.app_context():
        user = db.session.execute(select(User).where(User.id == people["rep_a"])).scalar_one()
        reader = actor(user.id, user.role, user.team, synced_rep.id)
        feed = read_feed(db.session)
        _, _, high_water, _, _ = decode_cursor(synced_rep.cursor)
        now_ms = int(time.time() * 1000)
        cursor = cursors_at_the_head(feed.seq, high_water, now_ms)[which](synced_rep.cursor)
        clock = {"now_ms": now_ms + 7, "window_ms": WINDOW_MS, "server_node": "server"}
        early = caught_up(cursor, feed, **clock)
        read = changes_since(db.session, ENGINE, reader, cursor, 100, **clock)
        db.session.remove()
    assert early == read and early.changes == [] and early.has_more is False


def test_a_cursor_with_changes_after_it_gets_no_early_answer(app, synced_rep):
    before = synced_rep.cursor
    synced_rep.create("customers", name="西山製作所")
    with app.app_context():
        feed = read_feed(db.session)
        db.session.remove()
    clock = {"now_ms": int(time.time() * 1000), "window_ms": WINDOW_MS, "server_node": "server"}
    assert caught_up(before, feed, **clock) is None
    assert caught_up(None, feed, **clock) is None
    inside_a_prioritised_first_pull = encode_cursor(feed.seq + 1, "", feed.seq, clock["now_ms"], phase=1)
    assert caught_up(inside_a_prioritised_first_pull, feed, **clock) is None
    assert [c["record"]["name"] for c in synced_rep.sync()] == ["西山製作所"]


def test_an_empty_pull_sends_the_database_one_statement_and_no_transaction(app, synced_rep):
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        # What psycopg sends, read off the wire by libpq's trace: the token check runs
        # through the driver, past SQLAlchemy's events.
        with tempfile.TemporaryFile() as log:
            body = pull_traced(engine, synced_rep, log)
            log.seek(0)
            sent = [line.split("\t") for line in log.read().decode().splitlines() if line.startswith("F\t")]
        kinds = [fields[2] for fields in sent]
        assert kinds.count("Execute") == 1 and "Query" not in kinds, kinds  # no BEGIN, no ROLLBACK
        parsed = [fields[3] for fields in sent if fields[2] == "Parse"]  # none once psycopg prepared it
        assert all("SELECT tokens.created_at" in text for text in parsed), parsed
    else:
        sent = []

        def note(_conn, _cursor, statement, *_):
            sent.append(statement.split()[0])

        event.listen(engine, "before_cursor_execute", note)
        try:
            body = synced_rep.pull(synced_rep.cursor).get_json()
        finally:
            event.remove(engine, "before_cursor_execute", note)
        assert sent == ["BEGIN", "SELECT"]  # SQLite's BEGIN is in-process
    assert body["changes"] == [] and body["has_more"] is False


def pull_traced(engine, device, log):
    """Pull once with libpq tracing what each pooled connection sends; return the answer."""
    traced = []

    def trace(dbapi_connection, *_):
        dbapi_connection.pgconn.trace(log.fileno())
        dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        traced.append(dbapi_connection)

    event.listen(engine, "checkout", trace)
    try:
        return device.pull(device.cursor).get_json()
    finally:
        event.remove(engine, "checkout", trace)
        for dbapi_connection in traced:
            dbapi_connection.pgconn.untrace()


def test_an_empty_pull_that_asks_for_the_digest_gets_it(synced_rep):
    path = pull_path(synced_rep.cursor, digest=True)
    body = synced_rep.wire.transport.open("GET", path, token=synced_rep.token).get_json()
    assert body["changes"] == [] and body["has_more"] is False
    assert body["digest"]["customers"]["count"] == 2


def test_an_empty_pull_still_expires_its_cursor(app, synced_rep):
    app.config["TOMBSTONE_DAYS"] = 0
    time.sleep(0.01)
    assert_error_shape(synced_rep.pull(synced_rep.cursor), 410, "cursor_expired")


@pytest.mark.parametrize(
    "token, cursor, status, reason",
    [
        ("not-a-token", "not-a-cursor", 401, "token_invalid"),
        (None, "not-a-cursor", 400, None),
        ("not-a-token", None, 401, "token_invalid"),
    ],
)
def test_who_asks_is_checked_before_what_they_ask(client, synced_rep, token, cursor, status, reason):
    path = "/api/v1/sync/pull?cursor=" + (cursor or synced_rep.cursor)
    answer = client.get(path, headers={"Authorization": f"Bearer {token or synced_rep.token}"})
    assert_error_shape(answer, status, reason)


def test_a_pull_that_slides_the_token_expiry_still_reads_its_page_in_one_snapshot(app, synced_rep):
    """The token check's write (at most once an hour) ends its connection; the page is read
    in a snapshot of its own, then the caught-up pull after it answers from the head."""
    set_last_used(app, synced_rep, days_ago=0.1)
    made = synced_rep.create("customers", name="東邦機工")
    set_last_used(app, synced_rep, days_ago=0.1)
    assert [c["record"]["id"] for c in synced_rep.sync()] == [made["id"]]
    assert utcnow() - last_used(app, synced_rep) < timedelta(minutes=1)
    set_last_used(app, synced_rep, days_ago=0.1)
    assert synced_rep.sync() == []


def test_the_token_checks_read_through_the_driver_as_through_sqlalchemy(app, synced_rep):
    from server.core.auth import TOKEN_QUERY, hash_token
    from server.core.sync_api import PULL_CHECK, PUSH_CHECK

    params = {"token_hash": hash_token(synced_rep.token), "start": 0}
    with app.app_context():
        connection = db.session.connection()
        for check in (TOKEN_QUERY, PUSH_CHECK, PULL_CHECK):
            ours = check.first(connection, params)
            theirs = connection.execute(check.statement, params).first()
            assert ours._asdict() == dict(theirs._mapping)
            assert ours._asdict()["id"] == synced_rep.user["id"] and ours.revoked_at is None
        assert TOKEN_QUERY.first(connection, {"token_hash": "no such token"}) is None
        db.session.remove()
