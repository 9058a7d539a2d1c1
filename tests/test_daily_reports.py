"""The daily report syncs like any record, but only its author and the office read it."""

import pytest

from conftest import Device, records_by_id
from server.core.db import db
from server.core.users import create_user
from server.reports.entities import daily_report_id

DAY = "2026-12-03"


def report_id(dev, date=DAY):
    return daily_report_id(dev.user["id"], date)


@pytest.fixture
def tech(device):
    return device("tech")


def test_a_report_belongs_to_its_creator_and_defaults_to_draft(tech):
    report = tech.create(
        "daily_reports", record_id=report_id(tech), date=DAY, summary="点検2件", user_id="someone-else"
    )
    assert (report["user_id"], report["status"], report["submitted_at"]) == (tech.user["id"], "draft", None)


def test_a_report_with_another_id_is_rejected(tech, people):
    wrong = [daily_report_id(people["rep_a"], DAY), daily_report_id(tech.user["id"], "2026-12-04")]
    for record_id in wrong:
        result = tech.push(tech.mutation("daily_reports", record_id, date=DAY))[0]
        assert result["status"] == "rejected" and "record_id" in result["errors"]


def test_submitting_stamps_submitted_at(tech):
    report = tech.create("daily_reports", record_id=report_id(tech), date=DAY)
    stored = tech.update("daily_reports", report, status="submitted")["record"]
    assert stored["status"] == "submitted" and stored["submitted_at"].startswith("20")


@pytest.mark.parametrize("field, value", [("status", "approved"), ("manager_comment", "よし")])
def test_only_the_office_approves_and_comments(tech, field, value):
    report = tech.create("daily_reports", record_id=report_id(tech), date=DAY)
    result = tech.update("daily_reports", report, **{field: value})
    assert (result["status"], result["errors"]) == ("rejected", {field: ["not_allowed"]})


def test_a_manager_comments_and_approves(tech, device):
    report = tech.create("daily_reports", record_id=report_id(tech), date=DAY, status="submitted")
    manager = device("manager")
    manager.sync()
    result = manager.update("daily_reports", report, status="approved", manager_comment="確認しました")
    assert result["status"] == "applied"
    assert {
        (c["record"]["status"], c["record"]["manager_comment"])
        for c in tech.sync()
        if c["entity"] == "daily_reports"
    } == {("approved", "確認しました")}


@pytest.mark.parametrize(
    "login, sees",
    [
        ("tech", True),
        ("office", True),
        ("manager", True),
        ("admin", True),
        ("rep_a", False),
        ("rep_b", False),
    ],
)
def test_only_the_author_and_the_office_read_a_report(tech, device, client, login, sees):
    tech.create("daily_reports", record_id=report_id(tech), date=DAY, summary="秘密ではない")
    other = tech if login == "tech" else device(login)
    pulled = [c for c in other.sync() if c["entity"] == "daily_reports"]
    assert bool(pulled) is sees
    digest = client.get("/api/v1/sync/pull?digest=true", headers=other.headers).get_json()["digest"]
    assert ("daily_reports" in digest) is sees


@pytest.fixture
def tech2(app, device):
    with app.app_context():
        create_user(db.session, "tech2", "correct horse battery", "technician", name="保守 次郎")
        db.session.commit()
    return device("tech2")


def test_another_technician_neither_reads_nor_writes_my_report(tech, tech2):
    report = tech.create("daily_reports", record_id=report_id(tech), date=DAY)
    assert [c for c in tech2.sync() if c["entity"] == "daily_reports"] == []
    result = tech2.update("daily_reports", report, summary="書き換え")
    assert result["status"] == "rejected" and "record" not in result
    again = tech2.push(tech2.mutation("daily_reports", report["id"], date=DAY))[0]
    assert again["status"] == "rejected"


def test_two_devices_of_one_person_write_the_same_day_and_both_edits_survive(client, people):
    phone, tablet = Device(client, "tech"), Device(client, "tech")
    record_id = report_id(phone)
    first = phone.push(phone.mutation("daily_reports", record_id, date=DAY, summary="午前 点検"))[0]
    second = tablet.push(tablet.mutation("daily_reports", record_id, date=DAY, notes="部品手配", hours=7.5))[
        0
    ]
    assert first["status"] == "applied" and second["status"] in ("applied", "merged")
    merged = records_by_id(phone.sync())[record_id]
    assert (merged["summary"], merged["notes"], merged["hours"], merged["version"]) == (
        "午前 点検",
        "部品手配",
        7.5,
        2,
    )


