"""User text is only ever text; a revoked device is wiped; an expired sign-in loses nothing."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from .helpers import PASSWORD, idb_all, idb_get, outbox, record_visit, sign_in, wait_synced

MARKUP = "<img src=x onerror=alert(1)>"


def test_markup_in_user_text_is_shown_as_text_and_never_runs(page, live, customers):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    live.device("rep_a").create("customers", name=f"{MARKUP}工業", notes=MARKUP)
    sign_in(page, live)
    page.get_by_label("顧客を検索").fill("img")
    page.get_by_role("link", name=re.compile("工業")).click()
    expect(page.get_by_test_id("customer-name")).to_have_text(f"{MARKUP}工業")
    record_visit(page, re.compile("山田製作所"), notes=f"メモ: {MARKUP}")
    expect(page.get_by_test_id("visit-facts")).to_contain_text(f"メモ: {MARKUP}")
    page.get_by_role("link", name="山田製作所").click()
    expect(page.get_by_test_id("timeline")).to_contain_text(f"メモ: {MARKUP}")
    wait_synced(page)
    assert page.locator("#view img").count() == 0
    assert dialogs == []


def test_a_revoked_device_is_wiped_on_its_next_sync_and_says_what_work_went_with_it(
    page, context, live, customers
):
    sign_in(page, live)
    device_id = idb_get(page, "meta", "device_id")
    assert idb_all(page, "customers")
    context.set_offline(True)
    record_visit(page, re.compile("山田製作所"), purpose="消える訪問1")
    record_visit(page, re.compile("山田製作所"), purpose="消える訪問2")
    assert live.device("admin").revoke(device_id).status_code == 200
    context.set_offline(False)
    expect(page.get_by_test_id("wiped")).to_contain_text("送信前の変更 2件")
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()
    for store in ("customers", "contacts", "visits", "users", "outbox"):
        assert idb_all(page, store) == [], store
    assert idb_get(page, "meta", "token") is None
    assert idb_get(page, "meta", "device_id") not in (None, device_id)


def test_an_expired_sign_in_keeps_the_outbox_and_sends_it_after_the_password(page, context, live, customers):
    sign_in(page, live)
    context.set_offline(True)
    record_visit(page, re.compile("山田製作所"), purpose="期限切れの後に届く訪問")
    long_ago = (datetime.now(UTC) - timedelta(days=365)).replace(tzinfo=None)
    live.sql("UPDATE tokens SET last_used_at = ?", long_ago.isoformat(" "))
    context.set_offline(False)
    expect(page.get_by_test_id("auth-needed")).to_be_visible()
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    assert [e["changes"]["purpose"] for e in outbox(page)] == ["期限切れの後に届く訪問"]

    page.get_by_test_id("auth-needed").get_by_role("link").click()
    expect(page.get_by_label("ログインID")).to_have_value("rep_a")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログインして送信").click()
    wait_synced(page)
    visits = [
        v
        for v in live.device("office").records("visits").values()
        if v["purpose"] == "期限切れの後に届く訪問"
    ]
    assert len(visits) == 1
    expect(page.get_by_test_id("auth-needed")).to_have_count(0)
