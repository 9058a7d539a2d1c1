"""PostgreSQL: eight writers commit in any order while a device pulls in a tight loop.

Each writer is a device of its own applying pushes in its own session and holding each push
open for a random few milliseconds before committing (after it took its feed position), so
commits overlap and finish out of the order they started in; they create, edit shared records
and delete. A reader pulls with its cursor all along, in pages of random size. When the writers
are done and the reader has caught up, the union of everything it pulled (latest version per
record) must be the table, record for record: the cursor skipped nothing, and no record came
back older than one already pulled.
"""

import json
import random
import threading
import time
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from sync.client import mutation
from sync.hlc import format_hlc
from sync.models import Record
from sync.pull import changes_since
from sync.push import apply_push

from server import create_app
from server.core.db import db
from server.core.engine import ENGINE, actor as make_actor
from server.core.models import User
from server.core.sync_api import retryable

WRITERS = 8
PUSHES = 25
WINDOW_MS = 90 * 86400 * 1000
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def now_ms():
    return int(time.time() * 1000)


@pytest.fixture
def engine(database_url, tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "GENBA_DATA_DIR": str(tmp_path),
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": WRITERS + 4},
        }
    )
    with app.app_context():
        yield db.engine
        db.engine.dispose()


def actors(engine, login, count):
    with Session(engine) as session:
        user = session.execute(select(User).where(User.login == login)).scalar_one()
        return [make_actor(user.id, user.role, user.team, str(uuid.uuid4())) for _ in range(count)]


class Writer:
    """One device: pushes of creates, edits of shared customers and deletes of its own records."""

    def __init__(self, engine, actor, shared, seed):
        self.engine, self.actor, self.shared = engine, actor, shared
        self.random = random.Random(seed)
        self.counter = 0
        self.mine = []  # (entity, id) of live records it created
        self.retries = 0

    def mutation(self, entity, record_id, op="upsert", **changes):
        self.counter += 1
        return mutation(
            entity, record_id, op, None, changes, format_hlc(now_ms(), self.counter, self.actor.device_id)
        )

    def batch(self):
        out = []
        for _ in range(self.random.randint(1, 4)):
            roll = self.random.random()
            if roll < 0.3:
                customer = str(uuid.uuid4())
                out.append(
                    self.mutation("customers", customer, name=f"{self.actor.device_id[:4]}-{self.counter}")
                )
                self.mine.append(("customers", customer))
            elif roll < 0.55:
                contact = str(uuid.uuid4())
                out.append(
                    self.mutation(
                        "contacts",
                        contact,
                        customer_id=self.random.choice(self.shared),
                        name=f"担当 {self.counter}",
                    )
                )
                self.mine.append(("contacts", contact))
            elif roll < 0.9:
                out.append(
                    self.mutation(
                        "customers",
                        self.random.choice(self.shared),
                        notes=f"{self.actor.device_id[:4]} {self.counter}",
                    )
                )
            elif self.mine:
                out.append(self.mutation(*self.mine.pop(self.random.randrange(len(self.mine))), op="delete"))
        return out

    def run(self, start, errors):
        start.wait()
        try:
            for _ in range(PUSHES):
                self.push(self.batch())
                time.sleep(self.random.random() * 0.005)
        except Exception as err:  # noqa: BLE001 - reported by the test
            errors.append(err)

    def push(self, mutations):
        """Apply, hold the transaction (and the feed position) open a little, commit; retry as
        the server does when PostgreSQL refuses (deadlock, serialization)."""
        for attempt in range(10):
            session = Session(self.engine)
            try:
                results, _ = apply_push(session, ENGINE, self.actor, mutations, now_ms=now_ms())
                time.sleep(self.random.random() * 0.02)
                session.commit()
                assert all(r["status"] in ("applied", "merged") for r in results), results
                return
            except (IntegrityError, DBAPIError) as err:
                session.rollback()
                if not retryable(err):
                    raise
                self.retries += 1
                time.sleep(0.005 * (attempt + 1))
            finally:
                session.close()
        raise AssertionError("a push kept failing")


class Reader:
    """A device pulling with its cursor in a tight loop, in pages of random size."""

    def __init__(self, engine, actor):
        self.engine, self.actor = engine, actor
        self.cursor, self.union, self.pulls = None, {}, 0
        self.went_back = []  # changes older than one already pulled
        self.random = random.Random(7)

    def pull_page(self):
        with Session(self.engine) as session:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            page = changes_since(
                session,
                ENGINE,
                self.actor,
                self.cursor,
                self.random.choice([3, 17, 500]),
                now_ms=now_ms(),
                window_ms=WINDOW_MS,
            )
            session.rollback()
        self.pulls += 1
        for change in map(json.loads, page.changes):
            record = change["record"]
            key = (change["entity"], record["id"])
            held = self.union.get(key)
            if held is not None and held["version"] > record["version"]:
                self.went_back.append((key, held["version"], record["version"]))
            else:
                self.union[key] = record
        self.cursor = page.cursor
        return page.has_more

    def run(self, writers_done, errors):
        try:
            while not writers_done.is_set():
                self.pull_page()
            while self.pull_page():
                pass
        except Exception as err:  # noqa: BLE001 - reported by the test
            errors.append(err)


def table(engine):
    with Session(engine) as session:
        rows = session.execute(
            select(Record.entity, Record.id, Record.data).where(Record.compacted.is_(False))
        ).all()
    return {(entity, rid): json.loads(data) for entity, rid, data in rows}


def test_the_union_of_everything_pulled_during_racing_commits_is_the_table(engine):
    office = actors(engine, "office", 1)[0]
    setup = Writer(engine, office, [], seed=0)
    shared = [str(uuid.uuid4()) for _ in range(3)]
    setup.push([setup.mutation("customers", cid, name=f"共有{i}") for i, cid in enumerate(shared)])
    reader = Reader(engine, actors(engine, "office", 1)[0])
    reader.pull_page()
    writers = [
        Writer(engine, actor, shared, seed)
        for seed, actor in enumerate(actors(engine, "office", 4) + actors(engine, "tech", 4), 1)
    ]
    start, done, errors = threading.Barrier(WRITERS + 1), threading.Event(), []
    threads = [threading.Thread(target=w.run, args=(start, errors)) for w in writers]
    for thread in threads:
        thread.start()
    pulling = threading.Thread(target=reader.run, args=(done, errors))
    pulling.start()
    start.wait()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    pulling.join(timeout=60)

    assert errors == []
    expected = table(engine)
    assert reader.went_back == []
    assert {k: r["version"] for k, r in reader.union.items()} == {
        k: r["version"] for k, r in expected.items()
    }
    assert reader.union == expected
    assert reader.pulls > WRITERS * 2, "the reader should have pulled while the writers wrote"
