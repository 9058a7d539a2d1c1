"""Writes after a loss of scope: they land only while the device cannot know of the loss."""

import pytest

OUT = {"customer_id": ["out_of_scope"]}


@pytest.fixture
def unfollowed(device, people):
    """rep_b follows rep_a's customer (approved), edits a visit offline, then loses it."""
    east, west, office = device("rep_a"), device("rep_b"), device("office")
    customer = east.create("customers", name="東日本精工")
    visit = east.create(
        "visits", customer_id=customer["id"], kind="sales", visited_at="2026-11-27T10:00:00+09:00"
    )
    follow = office.create("follows", customer_id=customer["id"], user_id=people["rep_b"])
    west.sync()
    edit = west.mutation("visits", visit["id"], base_version=visit["version"], notes="追記")
    office.push(office.mutation("follows", follow["id"], op="delete", base_version=1))
    return west, edit


def test_an_edit_made_in_scope_lands_while_the_device_has_not_pulled_the_loss(unfollowed):
    west, edit = unfollowed
    assert west.push(edit)[0]["status"] == "applied"


def test_an_edit_after_the_device_pulled_the_loss_is_refused(unfollowed):
    west, edit = unfollowed
    assert any(c.get("evict") for c in west.sync())
    west.sync()  # the device shows it has the loss: it asks for what comes after it
    result = west.push(edit)[0]
    assert result["status"] == "rejected" and result["errors"] == OUT


def test_an_edit_after_the_grace_days_is_refused(app, unfollowed):
    west, edit = unfollowed
    app.config["SCOPE_GRACE_DAYS"] = 0
    result = west.push(edit)[0]
    assert result["status"] == "rejected" and result["errors"] == OUT


def test_an_edit_dated_after_the_loss_is_refused(unfollowed):
    west, edit = unfollowed
    later = west.mutation("visits", edit["record_id"], base_version=1, notes="後から")
    result = west.push(later)[0]
    assert result["status"] == "rejected" and result["errors"] == OUT


def test_a_write_landing_in_its_grace_is_not_read_back_and_its_record_leaves_with_the_next_pull(unfollowed):
    west, edit = unfollowed
    result = west.push(edit)[0]
    assert result["status"] == "applied" and "record" not in result  # no longer the device's to read
    evicted = {c["id"] for c in west.sync() if c.get("evict")}
    assert edit["record_id"] in evicted
