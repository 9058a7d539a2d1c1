"""Duplicates (名寄せ) and merging customers: children move, devices holding the old id keep working."""

import hashlib

import pytest

from conftest import Device


def state(dev, changes, held=None):
    """Lay pulled changes over what a device holds: id -> record (evictions dropped)."""
    held = {} if held is None else held
    for change in changes:
        if change.get("evict"):
            held.pop(change["id"], None)
        else:
            record = change["record"]
            if record["id"] not in held or held[record["id"]]["version"] <= record["version"]:
                held[record["id"]] = record
    return held


@pytest.fixture
def family(device):
    """A customer (to be merged) with a record of every kind, and the survivor."""
    rep = device("rep_a")
    old = rep.create("customers", name="株式会社みらい精機", phone="052-111-2222")
    new = rep.create("customers", name="みらい精機", status="prospect", email="info@mirai.co.jp")
    c = {"customer_id": old["id"]}
    photo = b"\xff\xd8\xff\xe0" + b"x" * 100
    children = {
        "contacts": rep.create("contacts", name="佐藤 健太", **c),
        "visits": rep.create("visits", kind="sales", visited_at="2026-12-01T10:00:00+09:00", **c),
        "requests": rep.create("requests", kind="request", title="同じ治具をもう一台", **c),
        "deals": rep.create("deals", title="治具 2台", **c),
        "quotes": rep.create("quotes", product="治具", **c),
    }
    children["attachments"] = rep.create(
        "attachments",
        owner_entity="visits",
        owner_id=children["visits"]["id"],
        content_type="image/jpeg",
        size=len(photo),
        sha256=hashlib.sha256(photo).hexdigest(),
        **c,
    )
    return rep, old, new, children


def merge(dev, loser, survivor):
    return dev.client.post(
        f"/api/v1/customers/{loser['id']}/merge", json={"into": survivor["id"]}, headers=dev.headers
    )


def test_a_merge_moves_every_record_and_leaves_a_tombstone_naming_the_survivor(family, device):
    rep, old, new, children = family
    rep.sync()
    response = merge(device("office"), old, new)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["record"]["phone"] == "052-111-2222"  # filled from the merged one
    held = state(rep, rep.sync())
    assert (held[old["id"]]["deleted"], held[old["id"]]["merged_into"]) == (True, new["id"])
    for entity, record in children.items():
        assert held[record["id"]]["customer_id"] == new["id"], entity
        assert held[record["id"]]["version"] == record["version"] + 1


def card(dev, customer):
    """A business-card photo attached to the customer itself, as 展示会 mode takes one."""
    photo = b"\xff\xd8\xff\xe0" + customer["id"].encode()
    return dev.create(
        "attachments",
        customer_id=customer["id"],
        owner_entity="customers",
        owner_id=customer["id"],
        purpose="business_card",
        content_type="image/jpeg",
        size=len(photo),
        sha256=hashlib.sha256(photo).hexdigest(),
    )


def test_the_merged_customers_card_belongs_to_the_survivor(family, device):
    rep, old, new, _ = family
    cards = card(rep, old), card(rep, new)
    assert merge(device("office"), old, new).status_code == 200
    held = state(rep, rep.sync())
    owners = [(held[c["id"]]["customer_id"], held[c["id"]]["owner_id"]) for c in cards]
    assert owners == [(new["id"], new["id"])] * 2
    assert held[cards[0]["id"]]["version"] == cards[0]["version"] + 1


def test_a_card_taken_offline_of_the_merged_customer_lands_on_the_survivor(family, device, client):
    _, old, new, _ = family
    offline = Device(client, "rep_a")
    offline.sync()
    assert merge(device("office"), old, new).status_code == 200
    record = card(offline, old)
    assert (record["customer_id"], record["owner_id"]) == (new["id"], new["id"])


@pytest.mark.parametrize("away", ["a day", "past the tombstone window"])
def test_a_device_offline_during_the_merge_loses_nothing(family, device, client, runner, away):
    rep, old, new, children = family
    offline = Device(client, "rep_a")
    held = state(offline, offline.sync())
    assert merge(device("office"), old, new).status_code == 200
    if away != "a day":  # the merged customer's tombstone is compacted: its survivor stays named
        assert "compacted 1 tombstones" in runner.invoke(args=["compact", "--days", "0"]).output
    contact = held[children["contacts"]["id"]]
    results = offline.push(
        offline.mutation("customers", old["id"], base_version=old["version"], name_kana="みらいせいき"),
        offline.mutation("contacts", contact["id"], base_version=contact["version"], title="部長"),
        offline.mutation("contacts", name="鈴木 一郎", customer_id=old["id"]),
        offline.mutation(
            "visits",
            kind="event",
            visited_at="2026-12-02T10:00:00+09:00",
            customer_id=old["id"],
            contact_ids=[contact["id"]],
        ),
        offline.mutation("deals", title="展示会の引合い", customer_id=old["id"]),
    )
    assert [r["status"] for r in results] == ["applied"] * 5, results
    assert results[0]["record"]["id"] == new["id"]
    assert results[0]["record"]["name_kana"] == "みらいせいき"
    assert {r["record"]["customer_id"] for r in results[1:]} == {new["id"]}
    assert results[1]["record"]["title"] == "部長"
    # every replica converges: the offline device, brought up to date, holds what a fresh one does
    if away != "a day":
        offline.cursor, held = None, {}  # its cursor expired with the window: it pulls afresh
    state(offline, offline.sync(), held)
    fresh = state(Device(client, "rep_a"), Device(client, "rep_a").sync())
    live = {i: (r["version"], r.get("customer_id")) for i, r in held.items() if not r["deleted"]}
    assert live == {i: (r["version"], r.get("customer_id")) for i, r in fresh.items()}


