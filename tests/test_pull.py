"""Pull: the whole scope first, then only changes, in pages, never skipping one."""

import gzip
import json
import time

import pytest
from hypothesis import given, strategies as st
from werkzeug.datastructures import MultiDict

from conftest import records_by_id
from server.core.schemas import PullQuerySchema

PULL_QUERY = PullQuerySchema()


def make_customers(rep, count):
    return [rep.create("customers", name=f"顧客{i:03d}") for i in range(count)]


def test_pages_deliver_every_record_once(device):
    rep, office = device("rep_a"), device("office")
    made = make_customers(rep, 7)
    changes = office.sync(limit=3)
    ids = [c["record"]["id"] for c in changes if c["entity"] == "customers"]
    assert sorted(ids) == sorted(c["id"] for c in made)


def test_has_more_until_the_last_page(device):
    rep = device("rep_a")
    make_customers(rep, 5)
    body = rep.pull(limit=2).get_json()
    assert len(body["changes"]) == 2 and body["has_more"] is True


def test_then_only_what_changed_including_own_pushes(device):
    rep = device("rep_a")
    customer = make_customers(rep, 3)[0]
    rep.sync()
    rep.update("customers", customer, notes="更新")
    changes = rep.sync()
    assert [(c["entity"], c["record"]["notes"]) for c in changes] == [("customers", "更新")]
    assert rep.sync() == []


def test_empty_pull_keeps_a_usable_cursor(device):
    rep = device("rep_a")
    rep.sync()
    body = rep.pull(rep.cursor).get_json()
    assert body["changes"] == [] and body["has_more"] is False and body["cursor"]
    assert body["hlc"].endswith(":server")


def test_first_pull_has_live_records_only_then_tombstones(device):
    rep, office = device("rep_a"), device("office")
    gone, kept = make_customers(rep, 2)
    rep.push(rep.mutation("customers", gone["id"], op="delete", base_version=1))
    first = records_by_id(office.sync())
    assert gone["id"] not in first and kept["id"] in first
    rep.push(rep.mutation("customers", kept["id"], op="delete", base_version=1))
    [tombstone] = office.sync()
    assert tombstone["record"]["id"] == kept["id"] and tombstone["record"]["deleted"] is True


def test_record_deleted_between_pages_of_the_first_pull_arrives_as_a_tombstone(device, people):
    rep, office = device("rep_a"), device("office")
    first, *rest = make_customers(rep, 4)
    page = office.pull(limit=len(people) + 1).get_json()  # the user directory, then one customer
    assert page["changes"][-1]["record"]["id"] == first["id"] and page["has_more"]
    office.cursor = page["cursor"]
    rep.push(rep.mutation("customers", first["id"], op="delete", base_version=1))
    records = records_by_id(page["changes"] + office.sync())
    assert records[first["id"]]["deleted"] is True


def test_cursor_older_than_the_tombstone_window_answers_410(app, device):
    rep = device("rep_a")
    rep.sync()
    app.config["TOMBSTONE_DAYS"] = 0
    time.sleep(0.01)
    response = rep.pull(rep.cursor)
    assert response.status_code == 410
    assert response.get_json()["reason"] == "cursor_expired"
    assert rep.pull().status_code == 200  # pulling afresh works


def test_limit_is_capped(app, device):
    rep = device("rep_a")
    make_customers(rep, 4)
    app.config["PULL_LIMIT_MAX"] = 2
    assert len(rep.pull(limit=1000).get_json()["changes"]) == 2


def test_users_directory_reaches_every_device(device, people):
    changes = device("rep_b").sync()
    names = {c["record"]["id"]: c["record"]["name"] for c in changes if c["entity"] == "users"}
    assert set(names) == set(people.values()) and names[people["rep_a"]] == "佐藤 健太"


def test_compacted_tombstone_cannot_come_back(runner, device):
    rep = device("rep_a")
    customer = rep.create("customers", name="廃業した顧客")
    rep.push(rep.mutation("customers", customer["id"], op="delete", base_version=1))
    result = runner.invoke(args=["compact", "--days", "0"])
    assert "compacted 1 tombstones" in result.output
    stale = rep.push(rep.mutation("customers", customer["id"], base_version=1, name="復活?"))[0]
    assert stale == {
        "mutation_id": stale["mutation_id"],
        "status": "rejected",
        "errors": {"record_id": ["deleted"]},
    }


