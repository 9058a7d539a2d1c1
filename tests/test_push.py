"""Push: batch semantics, exactly-once, validation, server-owned fields, deletes."""

import gzip
import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sync.models import Feed, Record, ScopeEvent, SeenMutation
from sync.wire import parse_instant

from conftest import Device
from server.core.db import db


def test_create_returns_the_stored_record_with_server_fields(device, people):
    rep = device("rep_a")
    customer = rep.create("customers", name="山田製作所", name_kana="ヤマダセイサクショ")
    assert customer["version"] == 1 and customer["deleted"] is False
    assert customer["owner_id"] == people["rep_a"] and customer["team"] == "east"
    assert customer["created_at"] == customer["updated_at"]


def test_an_edit_without_base_version_of_a_record_that_exists_is_merged_not_rejected(device):
    # Checked ahead as a create (no base version), its fields lacked the required ones; the
    # record exists, so they are an edit's, checked as one: a device that lost the version
    # it read still gets its change in.
    rep = device("rep_a")
    customer = rep.create("customers", name="基準なし工業")
    visit = rep.create(
        "visits", customer_id=customer["id"], kind="phone", visited_at="2026-12-03T10:00:00+09:00"
    )
    (result,) = rep.push(rep.mutation("visits", visit["id"], notes="版を知らずに追記"))
    assert result["status"] in ("applied", "merged"), result
    assert result["record"]["notes"] == "版を知らずに追記"
    assert result["record"]["kind"] == "phone"


def test_retried_push_answers_duplicate_and_changes_nothing(device):
    rep = device("rep_a")
    mutations = [rep.mutation("customers", name="一回だけ工業")]
    first = rep.push(*mutations)
    for _ in range(3):
        again = rep.push(*mutations)
        assert again[0]["status"] == "duplicate"
        assert again[0]["original_status"] == "applied"
        assert again[0]["record"] == first[0]["record"]
    names = [c["record"]["name"] for c in rep.sync() if c["entity"] == "customers"]
    assert names.count("一回だけ工業") == 1


@pytest.mark.parametrize("count", [1, 3])
def test_a_resent_push_of_a_few_is_answered_as_duplicates_with_no_warning_logged(device, caplog, count):
    # A phone that lost the answer sends its push again: the guessed insert of its mutations
    # breaks their key and the push is applied again, reading them. That is the usual path,
    # and the operator's log gets no warning from the database driver for it.
    rep = device("rep_a")
    mutations = [rep.mutation("customers", name=f"再送工業 {n}") for n in range(count)]
    first = rep.push(*mutations)
    with caplog.at_level("WARNING"):
        again = rep.push(*mutations)
    assert [r["status"] for r in again] == ["duplicate"] * count
    assert [r["record"] for r in again] == [r["record"] for r in first]
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == []


def test_a_push_of_new_records_reads_none_of_them_and_a_repeat_is_still_a_duplicate(app, device, monkeypatch):
    # A push takes it that nothing in it was pushed before and that what it creates is not
    # stored; the unique keys catch a wrong guess and the push is applied again, reading them.
    from sync import driver

    rep = device("rep_a")
    customer = rep.create("customers", name="推測工業")
    read = []
    rows = driver.rows

    def noting(connection, sql, params):
        read.append((sql, str(params)))
        return rows(connection, sql, params)

    monkeypatch.setattr(driver, "rows", noting)
    visits = [
        rep.mutation(
            "visits", customer_id=customer["id"], kind="phone", visited_at="2026-12-04T09:00:00+09:00"
        )
        for _ in range(3)
    ]
    first = rep.push(*visits[:2])
    assert [r["status"] for r in first] == ["applied", "applied"]
    assert not [sql for sql, _ in read if "seen_mutations" in sql], read
    assert not [sql for sql, params in read if visits[0]["record_id"] in params], read
    assert [sql for sql, params in read if customer["id"] in params]  # what they name is read

    read.clear()
    again = rep.push(visits[2], *visits[:2])  # sent again after a lost answer, with a new one
    assert [r["status"] for r in again] == ["applied", "duplicate", "duplicate"]
    assert [r["record"] for r in again[1:]] == [r["record"] for r in first]
    assert [sql for sql, _ in read if "seen_mutations" in sql]  # the second try read them
    with app.app_context():
        ids = [v["record_id"] for v in visits]
        stored = db.session.execute(select(Record.id).where(Record.id.in_(ids))).scalars().all()
        mutation_ids = [v["mutation_id"] for v in visits]
        seen = db.session.execute(
            select(SeenMutation.status).where(SeenMutation.mutation_id.in_(mutation_ids))
        ).scalars()
        assert sorted(stored) == sorted(ids) and list(seen) == ["applied"] * 3  # each once


