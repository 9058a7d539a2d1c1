"""Follows: a rep asks to follow a colleague's customer; the owner or the office approves."""

import pytest

from conftest import records_by_id


def customer_ids(changes):
    return {c["record"]["id"] for c in changes if c.get("entity") == "customers" and "record" in c}


@pytest.fixture
def requested(device):
    """rep_b (west) asks to follow rep_a's (east) customer, which has a visit."""
    east, west = device("rep_a"), device("rep_b")
    customer = east.create("customers", name="東日本精工")
    east.create("visits", customer_id=customer["id"], kind="sales", visited_at="2026-11-27T10:00:00+09:00")
    west.sync()
    follow = west.create("follows", customer_id=customer["id"])
    return east, west, customer, follow


def test_a_reps_follow_of_another_teams_customer_is_requested_and_grants_nothing(requested):
    _, west, customer, follow = requested
    assert follow["status"] == "requested"
    changes = west.sync()
    assert customer["id"] not in customer_ids(changes)
    assert records_by_id(changes)[follow["id"]]["status"] == "requested"  # the asker sees the request
    result = west.push(
        west.mutation(
            "visits", customer_id=customer["id"], kind="sales", visited_at="2026-11-27T10:00:00+09:00"
        )
    )[0]
    assert result["status"] == "rejected" and "customer_id" in result["errors"]


def test_the_status_cannot_be_sent_at_create(device):
    east, west = device("rep_a"), device("rep_b")
    customer = east.create("customers", name="東日本精工")
    result = west.push(west.mutation("follows", customer_id=customer["id"], status="approved"))[0]
    assert result["record"]["status"] == "requested" and result["ignored"] == ["status"]


def test_the_customers_owner_sees_the_request_and_approving_brings_the_customer(requested):
    east, west, customer, follow = requested
    pending = records_by_id(east.sync())[follow["id"]]
    assert pending["status"] == "requested"
    assert east.update("follows", pending, status="approved")["status"] == "applied"
    gained = records_by_id(west.sync())
    assert customer["id"] in gained and gained[follow["id"]]["status"] == "approved"


@pytest.mark.parametrize(
    "login, allowed", [("rep_b", False), ("rep_a2", False), ("office", True), ("manager", True)]
)
def test_only_the_owner_or_the_office_approves(requested, device, login, allowed):
    _, _, _, follow = requested
    result = device(login).update("follows", follow, status="approved")
    if allowed:
        assert result["status"] == "applied"
    else:
        assert result["status"] == "rejected" and result["errors"] == {"status": ["not_allowed"]}


def test_refusing_is_deleting_and_the_asker_sees_it_go(requested):
    east, west, _, follow = requested
    west.sync()
    result = east.push(east.mutation("follows", follow["id"], op="delete", base_version=1))[0]
    assert result["status"] == "applied"
    assert records_by_id(west.sync()).get(follow["id"], {"deleted": True})["deleted"] is True


@pytest.mark.parametrize("login", ["office", "manager", "admin"])
def test_the_offices_follows_are_approved_at_once(device, people, login):
    east, west = device("rep_a"), device("rep_b")
    customer = east.create("customers", name="東日本精工")
    follow = device(login).create("follows", customer_id=customer["id"], user_id=people["rep_b"])
    assert follow["status"] == "approved"
    assert customer["id"] in customer_ids(west.sync())


def test_a_follow_within_ones_team_is_approved(device):
    east, east2 = device("rep_a"), device("rep_a2")
    customer = east.create("customers", name="東日本精工")
    assert east2.create("follows", customer_id=customer["id"])["status"] == "approved"


def test_the_search_answers_at_most_twenty_and_only_whole_phone_numbers(client, device):
    office, west = device("office"), device("rep_b")
    office.push(
        *[office.mutation("customers", name=f"株式会社{i:02d}", phone="052-123-4567") for i in range(25)]
    )

    def search(**query):
        return client.get("/api/v1/customers/search", query_string=query, headers=west.headers)

    assert len(search(q="株").get_json()["results"]) == 20
    assert search(q="株", limit=50).status_code == 422
    assert search(q="\t").status_code == 422
    assert search(q="052-123").get_json()["results"] == []
    assert len(search(q="0521234567").get_json()["results"]) == 20


def test_a_second_request_for_the_same_customer_is_the_same_request(requested, device):
    east, west, customer, follow = requested
    other_device = device("rep_b")
    again = other_device.push(other_device.mutation("follows", customer_id=customer["id"]))[0]
    assert again["status"] == "applied" and again["record"]["id"] == follow["id"]
    follows = [c["record"] for c in east.sync() if c.get("entity") == "follows"]
    assert [f["id"] for f in follows if not f["deleted"]] == [follow["id"]]


def test_two_requests_in_one_push_are_one_request(device):
    east, west = device("rep_a"), device("rep_b")
    customer = east.create("customers", name="東日本精工")
    first, second = west.push(*[west.mutation("follows", customer_id=customer["id"]) for _ in range(2)])
    assert second["status"] == "applied" and second["record"]["id"] == first["record"]["id"]


