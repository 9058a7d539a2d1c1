"""A prioritised first pull: what a new device needs to list and search its customers comes
first (users, customers, contacts, follows), the history after it, nothing lost or doubled."""

import base64
import json
import re
import time
import urllib.parse

import pytest

from conftest import records_by_id

LISTS = ["users", "customers", "contacts", "follows"]


def pull(client, who, cursor=None, limit=None, **query):
    params = {k: v for k, v in {"cursor": cursor, "limit": limit, **query}.items() if v is not None}
    return client.get("/api/v1/sync/pull?" + urllib.parse.urlencode(params), headers=who.headers)


def priority_pull(client, who, limit):
    """Every page of a prioritised first pull: [(changes, priority_done)], and the last cursor."""
    pages, cursor = [], None
    for _ in range(500):
        body = pull(client, who, cursor, limit, **({} if cursor else {"priority": "true"})).get_json()
        assert re.fullmatch(r"\d{13}:\d{6}:server", body["hlc"]), body["hlc"]  # the server's clock
        pages.append((body["changes"], body.get("priority_done")))
        cursor = body["cursor"]
        if not body["has_more"]:
            return pages, cursor
    raise AssertionError("the pull never ended")


def history(rep, customers=3):
    """Customers made one after another with a visit, a contact and a request each, so in
    commit order the lists' records and the history are interleaved."""
    for n in range(customers):
        customer = rep.create("customers", name=f"顧客{n}", name_kana=f"コキャク{n}")
        rep.create("visits", customer_id=customer["id"], kind="sales", visited_at="2026-12-01T10:00:00+09:00")
        rep.create("contacts", customer_id=customer["id"], name=f"担当{n}")
        rep.create("requests", customer_id=customer["id"], kind="request", title=f"依頼{n}")


def test_customers_and_contacts_come_before_the_history(client, device, people):
    rep, office = device("rep_a"), device("office")
    history(rep, customers=4)
    pages, _ = priority_pull(client, office, limit=3)
    entities = [c["entity"] for changes, _ in pages for c in changes]
    ranks = [LISTS.index(e) if e in LISTS else len(LISTS) for e in entities]
    assert ranks == sorted(ranks), entities
    assert entities.count("customers") == 4 and entities.count("contacts") == 4
    assert entities.count("visits") == 4 and entities.count("requests") == 4
    # The pages say when the lists are complete: not before the last of them, always after it.
    done = [flag for _, flag in pages]
    last = max(i for i, (changes, _) in enumerate(pages) if any(c["entity"] in LISTS for c in changes))
    assert done[:last] == [False] * last
    assert done[last + 1 :] == [True] * (len(pages) - last - 1) and len(pages) > last + 1


def test_it_delivers_exactly_the_scope_a_plain_first_pull_does(client, device):
    rep_a, rep_b = device("rep_a"), device("rep_b")
    history(rep_a, customers=2)
    history(rep_b, customers=2)
    for who in (rep_a, rep_b, device("office"), device("tech")):
        pages, cursor = priority_pull(client, who, limit=4)
        got = [c["record"]["id"] for changes, _ in pages for c in changes]
        assert len(got) == len(set(got)), "a record was sent twice"
        plain = records_by_id(who.sync())
        assert set(got) == set(plain)
        # And the cursor it ends with carries on as any cursor does: nothing new, nothing lost.
        assert pull(client, who, cursor).get_json()["changes"] == []


@pytest.mark.parametrize("limit", [1, 3, 7, 1000])
def test_the_history_comes_customer_by_customer_in_any_page_size(client, device, limit):
    """A device keeps each customer's visits together (pwa/js/visit-groups.js): after the lists,
    one customer's history is sent whole before the next customer's, whatever the commit order."""
    rep, office = device("rep_a"), device("office")
    customers = [rep.create("customers", name=f"顧客{n}", name_kana=f"コキャク{n}") for n in range(3)]
    for round_ in range(3):  # interleaved in commit order: c0, c1, c2, c0, c1, ...
        for customer in customers:
            rep.create(
                "visits", customer_id=customer["id"], kind="sales", visited_at="2026-12-01T10:00:00+09:00"
            )
            if round_ == 1:
                rep.create("requests", customer_id=customer["id"], kind="request", title="依頼")
    pages, cursor = priority_pull(client, office, limit)
    rest = [c["record"] for changes, _ in pages for c in changes if c["entity"] not in LISTS]
    owners = [r["customer_id"] for r in rest if r.get("customer_id")]
    assert len(owners) == 12 and len(set(owners)) == 3
    runs = [owner for n, owner in enumerate(owners) if n == 0 or owners[n - 1] != owner]
    assert len(runs) == 3, runs  # each customer once, as one run
    ids = [r["id"] for r in rest]
    assert len(ids) == len(set(ids))
    assert pull(client, office, cursor).get_json()["changes"] == []