def test_a_push_repeated_after_many_others_is_still_a_duplicate(device):
    # PostgreSQL runs a statement differently once its driver has prepared it (after five).
    rep = device("rep_a")
    first = [rep.mutation("customers", name=f"履歴{n}") for n in range(3)]
    rep.push(*first)
    for n in range(8):
        rep.push(rep.mutation("customers", name=f"後の{n}"), first[n % 3])
    again = rep.push(*first, rep.mutation("customers", name="新しい"))
    assert [r["status"] for r in again] == ["duplicate"] * 3 + ["applied"]
    assert [r["original_status"] for r in again[:3]] == ["applied"] * 3


def test_a_mutation_id_is_one_uuid_however_it_is_spelled(device):
    # A UUID may come braced or in capitals (another client's library); stored as written, a
    # braced one overflowed the column on PostgreSQL (a 500) and the same mutation sent again
    # in the canonical spelling was applied a second time.
    rep = device("rep_a")
    first = rep.mutation("customers", name="綴り違い工業")
    canonical = first["mutation_id"]
    first["mutation_id"] = "{" + canonical.upper() + "}"
    (applied,) = rep.push(first)
    assert applied["status"] == "applied" and applied["mutation_id"] == canonical
    for spelling in (canonical, canonical.upper(), canonical.replace("-", "")):
        (again,) = rep.push({**first, "mutation_id": spelling})
        assert again["status"] == "duplicate" and again["original_status"] == "applied", again
    bad = {**rep.mutation("customers", name=""), "mutation_id": "{" + str(uuid.uuid4()).upper() + "}"}
    (rejected,) = rep.push(bad)
    assert rejected["status"] == "rejected" and rejected["mutation_id"] == bad["mutation_id"][1:-1].lower()
    (repeated,) = rep.push({**bad, "mutation_id": rejected["mutation_id"]})
    assert repeated["status"] == "duplicate" and repeated["original_status"] == "rejected"
    names = [c["record"]["name"] for c in rep.sync() if c["entity"] == "customers"]
    assert names.count("綴り違い工業") == 1


def test_repeat_inside_one_push_is_a_duplicate(device):
    rep = device("rep_a")
    mutation = rep.mutation("customers", name="二重送信")
    results = rep.push(mutation, mutation)
    assert [r["status"] for r in results] == ["applied", "duplicate"]


