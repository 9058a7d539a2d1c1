"""The deal page as the one place a manager answers 「あの案件どうなっている?何日前?次は何?」:
the ball dated by the device's own clock before the sync, the meetings, the next action, the
quotes and the events; the board's reasons and search; quotes made from a deal; deal events
recorded from the visit form in the same save."""

import re

from playwright.sync_api import expect

from .helpers import NOT_TEXT, outbox, sign_in, wait_synced
from .test_deals import deals, open_deal  # noqa: F401 (the fixture is used by name)


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
