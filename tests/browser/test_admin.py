"""The admin's screens: people added, moved, deactivated; devices revoked; the audit trail.
Only an admin sees them, and they say so when there is no network."""

import hashlib
import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from server.core.db import db
from server.core.models import User

from .helpers import PASSWORD, go_to, idb_get, sign_in, wait_synced

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def admin(page, live):
    """The admin signed in, on the users screen."""
    sign_in(page, live, "admin")
    go_to(page, "admin")
    expect(page.get_by_test_id("admin-users")).to_contain_text("佐藤 健太")
    return page


def another_browser(browser, viewport=None):
    context = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport=viewport or {"width": 1280, "height": 800}
    )
    return context.new_page()


def open_user(page, name):
    page.get_by_test_id("admin-users").get_by_role("link", name=re.compile(f"^{name} ")).click()
    expect(page.get_by_test_id("admin-user-name")).to_have_text(name)


def stored_team(live, login):
    with live.app.app_context():
        team = db.session.execute(select(User.team).where(User.login == login)).scalar_one()
        db.session.remove()
    return team


def test_the_admin_adds_a_user_who_can_then_sign_in(admin, live, browser):
    form = admin.get_by_test_id("new-user")
    form.get_by_label("氏名").fill("木村 拓也")
    form.get_by_label("ログインID").fill("kimura")
    form.get_by_label("役割").select_option(label="保守")
    form.get_by_label("チーム").fill("サービス")  # a named team, typed by its name
    form.get_by_label("パスワード").fill("short")
    form.get_by_test_id("add-user").click()
    expect(form.locator(".field-error").filter(has_text="8文字以上")).to_be_visible()
    form.get_by_label("パスワード").fill("kimura-pass-1")
    form.get_by_test_id("add-user").click()
    expect(admin.get_by_test_id("admin-message")).to_contain_text(
        "木村 拓也 さん（ログインID: kimura）を追加しました"
    )
    row = admin.locator("[data-login=kimura]")
    expect(row).to_contain_text("保守 · サービス")  # a team the routes name, by its label
    assert stored_team(live, "kimura") == "service"  # stored by its code: requests routed there reach them
    expect(row.get_by_test_id("device-count")).to_have_text("使用中の端末 0 台")

    kimura = another_browser(browser, PHONE)
    sign_in(kimura, live, "kimura", "kimura-pass-1")
    expect(kimura.get_by_test_id("nav-admin")).to_have_count(0)
    admin.reload()
    expect(admin.locator("[data-login=kimura]").get_by_test_id("device-count")).to_have_text(
        "使用中の端末 1 台"
    )


def test_a_login_that_is_taken_is_said_next_to_the_field(admin):
    form = admin.get_by_test_id("new-user")
    form.get_by_label("氏名").fill("佐藤 次郎")
    form.get_by_label("ログインID").fill("rep_a")
    form.get_by_label("パスワード").fill("long-enough-1")
    form.get_by_test_id("add-user").click()
    expect(form.locator("[data-field=login] .field-error")).to_have_text(
        "このログインIDは使われています。別のIDにしてください。"
    )


def test_the_admin_moves_a_rep_to_another_team_and_their_device_gets_its_customers(admin, live, customers):
    west = live.device("rep_b").create("customers", name="西日本精工")
    rep = live.device("rep_a")
    assert west["id"] not in rep.records("customers")
    open_user(admin, "佐藤 健太")
    # a team the screens name is offered and shown by that name, the others as they were typed
    teams = admin.locator("#admin-teams option")
    expect(teams.and_(admin.locator("[value=事務]"))).to_have_count(1)
    expect(teams.and_(admin.locator("[value=office]"))).to_have_count(0)
    expect(teams.and_(admin.locator("[value=west]"))).to_have_count(1)
    admin.get_by_test_id("change-user").get_by_label("チーム").fill("west")
    admin.get_by_test_id("save-user").click()
    expect(admin.get_by_test_id("admin-message")).to_have_text("変更を保存しました。")
    expect(admin.get_by_test_id("admin-user-facts")).to_contain_text("営業 · west")
    assert west["id"] in rep.records("customers")


def test_deactivating_a_user_wipes_their_device_and_refuses_their_sign_in(admin, live, browser, customers):
    rep = another_browser(browser)
    sign_in(rep, live, "rep_a")
    open_user(admin, "佐藤 健太")
    admin.get_by_test_id("deactivate").click()
    expect(admin.get_by_role("alert")).to_contain_text("佐藤 健太 さんを無効にしますか？")
    admin.get_by_test_id("deactivate-confirm").click()
    expect(admin.get_by_test_id("admin-user-facts")).to_contain_text("✕ 無効")
    devices = admin.get_by_test_id("admin-devices")
    expect(devices.get_by_test_id("device-revoked")).to_have_count(2)  # the browser's and the fixture's
    expect(devices).not_to_contain_text("使用中")

    rep.get_by_test_id("sync-now").click()
    expect(rep.get_by_test_id("wiped")).to_be_visible()
    rep.get_by_label("ログインID").fill("rep_a")
    rep.get_by_label("パスワード").fill(PASSWORD)
    rep.get_by_role("button", name="ログイン").click()
    expect(rep.get_by_text("ログインIDまたはパスワードが違います")).to_be_visible()


