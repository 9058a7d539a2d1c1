"""The device check's reads by part of the ids (``/sync/digest``, ``/sync/range``): the app's ids
start with their time (UUID version 7), so those made in the same weeks share their first digits
and only their last ones split them."""

from test_errors import assert_error_shape

DIGEST, RANGE = "/api/v1/sync/digest", "/api/v1/sync/range"


def made_together(rep, count):
    """``count`` customers created in one push, as an exhibition's cards are: their ids."""
    mutations = [rep.mutation("customers", name=f"展示会の顧客{n:03d}") for n in range(count)]
    rep.push(*mutations)
    return {m["record_id"] for m in mutations}


def test_ids_made_together_share_their_first_digits_and_split_by_their_last(client, device):
    rep = device("rep_a")
    ids = made_together(rep, 40)
    by_prefix = client.get(DIGEST, query_string={"entity": "customers", "prefix": ""}, headers=rep.headers)
    assert len(by_prefix.get_json()["buckets"]) == 1  # every id starts with the same digit
    answer = client.get(DIGEST, query_string={"entity": "customers", "ending": ""}, headers=rep.headers)
    buckets = answer.get_json()["buckets"]
    assert answer.get_json()["ending"] == "" and len(buckets) >= 8
    assert {key: entry["count"] for key, entry in buckets.items()} == {
        key: sum(1 for i in ids if i.endswith(key)) for key in buckets
    }
    key = max(buckets, key=lambda k: buckets[k]["count"])
    inner = client.get(DIGEST, query_string={"entity": "customers", "ending": key}, headers=rep.headers)
    assert all(len(k) == 2 and k.endswith(key) for k in inner.get_json()["buckets"])
    assert sum(e["count"] for e in inner.get_json()["buckets"].values()) == buckets[key]["count"]
    records = client.get(RANGE, query_string={"entity": "customers", "ending": key}, headers=rep.headers)
    assert records.get_json()["ending"] == key
    assert {r["id"] for r in records.get_json()["records"]} == {i for i in ids if i.endswith(key)}


def test_a_range_larger_than_a_page_is_refused_and_reached_by_more_digits(app, client, device):
    rep = device("rep_a")
    ids = made_together(rep, 40)
    app.config["PULL_LIMIT_MAX"] = 6
    for part in ("prefix", "ending"):
        whole = client.get(RANGE, query_string={"entity": "customers", part: ""}, headers=rep.headers)
        assert_error_shape(whole, 413, "range_too_large")
    found, asked = set(), [""]
    while asked:
        ending = asked.pop()
        answer = client.get(
            RANGE, query_string={"entity": "customers", "ending": ending}, headers=rep.headers
        )
        if answer.status_code == 413:
            asked.extend(digit + ending for digit in "0123456789abcdef")
            continue
        assert answer.status_code == 200 and len(ending) <= 2  # the first digits alone never get there
        found |= {r["id"] for r in answer.get_json()["records"]}
    assert found == ids


def test_a_range_asked_by_prefix_and_ending_at_once_is_refused(client, device):
    rep = device("rep_a")
    for path in (DIGEST, RANGE):
        for query in ({"prefix": "0", "ending": "a"}, {"ending": "AB"}, {"ending": "12345"}):
            answer = client.get(path, query_string={"entity": "customers", **query}, headers=rep.headers)
            assert_error_shape(answer, 422)
