"""The deal page as the one place a manager answers 「あの案件どうなっている?何日前?次は何?」:
the ball dated by the device's own clock before the sync, the meetings, the next action, the
quotes and the events; the board's reasons and search; quotes made from a deal; deal events
recorded from the visit form in the same save."""

import re

from playwright.sync_api import expect

from .helpers import NOT_TEXT, sign_in, wait_synced
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
