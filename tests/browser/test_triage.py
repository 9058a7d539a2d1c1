"""The office's triage in the hand: whom to assign (with team and role, manufacturing too), a
confirmation that says what was done, one editor per field, and unread counts that start at
sign-in."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from server.core.db import db, writing_session
from server.core.users import create_user

from .helpers import sign_in, sync_in_background, wait_synced

SIZES = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1280, "height": 800}}


@pytest.fixture
def maker(live):
    """森 拓也 of the manufacturing team, who fixes what the complaints are about; his id."""
    with live.app.app_context():
        session = writing_session()
        user = create_user(session, "maker", PASSWORD, "technician", "manufacturing", "森 拓也")
        session.commit()
        user_id = user.id
        db.session.remove()
    return user_id


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "viewport": SIZES[request.param]})
    yield context.new_page()
    context.close()


def test_the_office_assigns_by_name_team_and_role_and_sees_the_route_confirmed(
    sized_page, live, customers, maker
):
    page = sized_page
    complaint = live.device("tech").create(
        "requests", customer_id=customers["yamada"]["id"], kind="complaint", title="寸法不良が3個"
    )
    sign_in(page, live, "office")
    page.goto(live.url + f"/#/requests/{complaint['id']}")
    assignees = page.get_by_test_id("triage-assignee_id").locator("option")
    # The request's own team (製造) first, each person with team and role.
    expect(assignees.nth(1)).to_have_text("森 拓也（製造・保守）")
    expect(assignees.filter(has_text="高橋 修")).to_have_text("高橋 修（サービス・保守）")
    expect(assignees.filter(has_text="伊藤 美咲")).to_have_text(
        "伊藤 美咲（事務）"
    )  # team and role alike: once

    expect(page.get_by_test_id("nav-inbox-new")).to_have_text("新規 1")  # the menu counts what awaits triage
    page.get_by_test_id("confirm-route").click()
    saved = page.get_by_test_id("triage-saved")
    # Said as the sync goes: sent once the server has it, not 「次の同期で送られます」 after that.
    expect(saved).to_have_text("振り分けを「製造」で確定しました。送信済みです。")
    expect(saved).to_have_attribute("aria-live", "polite")
    expect(page.get_by_test_id("request-status")).to_have_text("振り分け済み")
    expect(saved).to_be_in_viewport()
    expect(page.get_by_test_id("nav-inbox-new")).to_be_hidden()
    wait_synced(page)
    page.get_by_test_id("triage-assignee_id").select_option(label="森 拓也（製造・保守）")
    live.device("rep_a").create("customers", name="新規の顧客")  # a pull of other records meanwhile
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    expect(page.get_by_test_id("triage-assignee_id")).to_have_value(maker)
    page.get_by_test_id("triage-assignee_id").select_option(label="森 拓也（製造・保守）")
    page.get_by_test_id("triage-save").click()
    expect(saved).to_have_text("保存しました。送信済みです。")
    wait_synced(page)
    assert live.device("office").records("requests")[complaint["id"]]["assignee_id"]


def test_triage_fields_have_one_editor_the_triage_panel(page, live, customers):
    request = live.device("tech").create(
        "requests", customer_id=customers["yamada"]["id"], kind="request", title="治具の追加"
    )
    sign_in(page, live, "office")
    page.goto(live.url + f"/#/requests/{request['id']}")
    expect(page.get_by_test_id("triage-form")).to_be_visible()
    page.get_by_test_id("edit-request").click()
    form = page.locator("form.request-form")
    expect(form.get_by_label("件名")).to_have_value("治具の追加")
    expect(form.get_by_test_id("request-kind")).to_have_text("種別: 依頼")  # set once, when it was made
    for triage_field in ["状況", "振り分け先", "回答", "担当"]:
        expect(form.get_by_text(triage_field, exact=True)).to_have_count(0)


def test_the_assignee_answers_in_the_triage_panel_without_routing(page, live, customers):
    (tech_id,) = live.sql("SELECT id FROM users WHERE login = 'tech'")[0]
    request = live.device("rep_a").create(
        "requests", customer_id=customers["yamada"]["id"], kind="question", title="操作方法"
    )
    live.device("office").update("requests", request, assignee_id=tech_id, status="triaged")
    sign_in(page, live, "tech")
    page.goto(live.url + f"/#/requests/{request['id']}")
    expect(page.get_by_test_id("triage-status")).to_be_visible()
    expect(page.get_by_test_id("triage-route_to")).to_have_count(0)
    expect(page.get_by_test_id("triage-assignee_id")).to_have_count(0)
    page.get_by_test_id("triage-response").fill("画面右上の設定から戻せます。")
    page.get_by_test_id("triage-save").click()
    expect(page.get_by_test_id("request-status")).to_have_text("回答済み")
    wait_synced(page)
    assert (
        live.device("office").records("requests")[request["id"]]["response"] == "画面右上の設定から戻せます。"
    )


def test_requests_answered_before_sign_in_are_not_unread_and_the_menu_counts_new_answers(
    page, live, customers
):
    tech, office = live.device("tech"), live.device("office")
    yamada = customers["yamada"]["id"]
    old = tech.create("requests", customer_id=yamada, kind="complaint", title="前からの異音")
    office.update("requests", old, status="answered", response="交換済みです。")
    fresh = tech.create("requests", customer_id=yamada, kind="request", title="カバーの追加")
    sign_in(page, live, "tech")
    page.goto(live.url + "/#/my-requests")
    expect(page.locator(".mine-item")).to_have_count(2)
    expect(page.get_by_test_id("unread")).to_have_count(0)
    expect(page.get_by_test_id("nav-mine-unread")).to_be_hidden()

    office.update("requests", fresh, status="answered", response="来週お持ちします。")
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    expect(page.locator(".mine-item", has_text="カバーの追加").get_by_test_id("unread")).to_be_visible()
    expect(page.get_by_test_id("nav-mine-unread")).to_have_text("未読 1")
    expect(page.get_by_test_id("tab-mine")).to_contain_text("未読 1")  # a technician's tab
    page.locator(".mine-item", has_text="カバーの追加").get_by_role("link").click()
    expect(page.get_by_test_id("nav-mine-unread")).to_be_hidden()


def test_an_answer_being_written_survives_a_sync_that_changes_the_request(page, live, customers):
    """The office is writing the answer when a sync brings the technician's new details of the
    same request: the answer written so far stays (in the box, with the focus, and after the
    focus left it), and saving it keeps both."""
    tech = live.device("tech")
    request = tech.create("requests", customer_id=customers["yamada"]["id"], kind="complaint", title="異音")
    sign_in(page, live, "office")
    page.goto(live.url + f"/#/requests/{request['id']}")
    response = page.get_by_test_id("triage-response")
    response.click()
    page.keyboard.type("軸受を交換します。")
    request = tech.update("requests", request, details="停止時にも鳴る")["record"]
    sync_in_background(page)
    expect(page.get_by_test_id("request-facts")).to_contain_text("停止時にも鳴る")
    expect(response).to_have_value("軸受を交換します。")
    expect(response).to_be_focused()

    page.get_by_test_id("request-heading").click()  # the focus leaves the answer
    request = tech.update("requests", request, urgency="high")["record"]
    sync_in_background(page)
    expect(page.get_by_test_id("request-facts")).to_contain_text("緊急度高")
    expect(response).to_have_value("軸受を交換します。")
    page.get_by_test_id("triage-save").click()
    expect(page.get_by_test_id("request-response")).to_have_text("軸受を交換します。")
    expect(page.get_by_test_id("request-facts")).to_contain_text("停止時にも鳴る")
