"""Field conditions, told as stories: handovers, wrong clocks, long-offline devices."""

import time

import pytest

from sync.client import Client, FlaskTransport, SyncError

from conftest import PASSWORD

HOUR = 3600 * 1000


@pytest.fixture
def make_client(client, people):
    return lambda login, **kw: Client(FlaskTransport(client), login, PASSWORD, **kw)


def visit(client, customer_id, notes):
    return client.save(
        "visits", customer_id=customer_id, kind="sales", visited_at="2026-11-27T10:00:00+09:00", notes=notes
    )


def test_handover_evicts_from_the_old_rep_keeps_their_unsent_work_and_gives_the_new_rep_history(
    make_client, people
):
    a, b, manager = make_client("rep_a"), make_client("rep_b"), make_client("manager")
    customer = a.save("customers", name="引継工業")
    old_visit = visit(a, customer, "引継ぎ前の商談")
    a.sync(), b.sync(), manager.sync()
    unsent = visit(a, customer, "移管の直前に書いた訪問")  # offline, before the handover
    time.sleep(0.002)
    manager.save("customers", customer, owner_id=people["rep_b"])
    manager.sync()
    time.sleep(0.002)
    too_late = visit(a, customer, "移管の後に書いた訪問")
    a.sync()
    assert a.live("customers") == {} and a.live("visits") == {}
    [(entry, errors)] = a.replica.rejected
    assert entry.record_id == too_late and "customer_id" in errors
    b.sync()
    assert set(b.live("visits")) == {old_visit, unsent}
    assert b.live("customers")[customer]["owner_id"] == people["rep_b"]


def test_a_clock_hours_ahead_loses_nothing_and_cannot_win_later_edits(make_client):
    fast = make_client("rep_a", clock=lambda: int(time.time() * 1000) + 5 * HOUR)
    office = make_client("office")
    customer = fast.save("customers", name="時計工業", phone="052-000-0000")
    fast.sync(), office.sync()
    fast.save("customers", customer, notes="速い時計のメモ")
    fast.sync()
    time.sleep(0.002)
    office.save("customers", customer, notes="正しい時計のメモ")
    office.sync(), fast.sync()
    assert fast.live("customers")[customer]["notes"] == "正しい時計のメモ"
    conflicts = office.live("conflicts")
    assert [c["lost_value"] for c in conflicts.values()] == ["速い時計のメモ"]  # kept, not lost


def test_a_clock_hours_behind_still_lands_its_edits(make_client):
    slow = make_client("rep_a", clock=lambda: int(time.time() * 1000) - 6 * HOUR)
    customer = slow.save("customers", name="遅い時計工業")
    slow.sync()
    slow.save("customers", customer, notes="遅い時計のメモ")
    slow.sync()
    assert slow.live("customers")[customer]["notes"] == "遅い時計のメモ"
    assert slow.replica.outbox == []


def test_a_clock_a_day_off_is_refused_and_the_same_outbox_goes_through_once_fixed(make_client):
    skew = {"ms": 30 * HOUR}
    rep = make_client("rep_a", clock=lambda: int(time.time() * 1000) + skew["ms"])
    customer = rep.save("customers", name="日付違い工業")
    visit(rep, customer, "日付がずれた端末で記録")
    with pytest.raises(SyncError) as refused:
        rep.push()
    assert refused.value.status == 409 and refused.value.reason == "clock_skew"
    assert len(rep.replica.outbox) == 2
    skew["ms"] = 0
    results = rep.push()
    assert [r["status"] for r in results] == ["applied", "applied"]


def test_a_device_offline_past_the_window_resyncs_keeps_its_edits_and_nothing_deleted_returns(
    app, runner, make_client
):
    rep, office = make_client("rep_a"), make_client("office")
    kept = rep.save("customers", name="存続工業")
    gone = rep.save("customers", name="廃業工業")
    rep.sync(), office.sync()
    office.delete("customers", gone)
    office.sync()
    runner.invoke(args=["compact", "--days", "0"])  # the window passed while the rep was away
    rep.save("customers", kept, notes="長期オフライン中のメモ")
    rep.save("customers", gone, notes="消えた顧客へのメモ")
    rep.sync()
    assert set(rep.live("customers")) == {kept}
    assert rep.live("customers")[kept]["notes"] == "長期オフライン中のメモ"
    [(entry, errors)] = rep.replica.rejected
    assert entry.record_id == gone and errors == {"record_id": ["deleted"]}
