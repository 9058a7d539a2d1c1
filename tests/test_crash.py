"""A worker killed in the middle of a push: nothing half-done, and the retry is exactly-once.

gunicorn serves ``tests.faulty_app``, whose faults kill the worker (SIGKILL) once per marker
file: just before the push commits, or after it committed and before the answer is sent.
gunicorn starts a new worker; the device sees no answer and retries the same outbox.
"""

import pytest

from live import HttpDevice, NoAnswer, occurrences, start_gunicorn


@pytest.fixture
def faulty_server(database_url, tmp_path):
    markers = {
        "before_commit": tmp_path / "kill-before-commit",
        "after_commit": tmp_path / "kill-after-commit",
    }
    env = {
        "GENBA_FAULT_KILL_BEFORE_COMMIT": str(markers["before_commit"]),
        "GENBA_FAULT_KILL_AFTER_COMMIT": str(markers["after_commit"]),
    }
    with start_gunicorn(database_url, workers=1, env=env, app="tests.faulty_app:app") as (url, _):
        yield url, markers


def outbox(device):
    customer = device.mutation("customers", name="停電工業")
    visit = device.mutation(
        "visits",
        customer_id=customer["record_id"],
        kind="aftercare",
        visited_at="2026-11-27T14:00:00+09:00",
        handling="主軸ベアリング交換",
    )
    contact = device.mutation("contacts", customer_id=customer["record_id"], name="工場長 木村")
    return [customer, visit, contact]


def push_killed_by(fault, markers, device, mutations):
    markers[fault].touch()
    with pytest.raises(NoAnswer):
        device.try_push(*mutations)
    assert not markers[fault].exists(), "the fault did not fire"


def test_a_push_killed_before_commit_leaves_nothing_and_its_retry_applies_once(faulty_server):
    url, markers = faulty_server
    rep, office = HttpDevice(url, "rep_a"), HttpDevice(url, "office")
    mutations = outbox(rep)
    push_killed_by("before_commit", markers, rep, mutations)
    ids = {m["record_id"] for m in mutations}
    assert ids.isdisjoint(c["record"]["id"] for c in office.sync())

    retry = rep.try_push(*mutations)
    assert [r["status"] for r in retry] == ["applied"] * 3
    changes = office.sync()
    assert [occurrences(changes, i) for i in sorted(ids)] == [1, 1, 1]
    assert all(r["record"]["version"] == 1 for r in retry)


def test_a_push_killed_after_commit_answers_duplicate_on_retry_and_is_stored_once(faulty_server):
    url, markers = faulty_server
    rep, office = HttpDevice(url, "rep_a"), HttpDevice(url, "office")
    mutations = outbox(rep)
    push_killed_by("after_commit", markers, rep, mutations)
    committed = {c["record"]["id"]: c["record"] for c in office.sync()}
    assert {m["record_id"] for m in mutations} <= committed.keys()

    retry = rep.try_push(*mutations)
    assert [(r["status"], r["original_status"]) for r in retry] == [("duplicate", "applied")] * 3
    assert [r["record"] for r in retry] == [committed[m["record_id"]] for m in mutations]
    changes = rep.sync()
    assert [occurrences(changes, m["record_id"]) for m in mutations] == [1, 1, 1]
    assert all(r["record"]["version"] == 1 for r in retry)