def test_cursor_from_before_a_compaction_answers_410(runner, device):
    rep = device("rep_a")
    customer = rep.create("customers", name="廃業した顧客")
    rep.sync()
    rep.push(rep.mutation("customers", customer["id"], op="delete", base_version=1))
    runner.invoke(args=["compact", "--days", "0"])
    assert rep.pull(rep.cursor).get_json()["reason"] == "cursor_expired"


@pytest.mark.parametrize(
    "accept, gzipped",
    [("gzip, deflate, br", True), ("gzip;q=0, br", False), ("", False)],
)
def test_a_large_page_is_gzipped_for_a_client_that_takes_it(client, device, accept, gzipped):
    rep = device("rep_a")
    rep.push(*[rep.mutation("customers", name=f"顧客 {n} " + "メモ" * 40) for n in range(120)])
    plain = client.get("/api/v1/sync/pull?limit=500", headers=rep.headers)
    answer = client.get("/api/v1/sync/pull?limit=500", headers={**rep.headers, "Accept-Encoding": accept})
    body = answer.get_data()
    assert (answer.headers.get("Content-Encoding") == "gzip") is gzipped
    assert "Accept-Encoding" in answer.headers["Vary"]
    if gzipped:
        assert len(body) < len(plain.get_data()) / 3
        body = gzip.decompress(body)
    changes = json.loads(body)["changes"]
    assert changes == plain.get_json()["changes"] and len(changes) > 120  # the customers and the directory


# The pull's query is read by PullQuerySchema.quick when it is the plain form devices send, by
# the schema (through webargs) otherwise; either way the answer must be the schema's.
ODD_VALUES = [
    *["1", "2", "500", "0", "00", "007", "-1", "+3", " 2", "2 ", "５", "٣", "1e3", "2.0", ""],
    *["999999999", "1000000000", "true", "false", "True", "TRUE", "1", "on", "yes", "no", "off"],
    *["f", "t", "null", "カーソル", "a\nb", "x" * 200, "x" * 201],
]
QUERY_NAMES = ["cursor", "limit", "digest", "priority", "other", "Limit"]


def assert_read_as_the_schema_reads(pairs):
    args = MultiDict(pairs)
    quick = PULL_QUERY.quick(args)
    if quick is not None:  # otherwise the schema reads it
        assert all(len(args.getlist(name)) == 1 for name in args)
        assert quick == PULL_QUERY.load(args.to_dict()), pairs


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_the_quick_reading_of_each_parameter_is_the_schemas(name):
    for value in ODD_VALUES:
        assert_read_as_the_schema_reads([(name, value)])
        assert_read_as_the_schema_reads([(name, value), ("cursor", "c")])
        assert_read_as_the_schema_reads([(name, value), (name, "2")])


@given(
    st.lists(
        st.tuples(
            st.sampled_from(QUERY_NAMES),
            st.one_of(st.sampled_from(ODD_VALUES), st.text(max_size=8), st.from_regex(r"\A[0-9]{1,11}\Z")),
        ),
        max_size=5,
    )
)
def test_the_quick_reading_of_a_pull_query_is_the_schemas(pairs):
    assert_read_as_the_schema_reads(pairs)


def test_the_quick_reading_takes_the_query_devices_send():
    assert PULL_QUERY.quick(MultiDict([("limit", "2000"), ("cursor", "abc")])) == {
        "cursor": "abc",
        "limit": 2000,
        "digest": False,
        "priority": False,
    }
    assert PULL_QUERY.quick(MultiDict([("priority", "true")]))["priority"] is True


@pytest.mark.parametrize(
    "query, status, answer",
    [
        ("limit=2", 200, 2),  # the quick reading
        ("limit=%EF%BC%92", 200, 2),  # a full-width 2: the schema's int() reads it
        ("limit=2&limit=3", 200, 2),  # twice: the first, as webargs takes it
        ("limit=2&digest=TRUE", 200, 2),
        ("limit=0", 422, "limit"),
        ("limit=two", 422, "limit"),
        ("limit=2&digest=maybe", 422, "digest"),
        ("cursor=" + "x" * 201, 400, "cursor"),
    ],
)
def test_a_pull_query_is_answered_as_the_schema_reads_it(device, query, status, answer):
    rep = device("rep_a")
    make_customers(rep, 3)
    response = rep.wire.transport.open("GET", "/api/v1/sync/pull?" + query, token=rep.token)
    body = response.get_json()
    assert response.status_code == status, body
    if status == 200:
        assert len(body["changes"]) == answer
    else:
        assert body["code"] == status and list(body["errors"]) == [answer]
