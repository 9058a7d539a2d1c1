"""Deals in the app: the ball and its days, visits that move a deal offline while the manager
edits it online, the 要フォロー list counted in Tokyo calendar days, competitors with their
prices, and the manager's board in Japanese and English."""

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from .helpers import NOT_TEXT, go_to, sign_in, wait_synced
from .test_sync_errors import SAVE_IN_THE_APP

DAY_MS = 24 * 3600 * 1000


@pytest.fixture
def deals(live, customers):
    """A deal of 山田製作所 whose quote went out 10 days ago, and one waiting on us for 5 days."""
    rep = live.device("rep_a")
    rep.clock_offset_ms = -12 * DAY_MS
    jig = rep.create(
        "deals",
        customer_id=customers["yamada"]["id"],
        title="治具プレート年間契約",
        stage="proposal_quote",
        amount=1200000,
        expected_close="2026-12-20",
    )
    rep.clock_offset_ms = -10 * DAY_MS
    jig = rep.update("deals", jig, ball="customer")["record"]
    rep.clock_offset_ms = -5 * DAY_MS
    frame = rep.create(
        "deals",
        customer_id=customers["hokushin"]["id"],
        title="SUSフレーム製作",
        stage="needs_hearing",
        amount=800000,
    )
    rep.clock_offset_ms = 0
    return {"jig": jig, "frame": frame, "rep": rep}


def open_deal(page, live, title):
    page.goto(live.url + "/#/deals")
    page.get_by_role("link", name=re.compile(title)).first.click()
    expect(page.get_by_test_id("deal-title")).to_have_text(title)


def test_offline_visit_moves_the_deal_while_the_manager_edits_its_expected_close(page, live, deals, browser):
    sign_in(page, live, "rep_a")
    page.context.set_offline(True)
    page.goto(live.url + f"/#/customers/{deals['jig']['customer_id']}")
    page.get_by_test_id("new-visit").click()
    page.get_by_test_id("visit-deal").select_option(label="治具プレート年間契約（提案・見積提示）")
    expect(page.get_by_test_id("visit-deal-badge")).to_have_text("見積提出後 10日 · ボールは顧客")
    page.get_by_test_id("visit-deal-stage").select_option("quote_revision")
    page.get_by_text("ボールは当社", exact=True).click()
    page.get_by_label("目的").fill("見積の修正依頼")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-deal-link")).to_have_text("治具プレート年間契約")

    manager = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 800}
    )
    manager_page = manager.new_page()
    sign_in(manager_page, live, "manager")
    open_deal(manager_page, live, "治具プレート年間契約")
    manager_page.get_by_test_id("deal-close-input").fill("2027-01-15")
    manager_page.get_by_test_id("deal-save").click()
    wait_synced(manager_page)

    page.context.set_offline(False)
    wait_synced(page)
    deal = deals["rep"].records("deals")[deals["jig"]["id"]]
    assert (deal["stage"], deal["ball"], deal["expected_close"]) == ("quote_revision", "ours", "2027-01-15")
    visit = next(v for v in deals["rep"].records("visits").values() if v.get("purpose") == "見積の修正依頼")
    assert visit["deal_id"] == deal["id"]

    open_deal(page, live, "治具プレート年間契約")
    expect(page.get_by_test_id("deal-badge")).to_have_text(re.compile(r"見積修正依頼後 0日 · ボールは当社"))
    expect(page.locator(".stage-path [aria-current=step]")).to_have_text("● 見積修正")
    expect(page.get_by_test_id("deal-expected-close")).to_contain_text("2027")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("段階: 提案・見積提示 → 見積修正")
    expect(history).to_contain_text("ボール: 顧客 → 当社")
    expect(history).to_contain_text("受注予定日")
    expect(history).to_contain_text("渡辺 誠")
    expect(page.locator("body")).not_to_contain_text(NOT_TEXT)
    manager.close()


