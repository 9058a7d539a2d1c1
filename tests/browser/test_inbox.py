"""Requests heard on site never end as small talk: the office's inbox, its actions and the
answer back on the device of whoever heard it."""

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from server.core.calendar import age_of, parse_targets

from .helpers import go_to, sign_in, wait_synced

TOKYO = timezone(timedelta(hours=9))


@pytest.fixture
def office_page(browser, browser_context_args):
    context = browser.new_context(**browser_context_args)
    yield context.new_page()
    context.close()


def test_a_complaint_recorded_offline_is_triaged_answered_and_comes_back_to_the_technician(
    page, context, office_page, live, customers
):
    sign_in(page, live, "tech")
    context.set_offline(True)
    heard = (datetime.now(TOKYO) - timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    page.goto(live.url + f"/#/customers/{customers['yamada']['id']}")
    page.get_by_test_id("new-request").click()
    page.get_by_text("クレーム", exact=True).click()
    page.get_by_label("件名").fill("異音が再発")
    page.get_by_label("聞いた日時").fill(heard.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("save-request").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    context.set_offline(False)
    wait_synced(page)
    page.get_by_role(
        "link", name="顧客", exact=True
    ).click()  # off the request's page: opening it marks it seen

    sign_in(office_page, live, "office")
    go_to(office_page, "inbox")
    row = office_page.locator("[data-team=manufacturing] .inbox-item", has_text="異音が再発")
    age = age_of(heard.isoformat())
    expect(row.get_by_test_id("age")).to_have_text(f"経過 {age}営業日（目標 3営業日）")
    expect(row).to_contain_text("山田製作所")
    expect(row).to_contain_text("聞いた人: 高橋 修")
    row.get_by_role("link").click()
    office_page.get_by_test_id("triage-assignee_id").select_option(label="高橋 修（サービス・保守）")
    office_page.get_by_test_id("triage-response").fill("軸受を交換します。来週伺います。")
    office_page.get_by_test_id("triage-save").click()
    expect(office_page.get_by_test_id("request-status")).to_have_text("回答済み")
    wait_synced(office_page)
    history = office_page.get_by_test_id("history")
    expect(history).to_contain_text("伊藤 美咲 が変更しました")
    expect(history).to_contain_text("状況: 新規 → 回答済み")
    expect(history).to_contain_text("担当: （なし） → 高橋 修")

    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    go_to(page, "mine")
    item = page.get_by_test_id("my-requests").locator(".mine-item", has_text="異音が再発")
    expect(item.get_by_test_id("unread")).to_have_text("● 未読")
    expect(item.get_by_test_id("mine-answer")).to_have_text("回答: 軸受を交換します。来週伺います。")
    item.get_by_role("link").click()
    expect(page.get_by_test_id("request-response")).to_have_text("軸受を交換します。来週伺います。")
    page.get_by_role("link", name="山田製作所").click()
    expect(page.get_by_test_id("timeline").get_by_test_id("answer")).to_have_text(
        "回答: 軸受を交換します。来週伺います。"
    )
    go_to(page, "mine")
    expect(page.get_by_test_id("my-requests").locator(".mine-item", has_text="異音が再発")).to_have_attribute(
        "data-unread", "false"
    )


def test_overdue_requests_are_listed_first_and_marked_in_words(page, live, customers):
    tech = live.device("tech")
    now = datetime.now(TOKYO).isoformat()
    for title, heard, urgency in [
        ("新しい異音", now, "normal"),
        ("寸法不良（古い）", "2026-01-06T09:00:00+09:00", "low"),
        ("破損の件", now, "high"),
    ]:
        tech.create(
            "requests",
            customer_id=customers["sanjo"]["id"],
            kind="complaint",
            title=title,
            heard_at=heard,
            urgency=urgency,
        )
    sign_in(page, live, "office")
    page.goto(live.url + "/#/inbox?team=manufacturing")
    items = page.locator("[data-team=manufacturing] .inbox-item")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("寸法不良（古い）")
    expect(items.first.get_by_test_id("overdue")).to_have_text("⚠ 期限超過")
    expect(items.nth(1).get_by_test_id("overdue")).to_have_count(0)
    expect(page.get_by_test_id("inbox-summary")).to_have_text("3件（うち期限超過 1件）")
    expect(page.locator("#team-manufacturing")).to_have_text("製造（3）")  # full-width, as the words
    page.get_by_test_id("filter-age").select_option("overdue")
    expect(items).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff受付番号,") and "寸法不良（古い）" in text and "新しい異音" not in text
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    # Named by the company's day: at 08:00 on a Monday in Tokyo the file is Monday's, not Sunday's.
    assert download.value.suggested_filename == f"requests-{datetime.now(TOKYO):%Y-%m-%d}.xlsx"
    with open(download.value.path(), "rb") as workbook:
        sheet = openpyxl.load_workbook(workbook)["依頼一覧"]
    assert [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["寸法不良（古い）"]
    expect(page.get_by_test_id("export-status")).to_have_text("Excelファイルを書き出しました。")


def test_a_long_inbox_draws_fifty_a_team_and_the_rest_on_asking(page, live, customers):
    tech = live.device("tech")
    tech.push(
        *[
            tech.mutation(
                "requests",
                customer_id=customers["sanjo"]["id"],
                kind="complaint",
                title=f"寸法不良{n:02d}",
                heard_at=f"2026-11-{1 + n % 28:02d}T09:00:00+09:00",
            )
            for n in range(60)
        ]
    )
    sign_in(page, live, "office")
    page.goto(live.url + "/#/inbox?status=all")
    items = page.locator("[data-team=manufacturing] .inbox-item")
    expect(items).to_have_count(50)
    expect(page.locator("#team-manufacturing")).to_have_text("製造（60）")  # the heading counts them all
    more = page.get_by_test_id("inbox-more-manufacturing")
    expect(more).to_have_text("さらに表示（残り10件）")
    more.click()
    expect(items).to_have_count(60)
    expect(items.nth(50).locator("a")).to_be_focused()
    expect(more).to_be_hidden()


def test_a_rep_has_no_inbox_and_the_rules_api_refuses_them(page, live, customers):
    sign_in(page, live, "rep_a")
    expect(page.get_by_test_id("nav-mine")).to_have_count(1)
    expect(page.get_by_test_id("nav-inbox")).to_have_count(0)
    expect(page.get_by_test_id("nav-rules")).to_have_count(0)
    page.goto(live.url + "/#/inbox")
    expect(page.get_by_test_id("inbox-forbidden")).to_be_visible()
    answer = page.evaluate("""async () => {
        const open = await new Promise((resolve) => { const r = indexedDB.open("genba"); r.onsuccess = () => resolve(r.result); });
        const token = await new Promise((resolve) => { const r = open.transaction("meta").objectStore("meta").get("token"); r.onsuccess = () => resolve(r.result); });
        const response = await fetch("/api/v1/routing/rules", { headers: { Authorization: `Bearer ${token}` } });
        return [response.status, await response.json()];
    }""")
    assert answer[0] == 403 and answer[1]["code"] == 403 and answer[1]["reason"] == "forbidden"


def test_office_edits_routing_rules_online_and_is_told_offline(page, context, live):
    sign_in(page, live, "office")
    go_to(page, "rules")
    expect(page.get_by_test_id("rules").locator("li").first).to_contain_text("1.")
    page.get_by_test_id("rule-name").fill("塗装の苦情")
    page.get_by_test_id("rule-keywords").fill("塗装、色むら")
    page.get_by_test_id("rule-route").select_option("manufacturing")
    page.get_by_test_id("rule-save").click()
    last = page.get_by_test_id("rules").locator("li").last
    expect(last).to_contain_text("塗装の苦情")
    expect(last.get_by_test_id("rule-row-route")).to_have_text("振り分け先: 製造")
    expect(page.get_by_test_id("rules")).not_to_contain_text("→ 製造 → 製造")  # seeded names say it already
    last.get_by_role("button", name=re.compile("上へ")).click()
    expect(page.get_by_test_id("rules").locator("li").nth(-2)).to_contain_text("塗装の苦情")
    page.get_by_test_id("trial-text").fill("ﾄｿｳの色むら")
    page.get_by_test_id("trial-run").click()
    expect(page.get_by_test_id("trial-result")).to_contain_text("ルール: 塗装の苦情")
    context.set_offline(True)
    page.get_by_test_id("rule-name").fill("オフラインのルール")
    page.get_by_test_id("rule-save").click()
    expect(page.get_by_test_id("rules-message")).to_contain_text("オンラインで編集できます")


@pytest.mark.server_config(RESPONSE_TARGET_DAYS=parse_targets("manufacturing.low=500"))
def test_the_device_counts_overdue_against_each_teams_target(page, live, customers):
    tech = live.device("tech")
    for title, kind in [("寸法不良（古い）", "complaint"), ("見積の件（古い）", "request")]:
        tech.create(
            "requests",
            customer_id=customers["sanjo"]["id"],
            kind=kind,
            title=title,
            heard_at="2026-01-06T09:00:00+09:00",
            urgency="low",
        )
    sign_in(page, live, "office")
    page.goto(live.url + "/#/inbox")
    manufacturing = page.locator("[data-team=manufacturing] .inbox-item")
    sales = page.locator("[data-team=sales] .inbox-item")
    expect(manufacturing).to_have_count(1)
    expect(manufacturing.get_by_test_id("overdue")).to_have_count(0)
    expect(manufacturing.get_by_test_id("age")).to_contain_text("500")
    expect(sales.get_by_test_id("overdue")).to_have_text("⚠ 期限超過")


def test_the_inbox_reads_in_english_with_the_same_ages(page, live, customers):
    tech = live.device("tech")
    tech.create(
        "requests",
        customer_id=customers["sanjo"]["id"],
        kind="complaint",
        title="異音が再発",
        heard_at="2026-01-06T09:00:00+09:00",
        urgency="normal",
    )
    sign_in(page, live, "office")
    page.evaluate("localStorage.setItem('genba.lang', 'en')")
    page.goto(live.url + "/#/inbox?team=manufacturing")
    page.reload()
    expect(page.locator("h1")).to_have_text("Request inbox")
    expect(page.locator("#team-manufacturing")).to_have_text("Manufacturing (1)")
    item = page.locator("[data-team=manufacturing] .inbox-item")
    expect(item.get_by_test_id("overdue")).to_have_text("⚠ Overdue")
    age = age_of("2026-01-06T09:00:00+09:00")
    expect(item.get_by_test_id("age")).to_have_text(f"{age} business days old (target 3)")
    expect(page.get_by_test_id("inbox-summary")).to_have_text("Requests: 1 (1 overdue)")


def test_a_manager_is_told_who_edits_the_routing_rules_in_the_roles_own_words(page, live):
    sign_in(page, live, "manager")  # 管理者: the role that reads the rules and may not edit them
    page.goto(live.url + "/#/rules")
    expect(page.locator("#view")).to_contain_text("振り分けルールは事務とシステム管理者が編集できます。")
    expect(page.get_by_test_id("rule-save")).to_have_count(0)


def test_the_assignee_finds_the_requests_assigned_to_them_and_answers_one(page, live, customers):
    """A complaint rep_a heard, assigned by the office to the technician: it waits in the
    technician's 自分の依頼 under 「担当している依頼」, with 「担当 1」 in the menu, until answered."""
    rep, office = live.device("rep_a"), live.device("office")
    request = rep.create(
        "requests", customer_id=customers["yamada"]["id"], kind="complaint", title="塗装のはがれ"
    )
    tech_id = live.device("tech").user["id"]
    triaged = office.update("requests", request, assignee_id=tech_id, route_to="service", status="triaged")
    assert triaged["status"] == "applied", triaged
    sign_in(page, live, "tech")
    expect(page.get_by_test_id("nav-mine-unread")).to_have_text("担当 1")
    go_to(page, "mine")
    assigned = page.get_by_test_id("assigned")
    expect(assigned.get_by_role("heading")).to_have_text("担当している依頼（1件・回答待ち 1件）")
    item = assigned.locator(".mine-item", has_text="塗装のはがれ")
    expect(item).to_contain_text("山田製作所")
    expect(item.get_by_test_id("assigned-status")).to_have_text("振り分け済み")
    item.get_by_role("link").click()
    page.get_by_test_id("triage-response").fill("来週、再塗装に伺います。")
    page.get_by_test_id("triage-save").click()
    expect(page.get_by_test_id("request-status")).to_have_text("回答済み")
    wait_synced(page)
    assert live.device("office").records("requests")[request["id"]]["response"] == "来週、再塗装に伺います。"
    go_to(page, "mine")
    expect(page.get_by_test_id("assigned-status")).to_have_text("回答済み")  # listed until closed
    expect(assigned.get_by_role("heading")).to_have_text("担当している依頼（1件・回答待ち 0件）")
    expect(page.get_by_test_id("nav-mine-unread")).to_be_hidden()  # but no longer the technician's turn


def test_the_assigned_requests_waiting_for_an_answer_come_before_those_answered(page, live, customers):
    """The menu's 「担当 1」 points at the one request waiting for the technician's answer: it
    heads the list, before older ones answered and not closed yet."""
    rep, office = live.device("rep_a"), live.device("office")
    tech_id = live.device("tech").user["id"]
    for title, heard, status in [
        ("古い回答済み", "2026-01-05", "answered"),
        ("新しい未回答", "2026-01-09", "triaged"),
    ]:
        request = rep.create(
            "requests",
            customer_id=customers["yamada"]["id"],
            kind="question",
            title=title,
            heard_at=f"{heard}T09:00:00+09:00",
        )
        answer = {"response": "回答しました。"} if status == "answered" else {}
        assert (
            office.update("requests", request, assignee_id=tech_id, status=status, **answer)["status"]
            == "applied"
        )
    sign_in(page, live, "tech")
    go_to(page, "mine")
    items = page.get_by_test_id("assigned-requests").locator(".mine-item")
    expect(items).to_have_count(2)
    # The heading tells the two apart as the menu's count does.
    expect(page.get_by_test_id("assigned-heading")).to_have_text("担当している依頼（2件・回答待ち 1件）")
    expect(items.first).to_contain_text("新しい未回答")
    expect(items.first.get_by_test_id("assigned-status")).to_have_text("振り分け済み")


def test_on_a_phone_the_tab_counts_unread_and_assigned_as_one_number(
    browser, browser_context_args, live, customers
):
    """「未読 1・担当 1」 does not fit a fifth of a phone: the tab shows 2 on one line, and the
    wider screen the words."""
    tech, office = live.device("tech"), live.device("office")
    heard = tech.create("requests", customer_id=customers["yamada"]["id"], kind="question", title="納期")
    assigned = tech.create("requests", customer_id=customers["sanjo"]["id"], kind="complaint", title="異音")
    office.update("requests", assigned, assignee_id=tech.user["id"], status="triaged")
    for width, shown in [(390, "2"), (1280, "未読 1・担当 1")]:
        context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 844}})
        page = context.new_page()
        sign_in(page, live, "tech")
        office.update(
            "requests", office.records("requests")[heard["id"]], status="answered", response=f"{width}"
        )
        page.get_by_test_id("sync-now").click()
        wait_synced(page)
        badge = page.get_by_test_id("tab-mine").get_by_test_id("nav-mine-unread")
        expect(badge).to_have_js_property("innerText", shown)
        tab, box = page.get_by_test_id("tab-mine").bounding_box(), badge.bounding_box()
        assert tab["x"] <= box["x"] and box["x"] + box["width"] <= tab["x"] + tab["width"]
        # On the phone, one line inside its tab: wrapped, it covered the tab's label.
        assert width > 390 or box["height"] < 24, box
        context.close()