def test_a_refused_request_can_be_asked_again(requested):
    east, west, customer, follow = requested
    east.push(east.mutation("follows", follow["id"], op="delete", base_version=1))
    again = west.create("follows", customer_id=customer["id"])
    assert again["id"] != follow["id"] and again["status"] == "requested"


def test_the_request_keeps_the_customers_name_for_the_asker(requested):
    _, west, customer, follow = requested
    assert follow["customer_name"] == "東日本精工"
    sent = west.push(west.mutation("follows", customer_id=customer["id"], customer_name="偽名"))[0]
    assert sent["record"]["customer_name"] == "東日本精工" and sent["ignored"] == ["customer_name"]


def test_a_withdrawn_follow_cannot_be_brought_back_by_its_follower(requested):
    east, west, customer, follow = requested
    approved = east.update("follows", records_by_id(east.sync())[follow["id"]], status="approved")["record"]
    assert customer["id"] in customer_ids(west.sync())
    withdrawn = east.push(
        east.mutation("follows", follow["id"], op="delete", base_version=approved["version"])
    )[0]
    assert withdrawn["status"] == "applied"
    west.sync()
    tombstone = withdrawn["record"] if "record" in withdrawn else {"version": approved["version"] + 1}
    result = west.push(west.mutation("follows", follow["id"], base_version=tombstone["version"]))[0]
    assert result["status"] == "rejected" and "record_id" in result["errors"]
    again = west.push(
        west.mutation(
            "visits", customer_id=customer["id"], kind="sales", visited_at="2026-11-28T10:00:00+09:00"
        )
    )[0]
    assert again["status"] == "rejected"  # still out of their scope


def follows_seen(person):
    return {
        r["id"]
        for r in records_by_id(person.sync()).values()
        if "customer_id" in r and "status" in r and "user_id" in r
    }


def test_a_follow_is_read_by_its_follower_the_customers_owner_and_the_office_alone(requested, device, client):
    # The contract: "a follow is in the scope of its user, of the customer's owner and of office,
    # manager and admin". The owner's teammate and a technician see the customer, not who asks for it.
    east, west, customer, follow = requested
    for login, sees in [
        ("rep_a2", False),
        ("tech", False),
        ("office", True),
        ("manager", True),
        ("admin", True),
    ]:
        person = device(login)
        assert (follow["id"] in follows_seen(person)) is sees, login
        digest = client.get("/api/v1/sync/pull?digest=true", headers=person.headers).get_json()["digest"]
        assert ("follows" in digest) is sees, (login, digest)
    assert follow["id"] in follows_seen(east) and follow["id"] in follows_seen(west)


def test_a_rep_who_gains_a_customer_gets_only_their_own_follow_of_it(device, people):
    east, west, office = device("rep_a"), device("rep_b"), device("office")
    customer = east.create("customers", name="東日本精工")
    office.create("follows", customer_id=customer["id"], user_id=people["rep_a2"])  # a teammate's
    mine = office.create("follows", customer_id=customer["id"], user_id=people["rep_b"])
    changes = west.sync()
    assert customer["id"] in customer_ids(changes)
    assert {c["record"]["id"] for c in changes if c.get("entity") == "follows"} == {mine["id"]}


def test_an_owner_who_hands_the_customer_on_no_longer_holds_who_asks_to_follow_it(requested, device, people):
    """Handed to a teammate, a customer's former owner still sees the customer but no longer
    who asks to follow it: their next pull evicts the request, and nothing else of the customer,
    not the next day's check. They still write to it."""
    east, _, customer, follow = requested
    office = device("office")
    held = records_by_id(east.sync())
    assert held[follow["id"]]["status"] == "requested"
    stored = records_by_id(office.sync())[customer["id"]]
    assert office.update("customers", stored, owner_id=people["rep_a2"])["status"] == "applied"
    changes = east.sync()
    assert [c["id"] for c in changes if c.get("evict")] == [follow["id"]]
    held = records_by_id([{"record": r} for r in held.values()] + changes)
    assert follow["id"] not in held and held[customer["id"]]["owner_id"] == people["rep_a2"]
    visit = east.mutation(
        "visits", customer_id=customer["id"], kind="sales", visited_at="2026-11-28T10:00:00+09:00"
    )
    assert east.push(visit)[0]["status"] == "applied"
    assert not any(c.get("evict") for c in east.sync())
    assert follow["id"] in follows_seen(device("rep_a2"))  # the new owner holds it


def test_a_teammate_handed_the_customer_sees_its_follow_requests_at_their_next_pull(
    requested, device, people
):
    """The new owner approves or refuses who follows the customer: handed a customer they already
    saw (the same team), their next pull brings its pending requests, not the next day's check."""
    _, _, customer, follow = requested
    teammate, office = device("rep_a2"), device("office")
    assert customer["id"] in customer_ids(teammate.sync()) and follow["id"] not in follows_seen(teammate)
    stored = records_by_id(office.sync())[customer["id"]]
    assert office.update("customers", stored, owner_id=people["rep_a2"])["status"] == "applied"
    pending = records_by_id(teammate.sync())
    assert pending[follow["id"]]["status"] == "requested"
    assert teammate.update("follows", pending[follow["id"]], status="approved")["status"] == "applied"
