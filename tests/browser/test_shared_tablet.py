"""A shared tablet: the next person gets a device id of their own and none of the last
person's data; the last person's unsent work is never silently dropped."""

import re

from playwright.sync_api import expect

from .helpers import PASSWORD, go_to, idb_all, idb_get, outbox, record_visit, sign_in, wait_synced


def sign_in_as_someone_else(page, live, login):
    page.goto(live.url + "/#/login")
    page.get_by_label("ログインID").fill(login)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("ログイン")).click()


def test_the_next_person_gets_a_new_device_id_and_none_of_the_last_persons_data(page, live, customers):
    sign_in(page, live, "rep_a")
    first_id = idb_get(page, "meta", "device_id")
    first_token = idb_get(page, "meta", "token")
    assert idb_all(page, "customers")
    sign_in_as_someone_else(page, live, "rep_b")
    expect(page.get_by_label("パスワード")).to_have_count(0)
    wait_synced(page)
    assert refused(live, first_token), "the last person's sign-in still works after the hand-over"
    assert idb_get(page, "meta", "user")["id"] != live.device("rep_a").user["id"]
    assert idb_get(page, "meta", "device_id") not in (None, first_id)
    assert {c["name"] for c in idb_all(page, "customers")}.isdisjoint({"山田製作所", "有限会社三条精工"})


def test_the_last_persons_unsent_work_stops_the_switch(page, context, live, customers):
    sign_in(page, live, "rep_a")
    context.set_offline(True)
    record_visit(page, re.compile("山田製作所"), purpose="まだ送っていない訪問")
    context.route("**/api/v1/sync/**", lambda route: route.abort("connectionreset"))
    context.set_offline(False)
    sign_in_as_someone_else(page, live, "rep_b")
    expect(page.get_by_text(re.compile("未送信データが 1 件"))).to_be_visible()
    assert [e["changes"]["purpose"] for e in outbox(page)] == ["まだ送っていない訪問"]


def refused(live, token):
    """Whether the server refuses ``token`` as a sign-in that no longer exists."""
    answer = live.app.test_client().get("/api/v1/sync/pull", headers={"Authorization": f"Bearer {token}"})
    return (answer.status_code, answer.get_json().get("reason")) == (401, "token_invalid")


def sign_out(page):
    """Sign out from the sync screen, accepting the warning that the device is erased."""
    go_to(page, "sync")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_label("ログインID")).to_be_visible()


def test_signing_out_ends_the_sign_in_on_the_server_too(page, live, customers):
    """A tablet handed on after a sign-out holds no sign-in that still works anywhere: the token
    is ended on the server, not only erased on the device."""
    sign_in(page, live, "rep_a")
    token = idb_get(page, "meta", "token")
    sign_out(page)
    assert idb_get(page, "meta", "token") is None
    assert refused(live, token)


def ended_soon(page, live, token):
    """Whether the server refuses ``token`` within a few seconds (the app ends it in the
    background)."""
    for _ in range(50):
        if refused(live, token):
            return True
        page.wait_for_timeout(100)
    return False


def sign_out_offline(page, live):
    """Sign rep_a in, then sign out with no signal; the token that was signed out."""
    sign_in(page, live, "rep_a")
    token = idb_get(page, "meta", "token")
    page.context.set_offline(True)
    sign_out(page)
    assert idb_get(page, "meta", "token") is None
    assert idb_all(page, "customers") == []
    assert token not in page.evaluate("JSON.stringify(localStorage)")  # no copy that signs in
    assert not refused(live, token)  # the server has heard nothing yet
    return token


def test_signing_out_offline_erases_the_device_at_once_and_ends_the_sign_in_once_online(
    page, live, customers
):
    """No signal: the sign-out does not wait for the server, and the device is erased all the
    same. Back online, the server ends that sign-in: the tablet kept only what ends it."""
    token = sign_out_offline(page, live)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert ended_soon(page, live, token), "the sign-out made offline never reached the server"
    expect(page.get_by_label("ログインID")).to_be_visible()


def test_a_sign_out_made_offline_is_sent_when_the_next_person_signs_in(page, live, customers):
    """Back online, the first try to end the sign-in gets no answer (the hotel's Wi-Fi, say): the
    tablet keeps what ends it, and rep_b's sign-in, the next answer from the server, ends it."""
    token = sign_out_offline(page, live)
    tries = []

    def no_answer(route):
        tries.append(route.request.url)
        route.abort("connectionreset")

    page.context.route("**/api/v1/auth/tokens/**", no_answer)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => localStorage.getItem('genba.signed-out') !== null")
    for _ in range(50):
        if tries:
            break
        page.wait_for_timeout(100)
    assert tries and not refused(live, token)
    page.context.unroute("**/api/v1/auth/tokens/**")
    page.get_by_label("ログインID").fill("rep_b")  # on the sign-in screen the sign-out left
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("ログイン")).click()
    expect(page.get_by_label("パスワード")).to_have_count(0)
    assert ended_soon(page, live, token)
    page.wait_for_function("() => localStorage.getItem('genba.signed-out') === null")


def test_a_sign_out_in_one_tab_leaves_no_customer_shown_in_another(page, live, customers):
    """Two tabs open on a shared tablet: signing out in one erases the device, and the other,
    left on the customer list, shows the sign-in instead of the last person's customers."""
    sign_in(page, live, "rep_a")
    expect(page.get_by_role("link", name=re.compile("山田製作所")).first).to_be_visible()
    other = page.context.new_page()
    other.goto(live.url + "/")
    wait_synced(other)
    sign_out(other)
    expect(page.get_by_label("ログインID")).to_be_visible()
    expect(page.get_by_text("山田製作所")).to_have_count(0)
