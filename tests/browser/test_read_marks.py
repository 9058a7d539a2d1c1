"""A request's answer read on one device is read on the same person's other devices: read marks
sync (``request_reads``), and they are no one's work, so they neither show as unsent nor wait
for anyone to fix them."""

import time

import pytest
from playwright.sync_api import expect

from server.requests.entities import request_read_id

from .helpers import go_to, idb_all, idb_write, outbox, sign_in, wait_synced


@pytest.fixture
def devices(browser, browser_context_args):
    """Two browser profiles (a phone and a tablet), each a page."""
    contexts = [browser.new_context(**browser_context_args) for _ in range(2)]
    yield [context.new_page() for context in contexts]
    for context in contexts:
        context.close()


def wait_sent(page, timeout=15):
    """Wait until the device's outbox is empty (read marks are not in the status bar's count)."""
    deadline = time.monotonic() + timeout
    while outbox(page):
        assert time.monotonic() < deadline, outbox(page)
        page.wait_for_timeout(100)


def answered_on_both(devices, live, customers):
    """The technician's request, answered after both their devices signed in: 未読 on both."""
    tech, office = live.device("tech"), live.device("office")
    request = tech.create("requests", customer_id=customers["yamada"]["id"], kind="complaint", title="異音")
    for page in devices:
        sign_in(page, live, "tech")
    office.update("requests", request, status="answered", response="軸受を交換します。")
    for page in devices:
        page.get_by_test_id("sync-now").click()
        wait_synced(page)
        go_to(page, "mine")
        expect(page.get_by_test_id("nav-mine-unread")).to_have_text("未読 1")
    return request


def test_an_answer_read_on_the_phone_is_read_on_the_tablet(devices, live, customers):
    phone, tablet = devices
    request = answered_on_both(devices, live, customers)
    phone.context.set_offline(True)
    phone.locator(".mine-item", has_text="異音").get_by_role("link").click()
    expect(phone.get_by_test_id("request-response")).to_have_text("軸受を交換します。")
    expect(phone.get_by_test_id("nav-mine-unread")).to_be_hidden()
    # Kept to send, and not work of anyone's: the status bar says all is sent.
    assert [(e["entity"], e["changes"]["request_id"]) for e in outbox(phone)] == [
        ("request_reads", request["id"])
    ]
    expect(phone.get_by_test_id("pending-count")).to_have_text("0")

    phone.context.set_offline(False)
    phone.get_by_test_id("sync-now").click()
    wait_sent(phone)
    tablet.get_by_test_id("sync-now").click()
    wait_synced(tablet)
    expect(tablet.locator(".mine-item", has_text="異音")).to_have_attribute("data-unread", "false")
    expect(tablet.get_by_test_id("nav-mine-unread")).to_be_hidden()
    marks = idb_all(tablet, "request_reads")
    assert [(m["request_id"], m["status"]) for m in marks] == [(request["id"], "answered")]

    # A new answer is news again on both, whichever device read the last one (the phone off
    # the request's page: a request open on the screen is read as it changes).
    go_to(phone, "mine")
    office = live.device("office")
    result = office.update(
        "requests", office.records("requests")[request["id"]], response="部品は来週届きます。"
    )
    assert result["status"] == "applied", result
    for page in devices:
        page.get_by_test_id("sync-now").click()
        wait_synced(page)
        go_to(page, "mine")
        expect(page.get_by_test_id("nav-mine-unread")).to_have_text("未読 1")


def test_a_read_mark_the_server_refuses_is_dropped_not_left_to_fix(devices, live, customers):
    phone, _ = devices
    answered_on_both(devices, live, customers)
    phone.context.set_offline(True)
    phone.locator(".mine-item", has_text="異音").get_by_role("link").click()
    expect(phone.get_by_test_id("nav-mine-unread")).to_be_hidden()
    # A mark the server cannot take (as one of a request deleted meanwhile would be).
    idb_write(
        phone,
        "outbox",
        "store.openCursor().onsuccess = (e) => { const c = e.target.result; "
        "c.value.changes.response_digest = 'not-hex'; c.update(c.value); };",
    )
    go_to(phone, "sync")  # off the request's page, which would mark it read again
    phone.context.set_offline(False)
    phone.get_by_test_id("sync-now").click()
    wait_sent(phone)
    assert idb_all(phone, "request_reads") == []  # never made on the server: gone here too
    expect(phone.get_by_test_id("rejected-list")).to_have_count(0)
    expect(phone.get_by_test_id("pending-count")).to_have_text("0")
    go_to(phone, "mine")
    expect(phone.get_by_test_id("nav-mine-unread")).to_have_text("未読 1")  # as it was before


def test_marks_a_device_skipped_come_back_with_the_device_check(page, live, customers):
    """A device that ran the version before read marks skipped those pulled meanwhile; after its
    upgrade the device check finds them missing and fetches them, with no whole pull again."""
    tech = live.device("tech")
    request = tech.create("requests", customer_id=customers["yamada"]["id"], kind="complaint", title="異音")
    sign_in(page, live, "tech")
    other = live.device("tech")  # the technician's other device marks the request read
    record_id = request_read_id(other.user["id"], other.id, request["id"])
    pushed = other.push(other.mutation("request_reads", record_id, request_id=request["id"], status="new"))
    assert pushed[0]["status"] == "applied", pushed
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    assert [m["id"] for m in idb_all(page, "request_reads")] == [record_id]
    idb_write(page, "request_reads", "store.clear();")  # as the version before skipped it
    go_to(page, "sync")
    page.get_by_test_id("check-now").click()
    expect(page.get_by_test_id("device-check")).to_contain_text("1件をサーバーに合わせて直しました。")
    assert [m["id"] for m in idb_all(page, "request_reads")] == [record_id]
