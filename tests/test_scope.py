"""Scope: reps see their own, their team's and followed customers; a change of scope is
itself a change in the feed."""

import time

from conftest import records_by_id


def ids_of(changes, entity):
    return {c["record"]["id"] for c in changes if c.get("entity") == entity and "record" in c}


def test_rep_cannot_pull_another_teams_customer(device):
    east, west = device("rep_a"), device("rep_b")
    customer = east.create("customers", name="東日本精工")
    assert customer["id"] in ids_of(device("rep_a2").sync(), "customers")
    assert customer["id"] not in ids_of(west.sync(), "customers")


def test_rep_cannot_push_to_another_teams_customer(device):
    east, west = device("rep_a"), device("rep_b")
    customer = east.create("customers", name="東日本精工")
    results = west.push(
        west.mutation("customers", customer["id"], base_version=1, notes="横取り"),
        west.mutation(
            "visits", customer_id=customer["id"], kind="sales", visited_at="2026-11-27T10:00:00+09:00"
        ),
    )
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert all("customer_id" in r["errors"] for r in results)
    assert east.sync()[-1]["record"].get("notes") is None


def test_rep_cannot_create_a_customer_for_another_team(device, people):
    west = device("rep_b")
    result = west.push(west.mutation("customers", name="x", owner_id=people["rep_a"]))[0]
    assert result["status"] == "rejected" and "owner_id" in result["errors"]


def test_office_and_technicians_see_everything(device):
    east, west = device("rep_a"), device("rep_b")
    made = {east.create("customers", name="東")["id"], west.create("customers", name="西")["id"]}
    for login in ("office", "tech", "manager", "admin"):
        assert made <= ids_of(device(login).sync(), "customers")


def test_following_brings_a_customer_and_its_history_and_unfollowing_evicts(device):
    east, west = device("rep_a"), device("rep_b")
    customer = east.create("customers", name="東日本精工")
    visit = east.create(
        "visits",
        customer_id=customer["id"],
        kind="sales",
        visited_at="2025-01-10T10:00:00+09:00",
        notes="昔の商談",
    )
    west.sync()
    follow = west.create("follows", customer_id=customer["id"])
    east.update("follows", follow, status="approved")
    changes = west.sync()
    assert {customer["id"], visit["id"], follow["id"]} <= set(records_by_id(changes))
    west.push(west.mutation("follows", follow["id"], op="delete", base_version=2))
    evicted = {c["id"] for c in west.sync() if c.get("evict")}
    assert {customer["id"], visit["id"]} <= evicted


def test_reassigned_customer_moves_with_its_history(device, people):
    east, west, manager = device("rep_a"), device("rep_b"), device("manager")
    customer = east.create("customers", name="移管工業")
    visit = east.create(
        "visits", customer_id=customer["id"], kind="sales", visited_at="2025-06-01T10:00:00+09:00"
    )
    east.sync(), west.sync()
    manager.update("customers", customer, owner_id=people["rep_b"])
    gained = records_by_id(west.sync())
    assert gained[customer["id"]]["owner_id"] == people["rep_b"]
    assert gained[customer["id"]]["team"] == "west" and visit["id"] in gained
    evicted = {c["id"] for c in east.sync() if c.get("evict")}
    assert {customer["id"], visit["id"]} <= evicted


def test_edit_made_before_a_reassignment_still_lands(device, people):
    east, manager = device("rep_a"), device("manager")
    customer = east.create("customers", name="移管工業")
    before = east.mutation(
        "visits",
        customer_id=customer["id"],
        kind="sales",
        visited_at="2026-11-27T09:00:00+09:00",
        notes="移管前の訪問",
    )
    time.sleep(0.002)  # the handover happens a moment later than the first visit is written
    manager.update("customers", customer, owner_id=people["rep_b"])
    time.sleep(0.002)
    after = east.mutation(
        "visits",
        customer_id=customer["id"],
        kind="sales",
        visited_at="2026-11-27T11:00:00+09:00",
        notes="移管後の訪問",
    )
    results = east.push(before, after)
    assert [r["status"] for r in results] == ["applied", "rejected"]


def test_search_finds_customers_outside_scope_by_name_kana_or_phone(client, device):
    east, west = device("rep_a"), device("rep_b")
    customer = east.create(
        "customers", name="山田製作所", name_kana="ヤマダセイサクショ", phone="052-123-4567"
    )
    for q in ("山田", "やまだ", "ﾔﾏﾀﾞ", "ヤマダ", "０５２（１２３）４５６７"):
        response = client.get("/api/v1/customers/search", query_string={"q": q}, headers=west.headers)
        assert response.get_json() == {"results": [{"id": customer["id"], "name": "山田製作所"}]}, q


def test_concurrent_handovers_leave_the_owner_and_team_agreeing_in_either_order(device, people):
    """Two office users hand one customer to different teams at about the same time, neither
    having seen the other's: the later handover wins whole, whichever reaches the server first."""
    for later_arrives_first in (True, False):
        east, manager, office = device("rep_a"), device("manager"), device("office")
        customer = east.create("customers", name="同時移管工業")
        earlier = manager.mutation("customers", customer["id"], base_version=1, owner_id=people["rep_b"])
        time.sleep(0.002)
        later = office.mutation("customers", customer["id"], base_version=1, owner_id=people["rep_a2"])
        pushes = [(office, later), (manager, earlier)]
        if not later_arrives_first:
            pushes.reverse()
        for pusher, mutation in pushes:
            assert pusher.push(mutation)[0]["status"] in ("applied", "merged")
        stored = records_by_id(device("admin").sync())[customer["id"]]
        assert (stored["owner_id"], stored["team"]) == (people["rep_a2"], "east"), later_arrives_first