def test_the_admin_revokes_a_device_after_confirming_and_the_audit_shows_it(admin, live):
    rep = live.device("rep_a")
    failed = live.app.test_client().post(
        "/api/v1/auth/token",
        json={"login": "rep_b", "password": "wrong", "device": {"id": str(uuid.uuid4()), "name": "x"}},
    )
    assert failed.status_code == 401
    admin.reload()
    open_user(admin, "佐藤 健太")
    devices = admin.get_by_test_id("admin-devices")
    expect(devices).to_contain_text("初回 20")
    mark = f"末尾 {rep.id[-4:].upper()}"  # as the rep's sync page names the device: 「この端末（末尾 …）」
    expect(devices.get_by_test_id("device-mark")).to_have_text(mark)
    admin.get_by_test_id("revoke-device").click()
    admin.get_by_test_id("revoke-device-keep").click()
    expect(devices.get_by_test_id("device-revoked")).to_have_count(0)
    admin.get_by_test_id("revoke-device").click()
    admin.get_by_test_id("revoke-device-confirm").click()
    expect(devices.get_by_test_id("device-revoked")).to_have_text("✕ 取り消し済み")
    assert rep.pull().get_json()["reason"] == "token_revoked"

    admin.get_by_test_id("admin-tab-audit").click()
    events = admin.get_by_test_id("audit-events")
    expect(events.locator("li").first).to_contain_text("端末の取り消し")
    expect(events.locator("li").first).to_contain_text("操作した人: 管理者")
    expect(events.locator("li").first).to_contain_text("対象: 佐藤 健太")
    expect(events.locator("li").first).to_contain_text(f"端末: {mark}")
    expect(events.locator("[data-action=sign_in]", has_text="佐藤 健太")).to_have_count(1)
    admin.get_by_label("記録の種類").select_option(label="ログイン失敗")
    expect(events.locator("li")).to_have_count(1)
    expect(events).to_contain_text("入力されたID「rep_b」")
    expect(events).not_to_contain_text("端末の取り消し")


def test_a_rep_sees_no_admin_menu_and_the_admin_api_refuses_them(page, live):
    sign_in(page, live, "rep_a")
    expect(page.get_by_test_id("nav-sync")).to_have_count(1)  # the menu is drawn
    expect(page.get_by_test_id("nav-admin")).to_have_count(0)
    page.goto(live.url + "/#/admin/users")
    expect(page.get_by_test_id("admin-forbidden")).to_have_text("この画面はシステム管理者だけが使えます。")
    answer = page.evaluate(
        """async (token) => {
        const response = await fetch("/api/v1/admin/users", { headers: { Authorization: `Bearer ${token}` } });
        return { status: response.status, body: await response.json() };
    }""",
        idb_get(page, "meta", "token"),
    )
    assert answer["status"] == 403
    assert answer["body"]["code"] == 403 and answer["body"]["message"]


def test_the_admin_screens_say_they_need_the_network_and_come_back_with_it(admin, context):
    context.set_offline(True)
    admin.get_by_test_id("admin-tab-audit").click()
    expect(admin.get_by_test_id("admin-offline")).to_contain_text("オフラインでは使えません")
    context.set_offline(False)
    expect(admin.get_by_test_id("audit-events")).to_contain_text("ログイン")
    wait_synced(admin)


def test_the_admin_cannot_deactivate_themself_from_the_app(admin):
    open_user(admin, "管理者")
    expect(admin.get_by_test_id("user-self")).to_have_text(
        "自分自身は無効にできません。別のシステム管理者に頼んでください。"
    )
    expect(admin.get_by_test_id("deactivate")).to_have_count(0)


def test_the_audit_says_which_sign_out_was_made_offline_and_sent_later(admin, live):
    offline, online = live.device("rep_a"), live.device("rep_a")
    client = live.app.test_client()
    digest = hashlib.sha256(offline.token.encode()).hexdigest()
    assert client.delete(f"/api/v1/auth/tokens/{digest}").status_code == 204
    assert client.delete("/api/v1/auth/token", headers=online.headers).status_code == 204
    admin.reload()
    admin.get_by_test_id("admin-tab-audit").click()
    admin.get_by_label("記録の種類").select_option(label="ログアウト")
    events = admin.get_by_test_id("audit-events").locator("li")
    expect(events).to_have_count(2)
    expect(events.filter(has_text="オフラインでログアウト（接続後に送信）")).to_have_count(1)
    expect(events.filter(has_text=f"端末: 末尾 {offline.id[-4:].upper()}")).to_contain_text(
        "オフラインでログアウト"
    )