def test_the_board_shows_days_with_the_ball_in_japanese_and_english(page, live, deals):
    sign_in(page, live, "manager")
    go_to(page, "board")
    rows = page.get_by_test_id("board").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("治具プレート年間契約")
    expect(rows.nth(0).get_by_test_id("ball-days")).to_have_text("10日")
    expect(rows.nth(0)).to_contain_text("見積提出後 10日 · ボールは顧客")
    expect(rows.nth(1).get_by_test_id("ball-days")).to_have_text("5日")
    expect(rows.nth(1)).to_contain_text("⚠ 要フォロー")  # 5 days with us: over the 3-day rule
    expect(page.get_by_test_id("count-proposal_quote")).to_have_text("1")
    expect(page.get_by_test_id("amount-proposal_quote")).to_have_text("1,200,000円")

    page.get_by_test_id("board-sort").select_option("ball_asc")
    expect(rows.nth(0)).to_contain_text("SUSフレーム製作")
    page.get_by_test_id("filter-owner").select_option(label="佐藤 健太")
    expect(rows).to_have_count(2)
    assert "owner=" in page.url and "sort=ball_asc" in page.url

    with page.expect_download() as download:
        page.get_by_test_id("board-csv").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith("\ufeff案件ID".encode())
    csv_rows = list(csv.DictReader(io.StringIO(data.decode("utf-8")[1:])))
    assert {r["案件名"]: r["ボール日数"] for r in csv_rows} == {
        "治具プレート年間契約": "10",
        "SUSフレーム製作": "5",
    }
    with page.expect_download() as download:
        page.get_by_test_id("board-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as workbook:
        header, *sheet = openpyxl.load_workbook(workbook)["案件ボード"].iter_rows(values_only=True)
    assert {row[header.index("案件名")]: row[header.index("ボール日数")] for row in sheet} == {
        "治具プレート年間契約": 10,
        "SUSフレーム製作": 5,
    }
    expect(page.get_by_test_id("export-status")).to_have_text("Excelファイルを書き出しました。")

    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deal board")
    expect(rows.nth(1).get_by_test_id("ball-days")).to_have_text("10 days")
    expect(rows.nth(1)).to_contain_text("Since quote submitted 10 days · ball with customer")
    expect(page.get_by_test_id("pipeline")).to_contain_text("Proposal / quote")
    expect(page.locator("body")).not_to_contain_text(NOT_TEXT)
    page.get_by_test_id("lang-toggle").click()


def test_a_rep_has_no_board_but_their_follow_up_list_most_overdue_first(page, live, deals):
    rep = deals["rep"]
    rep.clock_offset_ms = -40 * DAY_MS
    rep.create("deals", customer_id=deals["jig"]["customer_id"], title="古い引き合い", stage="first_contact")
    rep.clock_offset_ms = 0
    sign_in(page, live, "rep_a")
    expect(page.get_by_test_id("nav-board")).to_have_count(0)
    go_to(page, "deals")
    follow = page.get_by_test_id("follow-up-list").locator("> li")
    expect(follow).to_have_count(2)
    expect(follow.nth(0)).to_contain_text("古い引き合い")
    expect(follow.nth(0)).to_contain_text("ボールが当社に40日（基準 3日）")
    expect(follow.nth(0)).to_contain_text("活動なし40日（基準 30日）")
    expect(follow.nth(1)).to_contain_text("SUSフレーム製作")
    expect(follow.get_by_test_id("follow-up-mark")).to_have_count(0)  # its heading says it, once
    open_deals = page.get_by_test_id("open-deals")
    expect(open_deals).to_contain_text("治具プレート年間契約")
    expect(open_deals.locator("li", has_text="古い引き合い").get_by_test_id("follow-up-mark")).to_have_count(
        1
    )
    follow.nth(0).get_by_role("link").click()
    page.get_by_test_id("deal-new-visit").click()
    expect(page.get_by_test_id("visit-deal").locator("option:checked")).to_have_text(
        "古い引き合い（初回コンタクト）"
    )
    expect(page.get_by_test_id("visit-deal-badge")).to_have_text("当社対応待ち 40日 · ボールは当社")
    page.goto(live.url + "/#/board")
    expect(page.get_by_test_id("board-forbidden")).to_be_visible()


# The device's own rule, checked in the browser with a fixed "now": 2026-11-27 10:00 JST.
FOLLOW_UP_CASES = [
    # ball, ball_since, activity, expected reasons
    ("ours", "2026-11-23T23:30:00+09:00", None, [["ours", 4, 3]]),  # 23:30 JST counts from that JST day
    ("ours", "2026-11-23T14:30:00Z", None, [["ours", 4, 3]]),  # the same moment in UTC
    ("ours", "2026-11-23T15:30:00Z", None, []),  # 00:30 JST on the 24th: 3 days
    ("customer", "2026-11-12T09:00:00+09:00", None, [["customer", 15, 14]]),
    ("customer", "2026-11-13T09:00:00+09:00", None, []),
    ("customer", "2026-11-13T09:00:00+09:00", "2026-10-27T22:00:00+09:00", [["idle", 31, 30]]),
]


def test_the_device_counts_follow_up_days_in_tokyo_like_the_server(page, live):
    page.goto(live.url + "/")
    result = page.evaluate(
        """async (cases) => {
        const src = document.querySelector('script[type=module]').src.replace("app.js", "deals.js");
        const deals = await import(src);
        const now = Date.parse("2026-11-27T10:00:00+09:00");
        const out = cases.map(([ball, since, activity]) => deals.followUp(
            { id: since, stage: "needs_hearing", ball, ball_since: since }, activity || since,
            deals.DEFAULT_LIMITS, now).map((r) => [r.rule, r.days, r.limit]));
        const rows = cases.map(([ball, since], i) => {
            const deal = { id: String(i), stage: "needs_hearing", ball, ball_since: since };
            return { deal, ballDays: deals.ballDays(deal, now), reasons: deals.followUp(deal, since, deals.DEFAULT_LIMITS, now) };
        });
        return { out, order: deals.followUpList(rows).map((r) => r.deal.id) };
    }""",
        [list(c[:3]) for c in FOLLOW_UP_CASES],
    )
    assert result["out"] == [c[3] for c in FOLLOW_UP_CASES]
    assert result["order"] == ["3", "0", "1"]  # all one day over: the longest with the ball first


def test_competitor_events_with_prices_show_on_the_deal_and_per_competitor(page, live, deals):
    deals["rep"].create(
        "deal_events",
        customer_id=deals["frame"]["customer_id"],
        deal_id=deals["frame"]["id"],
        kind="competitor",
        competitor_name="丸栄精機工業",
        competitor_product="溶接フレーム",
        competitor_price=760000,
        occurred_at="2026-11-20T10:00:00+09:00",
    )
    sign_in(page, live, "rep_a")
    open_deal(page, live, "治具プレート年間契約")
    page.get_by_test_id("event-competitor").fill("丸栄精機工業")
    page.get_by_test_id("event-product").fill("同等品")
    page.get_by_test_id("event-price").fill(
        "９８０，０００"
    )  # full-width digits as typed with a Japanese IME
    page.get_by_test_id("event-save").click()
    events = page.get_by_test_id("deal-events")
    expect(events).to_contain_text("競合あり — 丸栄精機工業（同等品） 980,000円")
    page.get_by_text("予算が厳しい", exact=True).click()
    page.get_by_test_id("event-note").fill("値下げ要望あり")
    page.get_by_test_id("event-save").click()
    expect(events.locator("> li")).to_have_count(2)
    wait_synced(page)
    stored = [e for e in deals["rep"].records("deal_events").values() if e["deal_id"] == deals["jig"]["id"]]
    assert sorted((e["kind"], e.get("competitor_price")) for e in stored) == [
        ("budget_tight", None),
        ("competitor", 980000),
    ]

    page.goto(live.url + "/#/competitors")
    section = page.locator("section.competitor[data-name='丸栄精機工業']")
    expect(section.locator("tbody tr")).to_have_count(2)
    expect(section).to_contain_text("980,000円")
    expect(section).to_contain_text("760,000円")
    expect(section).to_contain_text("SUSフレーム製作")
    # on a phone each row is a card, and each value says what it is
    page.set_viewport_size({"width": 360, "height": 740})
    price = section.get_by_test_id("competitor-price").first
    assert price.evaluate("el => getComputedStyle(el, '::before').content") == '"競合の価格（円）："'
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(live.url + f"/#/customers/{deals['jig']['customer_id']}")
    expect(page.get_by_test_id("timeline")).to_contain_text("競合あり — 丸栄精機工業（同等品） 980,000円")
    expect(page.get_by_test_id("timeline")).to_contain_text("見積提出後 10日 · ボールは顧客")
    expect(page.locator("body")).not_to_contain_text(NOT_TEXT)


def test_a_rep_opens_a_deal_offline_and_it_reaches_the_board_with_them_as_owner(page, live, customers):
    sign_in(page, live, "rep_a")
    page.context.set_offline(True)
    page.goto(live.url + f"/#/customers/{customers['sanjo']['id']}")
    page.get_by_test_id("new-deal").click()
    expect(page.get_by_test_id("deal-new-customer")).to_have_text("顧客: 有限会社三条精工")
    page.get_by_test_id("deal-create").click()
    expect(page.locator("[data-field=title] .field-error")).to_have_text("案件名を入力してください。")
    page.get_by_test_id("deal-new-title").fill("精密シャフト　量産案件")
    page.get_by_test_id("deal-new-stage").select_option("product_intro")
    page.get_by_text("ボールは顧客").click()
    page.get_by_test_id("deal-new-amount").fill("１，２００，０００円")
    page.get_by_test_id("deal-create").click()
    expect(page.get_by_test_id("deal-title")).to_have_text("精密シャフト　量産案件")
    expect(page.get_by_test_id("deal-amount")).to_contain_text("1,200,000")
    expect(page.get_by_test_id("stage-path").locator("[aria-current=step]")).to_contain_text("製品説明")
    page.context.set_offline(False)
    wait_synced(page)
    rep = live.device("rep_a")
    deal = next(
        d for d in live.device("manager").records("deals").values() if d["title"] == "精密シャフト　量産案件"
    )
    assert (deal["customer_id"], deal["owner_id"], deal["stage"], deal["ball"], deal["amount"]) == (
        customers["sanjo"]["id"],
        rep.user["id"],
        "product_intro",
        "customer",
        1200000,
    )
    assert deal["ball_since"]


def test_a_new_deal_needs_a_customer_when_opened_from_the_deal_list(page, live, customers):
    sign_in(page, live, "rep_a")
    go_to(page, "deals")
    page.get_by_test_id("deal-new").click()
    page.get_by_test_id("deal-new-title").fill("新規引き合い")
    page.get_by_test_id("deal-create").click()
    expect(page.get_by_test_id("deal-new-customer")).to_have_text(
        "顧客を選んでください（下の「顧客を選ぶ・変える」から）。"
    )
    expect(page).to_have_url(re.compile(r"#/deals/new$"))


def test_the_board_keeps_each_stage_and_owner_on_one_line_on_a_tablet(page, live, deals):
    deals["rep"].create(
        "deals",
        customer_id=deals["frame"]["customer_id"],
        title="食品搬送コンベア用SUSフレーム製作および既設ラインの改造・移設工事一式",
        stage="first_contact",
        amount=6140000,
    )
    sign_in(page, live, "manager")
    go_to(page, "board")
    expect(page.get_by_test_id("board").locator("tbody tr")).to_have_count(3)
    for cell in [*page.get_by_test_id("board-stage").all(), *page.get_by_test_id("board-owner").all()]:
        lines = cell.evaluate(
            "td => { const r = document.createRange(); r.selectNodeContents(td); "
            "return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size; }"
        )
        assert lines == 1, cell.inner_text()


def test_a_technician_reading_the_deal_list_is_not_offered_a_new_deal(page, live, deals):
    # Reached from the load chart's deal and its 「案件」 crumb: the form would only refuse them.
    sign_in(page, live, "tech")
    page.goto(f"{live.url}/#/deals")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_test_id("deal-new")).to_have_count(0)


def test_a_deal_moved_while_mending_a_refused_visit_moves_too(page, live, deals):
    sign_in(page, live, "rep_a")
    jig = deals["jig"]
    page.evaluate(
        SAVE_IN_THE_APP,
        {
            "customer_id": jig["customer_id"],
            "deal_id": jig["id"],
            "kind": "teleport",
            "visited_at": "2026-11-27T10:00:00+09:00",
            "purpose": "種別が不正な訪問",
        },
    )
    page.get_by_test_id("rejected").click()
    page.get_by_test_id("rejected-entry").get_by_role("button", name="直して再送").click()
    page.get_by_text("営業訪問", exact=True).click()
    page.get_by_test_id("visit-deal-stage").select_option("quote_revision")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-deal-link")).to_have_text("治具プレート年間契約")
    wait_synced(page)
    expect(page.get_by_test_id("rejected")).to_have_count(0)
    office = live.device("office")
    assert office.records("deals")[jig["id"]]["stage"] == "quote_revision"
    assert [v["kind"] for v in office.records("visits").values() if v["purpose"] == "種別が不正な訪問"] == [
        "sales"
    ]