def test_changes_made_during_the_pull_arrive_after_what_they_replace(client, device, people):
    rep, office = device("rep_a"), device("office")
    history(rep, customers=3)
    body = pull(client, office, limit=len(people) + 2, priority="true").get_json()  # users, 2 customers
    sent = records_by_id(body["changes"])
    customer = next(r for r in sent.values() if r.get("name") == "顧客0")
    rep.update("customers", customer, notes="途中で更新")
    visit = rep.sync()  # the rep's own view, to find records the office has not been sent yet
    visits = [c["record"] for c in visit if c["entity"] == "visits"]
    contacts = [c["record"] for c in visit if c["entity"] == "contacts"]
    rep.update("visits", visits[0], notes="途中で更新")
    rep.push(rep.mutation("contacts", contacts[-1]["id"], op="delete", base_version=contacts[-1]["version"]))
    late = rep.create("customers", name="途中の新規")
    changes = list(body["changes"])
    cursor = body["cursor"]
    while body["has_more"]:
        body = pull(client, office, cursor, 6).get_json()
        changes += body["changes"]
        cursor = body["cursor"]
    final = records_by_id(changes)
    assert final[customer["id"]]["notes"] == "途中で更新"
    assert final[visits[0]["id"]]["notes"] == "途中で更新"
    assert final[contacts[-1]["id"]]["deleted"] is True
    assert final[late["id"]]["name"] == "途中の新規"
    fresh = records_by_id(device("office").sync())
    assert {k: v for k, v in final.items() if not v["deleted"]} == fresh


def test_the_last_page_carries_the_digest_when_asked(client, device):
    rep = device("rep_a")
    history(rep, customers=2)
    body, cursor = None, None
    while body is None or body["has_more"]:
        query = {"digest": "true"} if cursor else {"digest": "true", "priority": "true"}
        body = pull(client, rep, cursor, 3, **query).get_json()
        assert ("digest" in body) == (not body["has_more"])
        cursor = body["cursor"]
    plain = pull(client, rep, None, 1000, digest="true").get_json()
    assert body["digest"] == plain["digest"]


def test_a_plain_pull_is_unchanged(client, device):
    rep = device("rep_a")
    history(rep, customers=2)
    body = pull(client, rep, limit=1000).get_json()
    assert "priority_done" not in body
    customers = [i for i, c in enumerate(body["changes"]) if c["entity"] == "customers"]
    visits = [i for i, c in enumerate(body["changes"]) if c["entity"] == "visits"]
    assert visits[0] < customers[-1]  # commit order: the first visit before the last customer


def cursor_text(fields):
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")


@pytest.mark.parametrize("phase", [7, 64, 65, -1, "1", None, 1.5])
def test_a_cursor_with_a_phase_it_never_handed_out_answers_400(client, device, phase):
    rep = device("rep_a")
    now = int(time.time() * 1000)
    response = pull(client, rep, cursor_text([0, "~", 5, now, phase]))
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"cursor": ["not a cursor from this server"]}


def test_a_phased_cursor_older_than_the_tombstone_window_answers_410(app, client, device):
    rep = device("rep_a")
    history(rep, customers=2)
    cursor = pull(client, rep, limit=2, priority="true").get_json()["cursor"]
    app.config["TOMBSTONE_DAYS"] = 0
    time.sleep(0.01)
    response = pull(client, rep, cursor)
    assert response.status_code == 410 and response.get_json()["reason"] == "cursor_expired"


def test_priority_must_be_a_boolean(client, device):
    response = pull(client, device("rep_a"), priority="soon")
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == 422 and "priority" in body["errors"]
