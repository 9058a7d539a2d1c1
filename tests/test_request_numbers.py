"""Requests get a short server-owned number people can quote on the phone (contract 3a)."""

import copy
import dataclasses
import json
import threading
import time
import uuid

import flask_migrate
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sync import apply_push
from sync.client import mutation
from sync.hlc import format_hlc
from sync.models import Record

from conftest import Device, insert_office_user, make_app, records_by_id
from server.core.db import db, writing_session
from server.core.engine import ENGINE, actor as make_actor
from server.core.models import User
from server.requests.entities import REQUESTS, RequestRules


def new_request(device, customer, title="異音がする", **changes):
    return device.create("requests", customer_id=customer["id"], kind="complaint", title=title, **changes)


def test_each_new_request_gets_the_next_number(device):
    tech, office = device("tech"), device("office")
    customer = tech.create("customers", name="山田製作所")
    first = new_request(tech, customer)
    second = new_request(office, customer, title="見積の依頼")
    assert (first["number"], second["number"]) == (1, 2)
    pulled = records_by_id(office.sync())
    assert (pulled[first["id"]]["number"], pulled[second["id"]]["number"]) == (1, 2)


def test_a_device_cannot_set_or_change_the_number(device):
    tech, office = device("tech"), device("office")
    customer = tech.create("customers", name="山田製作所")
    made = tech.push(
        tech.mutation("requests", customer_id=customer["id"], kind="request", title="部品", number=999)
    )[0]
    assert made["record"]["number"] == 1 and made["ignored"] == ["number"]
    edited = office.update("requests", made["record"], number=5, status="triaged")
    assert edited["record"]["number"] == 1 and edited["ignored"] == ["number"]


def test_a_rejected_create_uses_no_number(device):
    tech = device("tech")
    customer = tech.create("customers", name="山田製作所")
    rejected, made = tech.push(
        tech.mutation("requests", customer_id=customer["id"], kind="complaint", title="x", status="closed"),
        tech.mutation("requests", customer_id=customer["id"], kind="complaint", title="異音"),
    )
    assert rejected["status"] == "rejected" and made["record"]["number"] == 1


# --- PostgreSQL: creates racing in many sessions -----------------------------------------------

WRITERS, PUSHES = 6, 8


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_racing_creates_on_postgresql_get_unique_numbers_in_commit_order(app, people):
    with app.app_context():
        engine = db.engine
        with Session(engine) as session:
            tech = session.execute(select(User).where(User.login == "tech")).scalar_one()
            actors = [make_actor(tech.id, tech.role, tech.team, str(uuid.uuid4())) for _ in range(WRITERS)]
            customer_id = str(uuid.uuid4())
            hlc = format_hlc(int(time.time() * 1000), 1, actors[0].device_id)
            apply_push(
                session,
                ENGINE,
                actors[0],
                [mutation("customers", customer_id, "upsert", None, {"name": "山田製作所"}, hlc)],
                now_ms=int(time.time() * 1000),
            )
            session.commit()
        start, errors = threading.Barrier(WRITERS), []

        def write(actor, seed):
            start.wait()
            try:
                for n in range(PUSHES):
                    now = int(time.time() * 1000)
                    changes = {"customer_id": customer_id, "kind": "request", "title": f"{seed}-{n}"}
                    batch = [
                        mutation(
                            "requests",
                            str(uuid.uuid4()),
                            "upsert",
                            None,
                            changes,
                            format_hlc(now, n, actor.device_id),
                        )
                    ]
                    with Session(engine) as session:
                        results, _ = apply_push(session, ENGINE, actor, batch, now_ms=now)
                        time.sleep((seed * 7 + n) % 5 / 1000)  # hold the push open: commits overlap
                        session.commit()
                    assert results[0]["status"] == "applied", results
            except Exception as err:  # noqa: BLE001 - reported by the test
                errors.append(err)

        threads = [threading.Thread(target=write, args=(a, i)) for i, a in enumerate(actors)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with Session(engine) as session:
            rows = session.execute(
                select(Record.seq, Record.data).where(Record.entity == "requests").order_by(Record.seq)
            ).all()
        numbers = [json.loads(data)["number"] for _, data in rows]
        assert numbers == list(range(1, WRITERS * PUSHES + 1))


# --- migration 0007 numbers the requests that existed before it --------------------------------


class RequestRulesBefore0007(RequestRules):
    def after_write(self, ctx, before, record, hlc):
        """Requests had no number then."""


def engine_before_numbers():
    requests = copy.copy(REQUESTS)
    requests.rules = [RequestRulesBefore0007()]
    return dataclasses.replace(ENGINE, entities={**ENGINE.entities, "requests": requests})


def test_requests_made_before_the_migration_are_numbered_in_created_order(empty_url, tmp_path):
    app = make_app(empty_url, tmp_path)
    with app.app_context():
        flask_migrate.upgrade(revision="0006_jobs")
        session = writing_session()
        office_id = insert_office_user(session)
        session.commit()
        office = make_actor(office_id, "office", "office", str(uuid.uuid4()))
        customer_id, ids = str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(3)]
        now = int(time.time() * 1000)
        customer = [
            mutation(
                "customers", customer_id, "upsert", None, {"name": "山田製作所"}, format_hlc(now, 0, "old")
            )
        ]
        apply_push(writing_session(), engine_before_numbers(), office, customer, now_ms=now)
        db.session.commit()
        for n, request_id in enumerate(ids):  # one push each, so each has its own created_at
            changes = {"customer_id": customer_id, "kind": "request", "title": f"依頼 {n}"}
            hlc = format_hlc(now + n + 1, 0, "old")
            apply_push(
                writing_session(),
                engine_before_numbers(),
                office,
                [mutation("requests", request_id, "upsert", None, changes, hlc)],
                now_ms=now + (n + 1) * 1000,
            )
            db.session.commit()
        db.session.remove()
        flask_migrate.upgrade()
        db.session.remove()
    device = Device(app.test_client(), "office")
    held = records_by_id(device.sync())
    assert [held[i]["number"] for i in ids] == [1, 2, 3]
    assert all(held[i]["version"] == 2 for i in ids)  # a new version: devices holding v1 pull it
    made = device.create("requests", customer_id=customer_id, kind="question", title="使い方")
    assert made["number"] == 4
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
