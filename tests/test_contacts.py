"""Contacts: a person who left the customer (退職・異動) is kept, marked ``left``, so the visits
that name them still do; whoever may change the customer may mark them, nobody else."""

import pytest

from conftest import records_by_id


@pytest.fixture
def contact(device):
    rep = device("rep_a")
    customer = rep.create("customers", name="東日本精工")
    return rep.create("contacts", customer_id=customer["id"], name="高橋 一郎")


def pulled(person, record_id):
    return records_by_id(person.sync())[record_id]


def test_a_contact_marked_as_left_reaches_a_colleague_and_comes_back(device, contact):
    rep, colleague = device("rep_a"), device("rep_a2")
    result = rep.update("contacts", contact, left=True)
    assert result["status"] == "applied" and result["record"]["left"] is True
    assert pulled(colleague, contact["id"])["left"] is True
    back = rep.update("contacts", result["record"], left=False)
    assert back["status"] == "applied"
    assert pulled(colleague, contact["id"])["left"] is False


def test_a_contact_is_added_as_left_or_not_said(device, contact):
    rep = device("rep_a")
    former = rep.create("contacts", customer_id=contact["customer_id"], name="前任 次郎", left=True)
    records = records_by_id(device("office").sync())
    assert records[former["id"]]["left"] is True
    assert records[contact["id"]].get("left") is None  # not said: current


@pytest.mark.parametrize("value", ["true", "yes", 2, [True], {"left": True}])
def test_left_is_true_or_false_and_anything_else_is_a_field_error(device, contact, value):
    rep = device("rep_a")
    result = rep.update("contacts", contact, left=value)
    assert result["status"] == "rejected"
    assert result["errors"] == {"left": ["Not a valid boolean."]}
    assert pulled(device("office"), contact["id"]).get("left") is None


def test_a_rep_of_another_team_cannot_mark_the_contact_as_left(device, contact):
    west = device("rep_b")
    result = west.update("contacts", contact, left=True)
    assert result["status"] == "rejected", result
    assert result["errors"] == {"customer_id": ["out_of_scope"]}
    office = device("office")
    assert pulled(office, contact["id"]).get("left") is None
    assert office.update("contacts", contact, left=True)["status"] == "applied"


@pytest.mark.parametrize("login", ["rep_a2", "tech"])
def test_whoever_may_change_the_customer_marks_its_contact_as_left(device, contact, login):
    person = device(login)
    person.sync()
    assert person.update("contacts", contact, left=True)["status"] == "applied"