def test_the_conflicts_of_a_report_stay_with_its_readers(client, tech2, device):
    phone, tablet = Device(client, "tech"), Device(client, "tech")
    record_id = report_id(phone)
    phone.push(phone.mutation("daily_reports", record_id, date=DAY, summary="スマホで書いた"))
    tablet.push(tablet.mutation("daily_reports", record_id, date=DAY, summary="タブレットで書いた"))

    def conflicts(dev):
        return [c["record"]["field"] for c in dev.sync() if c["entity"] == "conflicts"]

    assert conflicts(phone) == ["summary"] and conflicts(device("manager")) == ["summary"]
    assert conflicts(tech2) == [] and conflicts(device("rep_a")) == []


@pytest.mark.parametrize("login, count", [("tech", 1), ("manager", 1), ("rep_a", 0)])
def test_digest_buckets_and_range_reads_keep_a_report_private(tech, device, client, login, count):
    report = tech.create("daily_reports", record_id=report_id(tech), date=DAY)
    reader = tech if login == "tech" else device(login)
    query = {"entity": "daily_reports", "prefix": report["id"][0]}
    buckets = client.get("/api/v1/sync/digest", query_string=query, headers=reader.headers).get_json()
    records = client.get("/api/v1/sync/range", query_string=query, headers=reader.headers).get_json()
    assert sum(b["count"] for b in buckets["buckets"].values()) == count
    assert len(records["records"]) == count


def test_privacy_is_a_pure_rule_over_the_entity_and_the_record():
    from sync.scope import is_private

    from server.core.engine import ENGINE

    entities = ENGINE.entities
    assert is_private(entities, "daily_reports", {})
    assert is_private(entities, "conflicts", {"entity": "daily_reports"})
    assert not is_private(entities, "conflicts", {"entity": "visits"})
    assert not is_private(entities, "visits", {})


def approved_report(tech, device):
    report = tech.create("daily_reports", record_id=report_id(tech), date=DAY, summary="点検2件", hours=8)
    report = tech.update("daily_reports", report, status="submitted")["record"]
    manager = device("manager")
    manager.sync()
    return manager.update("daily_reports", report, status="approved", manager_comment="確認しました")[
        "record"
    ]


def test_what_the_author_changes_after_approval_is_submitted_again(tech, device):
    report = approved_report(tech, device)
    result = tech.update("daily_reports", report, hours=12)
    assert result["status"] == "applied"
    stored = result["record"]
    assert (stored["hours"], stored["status"], stored["manager_comment"]) == (12, "submitted", "確認しました")
    assert stored["submitted_at"] > report["submitted_at"]


def test_a_change_the_author_made_before_seeing_the_approval_is_submitted_again(tech, device):
    # Written offline on the version before the approval: it still lands, and the manager reads it again.
    submitted = tech.create("daily_reports", record_id=report_id(tech), date=DAY, status="submitted", hours=8)
    manager = device("manager")
    manager.sync()
    manager.update("daily_reports", submitted, status="approved")
    result = tech.update("daily_reports", submitted, hours=9)
    assert (result["record"]["hours"], result["record"]["status"]) == (9, "submitted")


def test_the_office_edits_an_approved_report_without_reopening_it(tech, device):
    report = approved_report(tech, device)
    office = device("office")
    office.sync()
    stored = office.update("daily_reports", report, manager_comment="時間を確認")["record"]
    assert stored["status"] == "approved"


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_the_author_cannot_delete_a_report_once_submitted(tech, device, status):
    report = (
        approved_report(tech, device)
        if status == "approved"
        else tech.create("daily_reports", record_id=report_id(tech), date=DAY, status="submitted")
    )
    result = tech.push(
        tech.mutation("daily_reports", report["id"], op="delete", base_version=report["version"])
    )[0]
    assert (result["status"], result["errors"]) == ("rejected", {"record_id": ["not_allowed"]})


def test_the_author_deletes_a_draft(tech):
    report = tech.create("daily_reports", record_id=report_id(tech), date=DAY)
    result = tech.push(
        tech.mutation("daily_reports", report["id"], op="delete", base_version=report["version"])
    )[0]
    assert result["status"] == "applied"
