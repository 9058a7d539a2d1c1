"""PostgreSQL: the pull cursor never skips a push that commits while another waits on the feed.

Push A takes its feed position and stays uncommitted; push B, in another thread, waits on the
feed lock A holds; a device pulls in between. Whatever order the numbers were handed out in,
the puller's next pull after both commits must bring A's change and B's, in commit order.
"""

import json
import threading
import time
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from sync.client import mutation
from sync.hlc import format_hlc
from sync.pull import changes_since
from sync.push import apply_push

from server import create_app
from server.core.db import db
from server.core.engine import ENGINE, actor as make_actor
from server.core.models import User

WINDOW_MS = 90 * 86400 * 1000


@pytest.fixture
def engine(database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "GENBA_DATA_DIR": str(tmp_path)})
    with app.app_context():
        yield db.engine
        db.engine.dispose()


def office_actor(engine):
    with Session(engine) as session:
        user = session.execute(select(User).where(User.login == "office")).scalar_one()
        return make_actor(user.id, user.role, user.team, str(uuid.uuid4()))


def customer_push(actor, name):
    return [
        mutation(
            "customers",
            str(uuid.uuid4()),
            "upsert",
            None,
            {"name": name},
            format_hlc(int(time.time() * 1000), 0, actor.device_id),
        )
    ]


def now_ms():
    return int(time.time() * 1000)


def pull(engine, actor, cursor):
    """Pull every page after ``cursor``; return the customer names in order and the cursor."""
    names = []
    while True:
        with Session(engine) as session:
            page = changes_since(session, ENGINE, actor, cursor, 500, now_ms=now_ms(), window_ms=WINDOW_MS)
        changes, cursor, has_more = page.changes, page.cursor, page.has_more
        names += [
            change["record"]["name"] for change in map(json.loads, changes) if change["entity"] == "customers"
        ]
        if not has_more:
            return names, cursor


def wait_for_lock_wait(engine, timeout=10):
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
            if waiting:
                return True
            conn.rollback()
            time.sleep(0.02)
    return False


def race(engine, actor, now_a, now_b, meanwhile):
    """Run push A up to its commit, start push B, call ``meanwhile`` once B waits on A, commit A.

    Return A's answered clock and B's outcome (its status and clock, or the error it raised).
    """
    writer_a, writer_b = (
        make_actor(actor.user_id, actor.role, actor.team, str(uuid.uuid4())) for _ in range(2)
    )
    session_a = Session(engine)
    [result_a], hlc_a = apply_push(session_a, ENGINE, writer_a, customer_push(writer_a, "A社"), now_ms=now_a)
    assert result_a["status"] == "applied"
    outcome_b = {}

    def push_b():
        with Session(engine) as session_b:
            try:
                [result], hlc_b = apply_push(
                    session_b, ENGINE, writer_b, customer_push(writer_b, "B社"), now_ms=now_b
                )
                session_b.commit()
                outcome_b.update(status=result["status"], hlc=hlc_b)
            except Exception as err:
                outcome_b["error"] = err

    thread_b = threading.Thread(target=push_b)
    thread_b.start()
    try:
        assert wait_for_lock_wait(engine), "push B did not wait on the feed lock held by push A"
        meanwhile()
    finally:
        session_a.commit()
        session_a.close()
        thread_b.join(timeout=30)
    return hlc_a, outcome_b


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_pull_between_out_of_order_commits_skips_neither_push(engine):
    actor = office_actor(engine)
    _, before_both = pull(engine, actor, None)
    between = {}
    _, outcome_b = race(
        engine,
        actor,
        now_ms(),
        now_ms(),
        lambda: between.update(zip(("names", "cursor"), pull(engine, actor, before_both), strict=True)),
    )
    assert between["names"] == []
    assert outcome_b.get("status") == "applied", outcome_b
    assert pull(engine, actor, between["cursor"])[0] == ["A社", "B社"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_push_that_waited_on_the_feed_answers_a_clock_above_the_push_before_it(engine):
    """A server whose clock runs 2 s ahead commits A first: B's clock comes from the database."""
    actor = office_actor(engine)
    now = now_ms()
    hlc_a, outcome_b = race(engine, actor, now + 2000, now, lambda: None)
    assert outcome_b.get("status") == "applied", outcome_b
    assert outcome_b["hlc"] > hlc_a
