"""Read marks: what a person last saw of a request, one record per person, device and request,
synced to that person's other devices and to no one else's."""

import pytest

from server.requests.entities import request_read_id


@pytest.fixture
def heard(device):
    """rep_a's request about a customer of theirs: ``(rep_a's device, the request)``."""
    rep = device("rep_a")
    customer = rep.create("customers", name="東日本精工")
    return rep, rep.create("requests", customer_id=customer["id"], kind="complaint", title="異音")


def mark(dev, request, **changes):
    record_id = request_read_id(dev.user["id"], dev.id, request["id"])
    return dev.mutation("request_reads", record_id, request_id=request["id"], **changes)


def rejected(result, field):
    assert result["status"] == "rejected" and field in result["errors"], result


def test_a_mark_reaches_the_same_persons_other_device(heard, device):
    phone, request = heard
    result = phone.push(mark(phone, request, status="new", response_digest="811c9dc5"))[0]
    assert result["status"] == "applied", result
    stored = result["record"]
    assert (stored["user_id"], stored["device_id"]) == (phone.user["id"], phone.id)
    tablet = device("rep_a")
    marks = [c["record"] for c in tablet.sync() if c["entity"] == "request_reads"]
    assert [(m["request_id"], m["status"], m["response_digest"]) for m in marks] == [
        (request["id"], "new", "811c9dc5")
    ]


@pytest.mark.parametrize("login", ["rep_a", "rep_a2", "rep_b", "office", "manager", "admin"])
def test_a_mark_is_read_by_its_writer_alone(heard, device, client, login):
    """A teammate who sees the request does not read its author's marks, and neither does the
    office, which reads daily reports: no one's device fills with everyone's marks."""
    rep, request = heard
    rep.push(mark(rep, request, status="new"))
    other = device(login)
    sees = login == "rep_a"
    assert any(c["entity"] == "request_reads" for c in other.sync()) is sees
    digest = client.get("/api/v1/sync/pull?digest=true", headers=other.headers).get_json()["digest"]
    assert ("request_reads" in digest) is sees


def test_a_mark_under_another_id_is_refused(heard, device, people):
    rep, request = heard
    wrong = [
        request_read_id(people["rep_a2"], rep.id, request["id"]),  # another person's
        request_read_id(rep.user["id"], "a-device-of-mine-elsewhere", request["id"]),  # another device's
        request_read_id(rep.user["id"], rep.id, rep.user["id"]),  # another request's
    ]
    for record_id in wrong:
        result = rep.push(rep.mutation("request_reads", record_id, request_id=request["id"], status="new"))[0]
        rejected(result, "record_id")


def test_a_mark_of_a_request_out_of_scope_reads_as_one_that_does_not_exist(heard, device):
    """rep_b (another team) must not learn by a mark whether a request id exists."""
    _, request = heard
    stranger = device("rep_b")
    result = stranger.push(mark(stranger, request, status="new"))[0]
    rejected(result, "request_id")
    missing = {**request, "id": "0b7f1f0e-3f7d-4f0e-9d8e-8d7a1d6c0a11"}
    nowhere = stranger.push(mark(stranger, missing, status="new"))[0]
    assert nowhere["errors"]["request_id"] == [f"requests {missing['id']} does not exist"]
    assert result["errors"]["request_id"] == [f"requests {request['id']} does not exist"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "read"), ("response_digest", "XYZ"), ("response_digest", "811c9dc5\n"), ("request_id", "x")],
)
def test_a_mark_with_a_bad_field_is_refused(heard, field, value):
    rep, request = heard
    m = mark(rep, request, status="new")
    m["changes"][field] = value
    rejected(rep.push(m)[0], field)


def test_only_the_writing_device_changes_a_mark(heard, device):
    """The office may not change a mark (it cannot read it); another device of the same person
    may not either, so two devices never write one mark (no conflict for having read twice)."""
    rep, request = heard
    stored = rep.push(mark(rep, request, status="new"))[0]["record"]
    office = device("office")
    office.sync()
    rejected(office.update("request_reads", stored, status="answered"), "record_id")
    tablet = device("rep_a")
    tablet.sync()
    rejected(tablet.update("request_reads", stored, status="answered"), "record_id")
    assert rep.update("request_reads", stored, status="answered")["status"] == "applied"


def test_a_mark_cannot_move_to_another_request_or_be_deleted(heard):
    rep, request = heard
    stored = rep.push(mark(rep, request, status="new"))[0]["record"]
    other = rep.create("requests", customer_id=request["customer_id"], kind="question", title="納期")
    moved = rep.update("request_reads", stored, request_id=other["id"])
    assert moved["errors"] == {"request_id": ["cannot be changed after the record is created"]}
    deleting = rep.mutation("request_reads", stored["id"], op="delete", base_version=stored["version"])
    gone = rep.push(deleting)[0]
    rejected(gone, "entity")