def test_batch_with_one_invalid_mutation_applies_the_rest(device):
    rep = device("rep_a")
    customer_id = str(uuid.uuid4())
    results = rep.push(
        rep.mutation("customers", customer_id, name="有効株式会社"),
        rep.mutation(
            "visits", customer_id=customer_id, kind="teleport", visited_at="2026-11-27T10:00:00+09:00"
        ),
        rep.mutation("contacts", customer_id=customer_id, name="山本 太郎"),
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert "kind" in results[1]["errors"]
    assert "record" not in results[1]


def test_rejected_duplicate_repeats_its_errors(device):
    rep = device("rep_a")
    bad = rep.mutation("customers", name="")
    first = rep.push(bad)[0]
    again = rep.push(bad)[0]
    assert again["status"] == "duplicate" and again["original_status"] == "rejected"
    assert again["errors"] == first["errors"]


def test_reference_to_a_create_rejected_earlier_in_the_batch_is_rejected(device):
    rep = device("rep_a")
    customer_id = str(uuid.uuid4())
    results = rep.push(
        rep.mutation("customers", customer_id, name=None),
        rep.mutation("contacts", customer_id=customer_id, name="宙に浮く連絡先"),
    )
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert results[1]["errors"] == {"customer_id": [f"customers {customer_id} does not exist"]}


def test_later_mutations_see_earlier_ones_in_the_same_push(device):
    rep = device("rep_a")
    customer_id = str(uuid.uuid4())
    results = rep.push(
        rep.mutation("customers", customer_id, name="旧名"),
        rep.mutation("customers", customer_id, base_version=1, name="新名"),
    )
    assert results[1]["record"]["name"] == "新名" and results[1]["record"]["version"] == 2


@pytest.mark.parametrize(
    "entity, changes, field",
    [
        ("customers", {}, "name"),
        ("customers", {"name": "x", "shoe_size": 27}, "shoe_size"),
        ("customers", {"name": "x" * 201}, "name"),
        ("customers", {"name": "NUL\u0000文字"}, "name"),
        ("customers", {"name": 42}, "name"),
        ("customers", {"name": "x", "owner_id": "not-a-uuid"}, "owner_id"),
        ("visits", {"kind": "sales", "visited_at": "2026-11-27T10:00:00+09:00"}, "customer_id"),
        (
            "deals",
            {"customer_id": "00000000-0000-4000-8000-000000000000", "title": "x", "stage": "dreaming"},
            "stage",
        ),
        (
            "deals",
            {"customer_id": "00000000-0000-4000-8000-000000000000", "title": "x", "amount": -1},
            "amount",
        ),
        (
            "deals",
            {"customer_id": "00000000-0000-4000-8000-000000000000", "title": "x", "amount": 1.5},
            "amount",
        ),
        (
            "quotes",
            {"customer_id": "00000000-0000-4000-8000-000000000000", "submitted_at": "2026-11-27"},
            "submitted_at",
        ),
        (
            "visits",
            {
                "customer_id": "00000000-0000-4000-8000-000000000000",
                "kind": "sales",
                "visited_at": "2026-11-27T10:00:00",
            },
            "visited_at",
        ),
        ("users", {"name": "なりすまし"}, "entity"),
        ("conflicts", {"resolved": True}, "record_id"),
        ("planets", {"name": "x"}, "entity"),
    ],
)
def test_invalid_mutations_are_rejected_with_field_errors(shared_client, entity, changes, field):
    rep = Device(shared_client, "office")
    result = rep.push(rep.mutation(entity, **changes))[0]
    assert result["status"] == "rejected"
    assert field in result["errors"], result["errors"]


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"record_id": "not-a-uuid"}, "record_id"),
        ({"op": "replace"}, "op"),
        ({"base_version": "3"}, "base_version"),
        ({"hlc": "yesterday"}, "hlc"),
        ({"hlc": "1700000000000:000001:dev\n"}, "hlc"),
        ({"hlc": "１７" + "０" * 11 + ":000001:dev"}, "hlc"),
        ({"changes": ["name"]}, "changes"),
    ],
)
def test_malformed_mutation_fields_reject_that_mutation_only(device, patch, field):
    rep = device("rep_a")
    bad = {**rep.mutation("customers", name="x"), **patch}
    results = rep.push(bad, rep.mutation("customers", name="正常"))
    assert results[0]["status"] == "rejected" and field in results[0]["errors"]
    assert results[1]["status"] == "applied"


def test_rejected_mutations_are_kept_for_the_admin(client, device):
    rep, admin = device("rep_a"), device("admin")
    bad = rep.mutation("customers", name="")
    rep.push(bad)
    response = client.get("/api/v1/admin/dead-letters", headers=admin.headers)
    letters = response.get_json()["dead_letters"]
    assert letters[0]["mutation_id"] == bad["mutation_id"]
    assert letters[0]["mutation"]["changes"] == {"name": ""}
    assert "name" in letters[0]["errors"]
    # The time says its offset (SQLite hands back naive datetimes, which are UTC).
    created = datetime.fromisoformat(letters[0]["created_at"])
    assert created.utcoffset() is not None
    assert abs((datetime.now(UTC) - created).total_seconds()) < 300


def test_server_owned_fields_are_ignored_and_listed(device, people):
    rep = device("rep_a")
    customer = rep.create("customers", name="顧客")
    result = rep.push(
        rep.mutation(
            "requests",
            customer_id=customer["id"],
            kind="complaint",
            title="異音がする",
            route_to="sales",
            author_id=people["rep_b"],
            version=99,
        )
    )[0]
    assert result["ignored"] == ["author_id", "route_to", "version"]
    record = result["record"]
    assert record["author_id"] == people["rep_a"] and record["version"] == 1
    assert record["route_to"] == "manufacturing"


def test_a_quote_names_the_person_who_made_it(device, people):
    rep = device("rep_a")
    customer = rep.create("customers", name="顧客")
    result = rep.push(rep.mutation("quotes", customer_id=customer["id"], author_id=people["rep_b"]))[0]
    assert (result["record"]["author_id"], result["ignored"]) == (people["rep_a"], ["author_id"])


