"""The deal page as the one place a manager answers 「あの案件どうなっている?何日前?次は何?」:
the ball dated by the device's own clock before the sync, the meetings, the next action, the
quotes and the events; the board's reasons and search; quotes made from a deal; deal events
recorded from the visit form in the same save."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import NOT_TEXT, outbox, sign_in, sync_in_background, wait_synced
from .test_deals import deals, open_deal  # noqa: F401 (the fixture is used by name)

PHONE = {"width": 390, "height": 844}


def test_a_ball_moved_to_us_offline_counts_from_today_without_a_false_follow_up(page, live, deals):  # noqa: F811
    sign_in(page, live, "rep_a")
    open_deal(page, live, "治具プレート年間契約")
    expect(page.get_by_test_id("deal-badge")).to_contain_text("見積提出後 10日 · ボールは顧客")
    page.context.set_offline(True)
    page.get_by_text("ボールは当社", exact=True).click()
    page.get_by_test_id("deal-save").click()
    expect(page.get_by_test_id("deal-badge")).to_have_text(
        re.compile(r"当社対応待ち (0日|今日) · ボールは当社")
    )
    expect(page.get_by_test_id("deal-follow-up")).to_have_count(0)
    page.goto(live.url + "/#/deals")
    expect(page.get_by_test_id("open-deals")).to_contain_text("治具プレート年間契約")
    expect(page.get_by_test_id("follow-up-list").get_by_text("治具プレート年間契約")).to_have_count(0)

    page.context.set_offline(False)
    wait_synced(page)
    open_deal(page, live, "治具プレート年間契約")
    expect(page.get_by_test_id("deal-badge")).to_have_text(
        re.compile(r"当社対応待ち (0日|今日) · ボールは当社")
    )
    expect(page.locator("body")).not_to_contain_text(NOT_TEXT)


def test_the_visit_form_records_competitor_budget_and_spec_change_as_deal_events_in_the_same_save(
    page,
    live,
    deals,  # noqa: F811
):
    sign_in(page, live, "rep_a")
    open_deal(page, live, "SUSフレーム製作")
    page.context.set_offline(True)
    page.get_by_test_id("deal-new-visit").click()
    page.get_by_label("目的").fill("仕様の打合せ")
    page.get_by_test_id("heard-competitor").check()
    page.get_by_test_id("heard-budget_tight").check()
    page.get_by_test_id("save-visit").click()
    expect(page.locator("[data-field=heard_competitor_name] .field-error")).to_have_text(
        "競合先の会社名を入力してください。"
    )
    assert outbox(page) == []
    page.get_by_test_id("heard-competitor-name").fill("丸栄精機工業")
    page.get_by_test_id("heard-price").fill("７６０，０００")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()
    entries = outbox(page)
    assert sorted(e["entity"] for e in entries) == ["deal_events", "deal_events", "visits"]
    visit = next(e for e in entries if e["entity"] == "visits")
    assert {e["changes"]["occurred_at"] for e in entries if e["entity"] == "deal_events"} == {
        visit["changes"]["visited_at"]
    }

    open_deal(page, live, "SUSフレーム製作")
    events = page.get_by_test_id("deal-events")
    expect(events.locator("> li")).to_have_count(2)
    expect(events).to_contain_text("競合あり — 丸栄精機工業 760,000円")
    expect(events).to_contain_text("予算が厳しい")
    page.context.set_offline(False)
    wait_synced(page)
    stored = [e for e in deals["rep"].records("deal_events").values() if e["deal_id"] == deals["frame"]["id"]]
    assert sorted((e["kind"], e.get("competitor_name"), e.get("competitor_price")) for e in stored) == [
        ("budget_tight", None, None),
        ("competitor", "丸栄精機工業", 760000),
    ]


def meeting_with_a_next_step(made, visited_at, next_action, due):
    """The rep's meeting about 治具プレート年間契約 (of the ``deals`` fixture's ``made``) that
    agreed ``next_action`` by ``due``."""
    made["rep"].create(
        "visits",
        customer_id=made["jig"]["customer_id"],
        kind="sales",
        visited_at=visited_at,
        purpose="見積の説明",
        next_action=next_action,
        next_action_due=due,
        deal_id=made["jig"]["id"],
    )


@pytest.mark.server_config(
    COMPANY_NAME="株式会社 現場製作所", COMPANY_ADDRESS="静岡市葵区追手町1-1", COMPANY_PHONE="054-000-1111"
)
def test_the_deal_page_shows_the_next_action_the_meetings_and_a_quote_made_from_it_with_its_print(
    page,
    live,
    deals,  # noqa: F811
):
    meeting_with_a_next_step(deals, "2026-11-25T14:00:00+09:00", "改訂見積を提出", "2026-12-20")
    sign_in(page, live, "rep_a")
    open_deal(page, live, "治具プレート年間契約")
    expect(page.get_by_test_id("deal-next")).to_contain_text("改訂見積を提出")
    expect(page.get_by_test_id("deal-next-due")).to_contain_text(re.compile(r"2026.12.20|12月20日"))
    expect(page.get_by_test_id("deal-visits")).to_contain_text("見積の説明")
    expect(page.get_by_test_id("deal-no-quotes")).to_be_visible()

    page.context.set_offline(True)
    page.get_by_test_id("deal-new-quote").click()
    expect(page.get_by_test_id("quote-deal")).to_have_text("案件: 治具プレート年間契約")
    page.get_by_test_id("quote-product").fill("治具プレート")
    page.get_by_test_id("quote-material").fill("SS400")
    page.get_by_test_id("quote-processing_details").fill("穴あけ12箇所、黒染め")
    page.get_by_test_id("quote-quantity").fill("40")
    page.get_by_test_id("quote-amount").fill("1150000")
    page.get_by_test_id("save-quote").click()
    expect(page.get_by_test_id("quote-facts")).to_contain_text("穴あけ12箇所、黒染め")  # 加工内容 shown
    expect(page.get_by_test_id("similar-after-sync")).to_be_visible()  # the server is not asked yet
    page.get_by_test_id("print-quote").click()
    sheet = page.get_by_test_id("quote-sheet")
    expect(sheet).to_contain_text("御見積書")
    expect(sheet).to_contain_text("山田製作所　御中")
    issuer = page.get_by_test_id("print-issuer")  # offline: from the calendar the device keeps
    expect(issuer).to_contain_text("株式会社 現場製作所")
    expect(issuer).to_contain_text("静岡市葵区追手町1-1")
    expect(issuer).to_contain_text("TEL 054-000-1111")
    expect(page.get_by_test_id("issuer-person")).to_have_text("担当: 佐藤 健太")  # saved here, not yet sent
    expect(page.get_by_test_id("quote-sheet-amount")).to_have_text("1,150,000円")
    expect(sheet).to_contain_text("穴あけ12箇所、黒染め")

    open_deal(page, live, "治具プレート年間契約")
    expect(page.get_by_test_id("deal-quotes")).to_contain_text("治具プレート")
    expect(page.get_by_test_id("deal-quotes")).to_contain_text("1,150,000円")
    page.context.set_offline(False)
    wait_synced(page)
    quote = next(q for q in deals["rep"].records("quotes").values() if q["product"] == "治具プレート")
    assert (quote["deal_id"], quote["processing_details"]) == (deals["jig"]["id"], "穴あけ12箇所、黒染め")
    expect(page.locator("body")).not_to_contain_text(NOT_TEXT)


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "tablet"])
def test_the_board_says_why_a_deal_needs_following_up_and_finds_that_deal_by_name(
    page,
    live,
    deals,  # noqa: F811
    viewport,
):
    page.set_viewport_size(viewport)
    sign_in(page, live, "manager")
    page.goto(live.url + "/#/board")
    rows = page.get_by_test_id("board").locator("tbody tr")
    expect(rows).to_have_count(2)
    frame = rows.filter(has_text="SUSフレーム製作")
    expect(frame.get_by_test_id("board-reasons")).to_have_text("ボールが当社に5日（基準 3日）")
    first = rows.first.bounding_box()
    assert first["y"] < viewport["height"]  # the deals, not the stage summary, fill the first screen
    title = rows.first.get_by_role("link").first.bounding_box()
    assert title["height"] < 40  # the deal's name reads on one line, not a character per line

    search = page.get_by_test_id("board-q")
    search.fill("ﾌﾟﾚｰﾄ")  # half-width katakana as a phone keyboard may type it
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("治具プレート年間契約")
    search.fill("ほくしん")  # the customer's reading
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("SUSフレーム製作")
    search.fill("存在しない案件")
    expect(page.get_by_test_id("board-empty")).to_have_text("条件に合う案件はありません。")
    assert "q=" in page.url


def test_the_board_search_keeps_its_words_and_focus_while_a_sync_brings_a_deal(
    page,
    live,
    customers,
    deals,  # noqa: F811
):
    """A manager typing in the board's search when a sync brings a new deal: the box keeps the
    focus and the words, the typing goes on, and the new deal shows once they leave the box."""
    sign_in(page, live, "manager")
    page.goto(live.url + "/#/board")
    rows = page.get_by_test_id("board").locator("tbody tr")
    expect(rows).to_have_count(2)
    search = page.get_by_test_id("board-q")
    search.click()
    page.keyboard.type("プレー")
    expect(rows).to_have_count(1)
    deals["rep"].create(
        "deals", customer_id=customers["hokushin"]["id"], title="プレート追加工", stage="needs_hearing"
    )
    sync_in_background(page)
    expect(search).to_be_focused()
    expect(search).to_have_value("プレー")
    page.keyboard.type("ト年間")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("治具プレート年間契約")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    expect(search).to_have_value("プレート")
    page.get_by_role("heading", name=re.compile("案件ボード")).first.click()
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="プレート追加工")).to_have_count(1)


def test_a_won_deal_is_late_for_nothing(page, live, deals):  # noqa: F811
    rep = deals["rep"]
    meeting_with_a_next_step(deals, "2026-11-10T14:00:00+09:00", "修正見積の提出", "2026-11-24")
    sign_in(page, live, "rep_a")
    open_deal(page, live, "治具プレート年間契約")
    late = page.get_by_test_id("deal-next").locator(".badge.error")
    expect(late).to_contain_text("期限を")  # open: the step is overdue
    rep.update("deals", deals["jig"], stage="won")
    sync_in_background(page)
    expect(page.get_by_test_id("stage-path")).to_contain_text("受注")
    expect(page.get_by_test_id("deal-next")).to_contain_text("修正見積の提出")
    expect(late).to_have_count(0)


JAPANESE_PUNCTUATION = re.compile("[（）「」、。：・　]")


def test_the_deal_page_in_english_puts_english_punctuation_around_japanese_names(page, live, deals):  # noqa: F811
    rep, frame = deals["rep"], deals["frame"]
    rep.create(
        "deal_events",
        customer_id=frame["customer_id"],
        deal_id=frame["id"],
        kind="competitor",
        competitor_name="丸栄精機工業",
        competitor_product="溶接フレーム",
        competitor_price=760000,
        occurred_at="2026-11-20T10:00:00+09:00",
    )
    rep.create(
        "visits",
        customer_id=frame["customer_id"],
        kind="sales",
        visited_at="2026-11-25T10:00:00+09:00",
        purpose="仕様の打合せ",
        next_action="見積を再提出",
        next_action_due="2026-11-28",
        deal_id=frame["id"],
    )
    rep.update(
        "deals",
        frame,
        competitors=[{"name": "丸栄精機工業"}, {"name": "東和工機"}],
        situation=["budget_tight"],
    )
    sign_in(page, live, "manager")
    page.evaluate("localStorage.setItem('genba.lang', 'en')")
    open_deal(page, live, "SUSフレーム製作")
    page.reload()
    expect(page.get_by_test_id("deal-follow-up")).to_have_text("Follow up: ball with us 5 days (limit 3)")
    expect(page.get_by_test_id("deal-next")).to_contain_text(
        re.compile(r"Next: 見積を再提出 \(due 28 Nov 2026\)")
    )
    view = page.locator("#view")
    expect(view).to_contain_text(re.compile(r"Last activity\s*\d+ \w+ 2026, \d\d:\d\d \(\w+"))
    expect(page.get_by_test_id("deal-events")).to_contain_text(
        "Competitor — 丸栄精機工業 (溶接フレーム) ¥760,000"
    )
    expect(view).to_contain_text("Competitors: (none) → 丸栄精機工業, 東和工機")
    assert JAPANESE_PUNCTUATION.findall(view.inner_text()) == []
