"""The reference client speaks the protocol: outbox, collapse, settle, pull, evictions."""

import pytest

from sync.client import Client, FlaskTransport, SyncError

from conftest import PASSWORD


@pytest.fixture
def make_client(client, people):
    return lambda login, **kw: Client(FlaskTransport(client), login, PASSWORD, **kw)


def test_two_clients_converge(make_client):
    rep, office = make_client("rep_a"), make_client("office")
    customer_id = rep.save("customers", name="三河精機")
    rep.save("visits", customer_id=customer_id, kind="sales", visited_at="2026-11-27T10:00:00+09:00")
    rep.sync(), office.sync()
    assert office.live("customers")[customer_id]["name"] == "三河精機"
    assert rep.replica.outbox == [] and len(office.live("visits")) == 1


def test_offline_edits_of_one_record_collapse_into_one_mutation(make_client):
    rep = make_client("rep_a")
    customer_id = rep.save("customers", name="仮")
    rep.save("customers", customer_id, phone="052-000-0000")
    rep.save("customers", customer_id, name="本名")
    assert len(rep.replica.outbox) == 1
    [result] = rep.push()
    assert result["record"]["name"] == "本名" and result["record"]["phone"] == "052-000-0000"


def test_rejected_mutations_stay_visible_with_the_servers_message(make_client):
    rep = make_client("rep_a")
    rep.save("customers", name="")
    rep.push()
    [(entry, errors)] = rep.replica.rejected
    assert entry.entity == "customers" and "name" in errors and rep.replica.outbox == []


def test_view_lays_unanswered_edits_over_the_replica(make_client):
    rep, office = make_client("rep_a"), make_client("office")
    customer_id = rep.save("customers", name="三河精機")
    rep.sync(), office.sync()
    office.save("customers", customer_id, notes="未送信のメモ")
    assert office.view("customers", customer_id)["notes"] == "未送信のメモ"
    assert office.live("customers")[customer_id]["notes"] is None


def test_a_revoked_device_is_wiped(client, make_client, people):
    rep, admin = make_client("rep_a"), make_client("admin")
    rep.save("customers", name="三河精機")
    rep.sync()
    admin.call("POST", f"/api/v1/admin/devices/{rep.device_id}/revoke")
    with pytest.raises(SyncError) as err:
        rep.pull()
    assert err.value.reason == "token_revoked" and rep.replica.records == {}


def test_an_expired_cursor_pulls_afresh_and_keeps_the_outbox(app, make_client):
    rep = make_client("rep_a")
    rep.save("customers", name="三河精機")
    rep.sync()
    pending = rep.save("customers", name="未送信")
    app.config["TOMBSTONE_DAYS"] = 0
    rep.pull()
    assert rep.view("customers", pending)["name"] == "未送信" and len(rep.replica.outbox) == 1


def test_a_replica_that_matches_the_server_verifies_clean(make_client):
    rep = make_client("rep_a")
    for i in range(5):
        rep.save("customers", name=f"顧客{i}")
    rep.sync()
    assert rep.verify() == []


def test_a_damaged_replica_is_found_and_repaired_range_by_range(make_client):
    rep, office = make_client("rep_a"), make_client("office")
    ids = [rep.save("customers", name=f"顧客{i}") for i in range(20)]
    rep.sync(), office.sync()
    lost, stale = ids[0], ids[1]
    del office.replica.records[("customers", lost)]
    office.replica.records[("customers", stale)] = {**office.live("customers")[stale], "version": 0}
    office.replica.records[("customers", "ffffffff-0000-4000-8000-00000000000f")] = {
        "id": "ffffffff-0000-4000-8000-00000000000f",
        "version": 1,
        "deleted": False,
    }
    assert office.verify() == ["customers"]
    repaired = office.repair()
    # Narrowed by the ids' last digits: made together, they share their first ones.
    assert {ending for _, ending in repaired} == {lost[-1], stale[-1], "f"}
    assert len({i[0] for i in ids}) == 1
    assert office.verify() == [] and set(office.live("customers")) == set(ids)


def test_new_ids_are_uuid7_in_the_order_they_were_made():
    import time
    import uuid

    from sync.client import new_id

    first = new_id()
    time.sleep(0.002)
    later = [new_id() for _ in range(500)]
    assert all(uuid.UUID(i).version == 7 and uuid.UUID(i).variant == uuid.RFC_4122 for i in [first, *later])
    assert all(str(uuid.UUID(i)) == i for i in later)  # canonical, as the server stores them
    assert all(first < i for i in later) and len(set(later)) == 500