def test_request_defaults(device):
    rep = device("rep_a")
    customer = rep.create("customers", name="顧客")
    mutation = rep.mutation("requests", customer_id=customer["id"], kind="question", title="操作方法")
    record = rep.push(mutation)[0]["record"]
    assert record["urgency"] == "normal" and record["status"] == "new"
    assert record["route_to"] == "service"
    heard_ms = int(mutation["hlc"][:13])
    from datetime import datetime

    assert (
        int(datetime.fromisoformat(record["heard_at"].replace("Z", "+00:00")).timestamp() * 1000) == heard_ms
    )


def test_only_office_changes_the_route_after_create(device):
    rep, office = device("rep_a"), device("office")
    customer = rep.create("customers", name="顧客")
    request = rep.create("requests", customer_id=customer["id"], kind="request", title="相談")
    denied = rep.update("requests", request, route_to="sales")
    assert denied["status"] == "rejected" and "route_to" in denied["errors"]
    allowed = office.update("requests", request, route_to="sales")
    assert allowed["status"] == "applied" and allowed["record"]["route_to"] == "sales"


def test_base_version_above_the_record_is_rejected(device):
    rep = device("rep_a")
    customer = rep.create("customers", name="顧客")
    result = rep.push(rep.mutation("customers", customer["id"], base_version=7, name="x"))[0]
    assert result["status"] == "rejected" and "base_version" in result["errors"]


def test_base_version_on_a_create_is_rejected(device):
    rep = device("rep_a")
    result = rep.push(rep.mutation("customers", base_version=1, name="x"))[0]
    assert result["status"] == "rejected" and "base_version" in result["errors"]


def test_unchanged_upsert_keeps_the_version(device):
    rep = device("rep_a")
    customer = rep.create("customers", name="同じ")
    result = rep.update("customers", customer, name="同じ")
    assert result["status"] == "applied" and result["record"]["version"] == 1


def test_delete_of_unknown_id_is_applied_and_changes_nothing(device):
    rep = device("rep_a")
    result = rep.push(rep.mutation("customers", op="delete"))[0]
    assert result["status"] == "applied" and "record" not in result


def test_delete_leaves_a_tombstone_and_never_cascades(device):
    rep = device("rep_a")
    customer = rep.create("customers", name="消える顧客")
    contact = rep.create("contacts", customer_id=customer["id"], name="残る人")
    result = rep.push(
        rep.mutation("customers", customer["id"], op="delete", base_version=customer["version"])
    )[0]
    assert result["record"]["deleted"] is True and result["record"]["version"] == 2
    records = {c["record"]["id"]: c["record"] for c in device("office").sync()}
    assert customer["id"] not in records  # a fresh device gets live records only
    assert records[contact["id"]]["deleted"] is False


def test_stale_edit_of_a_deleted_record_is_kept_as_a_conflict(device, people):
    a, b = device("rep_a"), device("rep_a2")
    customer = a.create("customers", name="顧客")
    a.push(a.mutation("customers", customer["id"], op="delete", base_version=1))
    result = b.update("customers", customer, notes="削除前の編集")
    assert result["status"] == "merged"
    assert result["record"]["deleted"] is True
    [conflict] = result["conflicts"]
    assert conflict["field"] == "deleted" and conflict["lost_value"] == {"notes": "削除前の編集"}
    assert conflict["lost_by"] == people["rep_a2"]


def test_delete_wins_over_a_concurrent_edit_and_keeps_the_edit_as_a_conflict(device, people):
    a, b = device("rep_a"), device("rep_a2")
    customer = a.create("customers", name="顧客")
    b.update("customers", customer, phone="03-1234-5678")
    result = a.push(a.mutation("customers", customer["id"], op="delete", base_version=1))[0]
    assert result["record"]["deleted"] is True
    conflicts = [c["record"] for c in a.sync() if c["entity"] == "conflicts"]
    assert [(c["field"], c["lost_value"], c["lost_by"]) for c in conflicts] == [
        ("deleted", {"phone": "03-1234-5678"}, people["rep_a2"])
    ]


def test_upsert_based_on_the_tombstone_undeletes(device):
    rep = device("rep_a")
    customer = rep.create("customers", name="顧客")
    tombstone = rep.push(rep.mutation("customers", customer["id"], op="delete", base_version=1))[0]["record"]
    result = rep.update("customers", tombstone, name="復活")
    assert result["status"] == "applied"
    assert result["record"]["deleted"] is False and result["record"]["name"] == "復活"