REMOVE_FIRST_RULE_ELSEWHERE = """async () => {
    const open = await new Promise((resolve) => { const r = indexedDB.open("genba"); r.onsuccess = () => resolve(r.result); });
    const token = await new Promise((resolve) => { const r = open.transaction("meta").objectStore("meta").get("token"); r.onsuccess = () => resolve(r.result); });
    const headers = { Authorization: `Bearer ${token}` };
    const { rules } = await (await fetch("/api/v1/routing/rules", { headers })).json();
    await fetch(`/api/v1/routing/rules/${rules[0].id}`, { method: "DELETE", headers });
}"""


@pytest.fixture
def english_browser_page(browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "locale": "en-US"})
    yield context.new_page()
    context.close()


def test_the_servers_refusal_comes_in_the_apps_language_not_the_browsers(english_browser_page, live):
    """A Japanese app in an English browser: the server's sentence (a rule deleted meanwhile on
    another screen) is shown in Japanese, as the rest of the screen is."""
    page = english_browser_page
    sign_in(page, live, "office")
    go_to(page, "rules")
    first = page.get_by_test_id("rules").locator("li").first
    expect(first).to_contain_text("1.")
    page.evaluate(REMOVE_FIRST_RULE_ELSEWHERE)
    page.once("dialog", lambda dialog: dialog.accept())
    first.get_by_role("button", name=re.compile("削除")).click()
    expect(page.get_by_test_id("rules-message")).to_have_text("このIDの振り分けルールはありません。")