@pytest.mark.parametrize("approved", [["old"], ["new"], ["old", "new"], []])
def test_a_rep_who_followed_both_merged_customers_keeps_one_follow_the_one_that_grants_most(
    family, device, approved
):
    rep, old, new, _ = family
    west = device("rep_b")
    follows = {name: west.create("follows", customer_id=c["id"]) for name, c in (("old", old), ("new", new))}
    for name in approved:
        assert rep.update("follows", follows[name], status="approved")["status"] == "applied"
    assert merge(device("office"), old, new).status_code == 200
    ids = {f["id"] for f in follows.values()}
    kept = [r for i, r in state(west, west.sync()).items() if i in ids and not r["deleted"]]
    assert [(r["customer_id"], r["customer_name"], r["status"]) for r in kept] == [
        (new["id"], "みらい精機", "approved" if approved else "requested")
    ]
    assert kept[0]["id"] == follows["old" if approved == ["old"] else "new"]["id"]


def test_merged_twice_and_compacted_a_record_made_under_the_first_reaches_the_last(family, device, runner):
    rep, old, new, _ = family
    office = device("office")
    last = rep.create("customers", name="みらい精機ホールディングス")
    assert merge(office, old, new).status_code == 200
    assert merge(office, new, last).status_code == 200  # the survivor is merged in its turn
    assert "compacted 2 tombstones" in runner.invoke(args=["compact", "--days", "0"]).output
    [result] = rep.push(
        rep.mutation("visits", kind="sales", visited_at="2026-12-05T10:00:00+09:00", customer_id=old["id"])
    )
    assert (result["status"], result["record"]["customer_id"]) == ("applied", last["id"])


def test_a_delete_of_the_merged_customer_does_not_delete_the_survivor(family, device):
    rep, old, new, _ = family
    assert merge(device("office"), old, new).status_code == 200
    rep.push(rep.mutation("customers", old["id"], op="delete", base_version=old["version"]))
    held = state(rep, rep.sync())
    assert held[new["id"]]["deleted"] is False


@pytest.mark.parametrize(
    "login, into, status, reason",
    [
        ("rep_a", "new", 403, "forbidden"),
        ("office", "old", 422, "same_customer"),
        ("office", "unknown", 422, "not_found"),
    ],
)
def test_a_merge_is_refused(family, device, login, into, status, reason):
    _, old, new, _ = family
    target = {"new": new, "old": old, "unknown": {"id": "00000000-0000-4000-8000-000000000000"}}[into]
    response = merge(device(login), old, target)
    assert (response.status_code, response.get_json()["reason"]) == (status, reason)


def test_a_merge_of_an_already_merged_customer_answers_404(family, device):
    _, old, new, _ = family
    office = device("office")
    assert merge(office, old, new).status_code == 200
    response = merge(office, old, new)
    assert (response.status_code, response.get_json()["reason"]) == (404, "not_found")


def test_a_merge_without_a_target_answers_422(family, device):
    _, old, _, _ = family
    response = device("office").client.post(
        f"/api/v1/customers/{old['id']}/merge", json={}, headers=device("office").headers
    )
    assert (response.status_code, list(response.get_json()["errors"])) == (422, ["into"])


def duplicates(dev, **query):
    response = dev.client.get("/api/v1/customers/duplicates", query_string=query, headers=dev.headers)
    return response


def test_duplicates_are_found_by_folded_name_phone_and_email_domain(family, device):
    rep, old, new, _ = family
    found = duplicates(
        rep, name="ミライ精機（株）", phone="０５２(111)2222", email="k.sato@mirai.co.jp"
    ).get_json()["candidates"]
    by_id = {c["id"]: c for c in found}
    assert by_id[old["id"]]["why"] == ["name", "phone"]
    assert by_id[new["id"]]["why"] == ["name", "email_domain"]
    assert found[0]["id"] == old["id"] and found[0]["score"] == 1.0


def test_duplicates_stay_within_the_users_scope(family, device):
    assert duplicates(device("rep_b"), name="みらい精機").get_json() == {"candidates": []}


def test_duplicates_ignore_free_mail_domains(family, device):
    rep, old, new, _ = family
    rep.update("customers", new, email="mirai@gmail.com")
    assert duplicates(rep, email="someone@gmail.com").get_json() == {"candidates": []}


def test_duplicates_need_something_to_compare(device):
    response = duplicates(device("rep_a"))
    assert (response.status_code, list(response.get_json()["errors"])) == (422, ["name"])