def test_follows_are_made_by_their_user(device, people):
    rep_b, rep_a, office = device("rep_b"), device("rep_a"), device("office")
    customer = rep_a.create("customers", name="東の顧客")
    other = rep_b.push(rep_b.mutation("follows", customer_id=customer["id"], user_id=people["rep_a2"]))[0]
    assert other["status"] == "rejected" and "user_id" in other["errors"]
    mine = rep_b.create("follows", customer_id=customer["id"])
    assert mine["user_id"] == people["rep_b"]
    for_someone = office.create("follows", customer_id=customer["id"], user_id=people["rep_a2"])
    assert for_someone["user_id"] == people["rep_a2"]


def test_deal_ball_since_follows_the_ball(device):
    rep = device("rep_a")
    customer = rep.create("customers", name="顧客")
    deal = rep.create("deals", customer_id=customer["id"], title="治具 10台", ball="ours")
    mutation = rep.mutation("deals", deal["id"], base_version=deal["version"], ball="customer")
    record = rep.push(mutation)[0]["record"]
    assert record["ball"] == "customer"
    from datetime import datetime

    since = datetime.fromisoformat(record["ball_since"].replace("Z", "+00:00"))
    assert int(since.timestamp() * 1000) == int(mutation["hlc"][:13])


def test_every_change_of_a_request_is_kept_in_its_history(device, people):
    tech, office = device("tech"), device("office")
    customer = tech.create("customers", name="履歴工業")
    request = tech.create("requests", customer_id=customer["id"], kind="complaint", title="異音")
    office.update("requests", request, status="answered", response="部品を手配しました")
    history = sorted(
        (c["record"] for c in office.sync() if c["entity"] == "history"), key=lambda h: h["record_version"]
    )
    assert [(h["record_version"], h["by"]) for h in history] == [(1, people["tech"]), (2, people["office"])]
    assert history[0]["changes"]["title"] == [None, "異音"]
    assert history[1]["changes"] == {"status": ["new", "answered"], "response": [None, "部品を手配しました"]}


def test_history_is_written_by_the_server_only(device):
    office = device("office")
    result = office.push(office.mutation("history", record_id=None, op="upsert"))[0]
    assert result["status"] == "rejected" and "entity" in result["errors"]


def test_a_pushed_records_instant_is_found_by_the_same_instant_in_sql(app, device):
    # Rows go to the driver directly: their times must be stored as SQLAlchemy binds them,
    # or a query by time (a SQLite text comparison) misses them.
    rep = device("rep_a")
    mutation = rep.mutation("customers", name="時刻工業")
    record = rep.push(mutation)[0]["record"]
    with app.app_context():
        found = db.session.execute(
            select(Record.id, Record.deleted).where(Record.updated_at == parse_instant(record["updated_at"]))
        ).all()
        assert [(row.id, row.deleted) for row in found] == [(record["id"], False)]
        seen_at = db.session.execute(
            select(SeenMutation.created_at).where(SeenMutation.mutation_id == mutation["mutation_id"])
        ).scalar_one()
        assert (
            db.session.execute(
                select(SeenMutation.mutation_id).where(SeenMutation.created_at == seen_at)
            ).scalar_one()
            == mutation["mutation_id"]
        )


def test_a_team_move_and_the_users_record_it_writes_each_take_their_own_feed_positions(
    app, client, device, people
):
    # The move numbers its scope events through the ORM; the users record is written past it,
    # in the same transaction: it must number after them, and the feed row keep the highest.
    office, admin, rep = device("office"), device("admin"), device("rep_a")
    for n in range(3):
        office.create("customers", name=f"移動{n}", owner_id=people["rep_b"])
    rep.sync()
    moved = client.patch(
        f"/api/v1/admin/users/{people['rep_a']}", json={"team": "west"}, headers=admin.headers
    )
    assert moved.status_code == 200, moved.get_json()
    with app.app_context():
        positions = [*db.session.scalars(select(Record.seq)), *db.session.scalars(select(ScopeEvent.seq))]
        top = db.session.execute(select(Feed.seq)).scalar_one()
    assert len(positions) == len(set(positions)) and max(positions) == top
    gained = {c["record"]["name"] for c in rep.sync() if c["entity"] == "customers" and "record" in c}
    assert gained >= {"移動0", "移動1", "移動2"}


def test_a_racing_insert_of_the_same_key_is_an_integrity_error_the_push_retries(app):
    """The bulk inserts (COPY on PostgreSQL) fail as a statement would: a second insert of a key
    that a concurrent push committed first is SQLAlchemy's IntegrityError, which the push retries
    (it then finds the row and merges into it)."""
    from sqlalchemy.exc import IntegrityError

    from sync.commit import SEEN_INSERT

    row = [
        str(uuid.uuid4()),
        str(uuid.uuid4()),
        "visits",
        str(uuid.uuid4()),
        "applied",
        None,
        datetime.now(UTC),
    ]
    with app.app_context():
        connection = db.session.connection()
        SEEN_INSERT.run(connection, [list(row)])
        with pytest.raises(IntegrityError):
            SEEN_INSERT.run(connection, [list(row)])
        db.session.rollback()
        assert db.session.scalar(select(SeenMutation).where(SeenMutation.mutation_id == row[1])) is None


def test_rows_copied_in_bulk_are_stored_as_rows_inserted_one_by_one(app):
    """A push's many rows go by COPY in PostgreSQL's binary format, a few by one INSERT: both
    store the same values (instants, flags, big numbers, text in any script, NULLs)."""
    from sync.commit import COPY_FROM_ROWS, SEEN_INSERT

    device_id, now = str(uuid.uuid4()), datetime(2026, 12, 4, 23, 59, 59, 123456, tzinfo=UTC)

    def rows(n, status):
        return [
            [device_id, str(uuid.uuid4()), "visits", str(uuid.uuid4()), status, '{"名前": ["必須"]}', now]
            for _ in range(n)
        ]

    bulk, few, single = rows(COPY_FROM_ROWS + 2, "rejected"), rows(3, "merged"), rows(1, "applied")
    single[0][5] = few[1][5] = None
    with app.app_context():
        connection = db.session.connection()
        SEEN_INSERT.run(connection, [list(r) for r in bulk])
        SEEN_INSERT.run(connection, [list(r) for r in few])
        SEEN_INSERT.run(connection, [list(r) for r in single])
        db.session.commit()
        stored = {
            s.mutation_id: [
                s.device_id,
                s.mutation_id,
                s.entity,
                s.record_id,
                s.status,
                s.errors,
                s.created_at,
            ]
            for s in db.session.scalars(select(SeenMutation).where(SeenMutation.device_id == device_id))
        }
    assert len(stored) == len(bulk + few + single)
    for row in bulk + few + single:
        kept = stored[row[1]]
        instant = kept[6] if kept[6].tzinfo else kept[6].replace(tzinfo=UTC)  # SQLite's is naive UTC
        assert kept[:6] == row[:6] and instant == now, (kept, row)


@pytest.mark.parametrize(
    "accept, count, gzipped",
    [("gzip, deflate, br", 40, True), ("gzip;q=0, br", 40, False), ("", 40, False), ("gzip", 1, False)],
)
def test_a_large_answer_is_gzipped_for_a_client_that_takes_it(client, device, accept, count, gzipped):
    """Every applied mutation is answered with its record: a day's outbox sent from a phone gets
    an answer of about a kilobyte a record, which a browser takes gzipped (as it takes pages)."""
    rep = device("rep_a")
    mutations = [rep.mutation("customers", name=f"顧客 {n} " + "メモ" * 40) for n in range(count)]
    envelope = rep.wire.envelope(mutations, client_time=False)
    answer = client.post(
        "/api/v1/sync/push", json=envelope, headers={**rep.headers, "Accept-Encoding": accept}
    )
    assert answer.status_code == 200
    assert (answer.headers.get("Content-Encoding") == "gzip") is gzipped
    assert "Accept-Encoding" in answer.headers["Vary"]
    body = answer.get_data()
    if gzipped:
        body = gzip.decompress(answer.get_data())
        assert len(answer.get_data()) < len(body) / 3
    results = json.loads(body)["results"]
    assert [r["status"] for r in results] == ["applied"] * count
    assert [r["record"]["name"] for r in results] == [m["changes"]["name"] for m in mutations]
    # the answer is the push's own, as a resent push shows: nothing was applied twice
    again = rep.push_raw(envelope).get_json()["results"]
    assert [r["status"] for r in again] == ["duplicate"] * count
