"""Dates, times and counts as a Japanese user reads them (and an English one), whatever language
the browser itself speaks; no raw ids or file names where a person expects words."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .helpers import record_visit, sign_in, wait_synced
from .test_photos import choose_files, noisy_jpeg

DAY_MS = 24 * 3600 * 1000
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
US_FORMATS = re.compile(r"\b\d{2}/\d{2}/\d{4}\b|\b(AM|PM)\b|午前|午後")


@pytest.fixture
def english_browser_page(browser, browser_context_args):
    """A browser set to American English: it draws date inputs as 12/03/2026, 03:19 PM."""
    context = browser.new_context(**{**browser_context_args, "locale": "en-US"})
    yield context.new_page()
    context.close()


def test_dates_and_times_are_japanese_and_24_hour_even_in_an_english_browser(
    english_browser_page, live, customers
):
    page = english_browser_page
    sign_in(page, live, "tech")
    page.goto(f"{live.url}/#/visits/new?customer={customers['yamada']['id']}")
    page.get_by_label("日時").fill("2026-12-03T15:19")
    expect(page.get_by_test_id("date-echo").first).to_have_text("2026年12月3日(木) 15:19")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("アフターサービス 2026/12/03 15:19")
    page.goto(f"{live.url}/#/customers/{customers['yamada']['id']}")
    expect(page.locator("#view")).to_contain_text("2026/12/03 15:19")
    for screen in ("#/customers", f"#/customers/{customers['yamada']['id']}", "#/sync", "#/today"):
        page.goto(f"{live.url}/{screen}")
        expect(page.locator("#view h1")).to_be_visible()
        page.wait_for_timeout(200)
        assert not US_FORMATS.search(page.locator("body").inner_text()), screen


def test_a_tablet_left_on_utc_takes_and_shows_times_on_tokyos_clock(
    browser, browser_context_args, live, customers
):
    """Typed 15:19 is 15:19 in Tokyo, as every time the app shows is: not 15:19 UTC (00:19 the
    next day in Tokyo), and the form opens at Tokyo's now, not the device's."""
    context = browser.new_context(**{**browser_context_args, "timezone_id": "UTC"})
    page = context.new_page()
    sign_in(page, live, "tech")
    page.goto(f"{live.url}/#/visits/new?customer={customers['yamada']['id']}")
    now = datetime.now(ZoneInfo("Asia/Tokyo"))
    opened = page.get_by_label("日時").input_value()
    tokyo = {(now + timedelta(minutes=m)).strftime("%Y-%m-%dT%H") for m in (-1, 0, 1)}
    assert opened[:13] in tokyo, (opened, tokyo)  # Tokyo's hour, not UTC's
    page.get_by_label("日時").fill("2026-12-03T15:19")
    expect(page.get_by_test_id("date-echo").first).to_have_text("2026年12月3日(木) 15:19")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("アフターサービス 2026/12/03 15:19")
    visit_id = page.url.rsplit("/", 1)[1]
    wait_synced(page)
    assert live.device("tech").records("visits")[visit_id]["visited_at"] == "2026-12-03T15:19:00+09:00"
    context.close()


@pytest.fixture
def deals_of_today_and_yesterday(live, customers):
    rep = live.device("rep_a")
    today = rep.create(
        "deals", customer_id=customers["yamada"]["id"], title="今日の引き合い", stage="first_contact"
    )
    rep.clock_offset_ms = -DAY_MS
    yesterday = rep.create(
        "deals", customer_id=customers["sanjo"]["id"], title="昨日の引き合い", stage="first_contact"
    )
    rep.clock_offset_ms = 0
    return {"today": today, "yesterday": yesterday}


def test_day_counts_say_today_and_yesterday_and_english_counts_one_day(
    page, live, deals_of_today_and_yesterday
):
    sign_in(page, live, "manager")
    page.goto(f"{live.url}/#/deals/{deals_of_today_and_yesterday['today']['id']}")
    expect(page.locator("#view")).to_contain_text("（今日）")
    expect(page.locator("#view")).not_to_contain_text("0日前")
    page.goto(f"{live.url}/#/deals/{deals_of_today_and_yesterday['yesterday']['id']}")
    expect(page.locator("#view")).to_contain_text("（昨日）")

    page.get_by_test_id("lang-toggle").click()
    page.goto(f"{live.url}/#/board")
    row = page.locator("tr", has_text="昨日の引き合い")
    expect(row.get_by_test_id("ball-days")).to_have_text("1 day")
    expect(page.locator("body")).not_to_contain_text(re.compile(r"\b1 days\b"))
    expect(page.locator(".skip-link")).to_have_text("Skip to content")


def test_the_sync_page_names_the_device_and_each_waiting_photo_without_raw_ids(
    page, context, live, customers
):
    sign_in(page, live, "tech")
    context.set_offline(True)
    record_visit(page, re.compile("山田製作所"), kind="アフターサービス", purpose="点検")
    choose_files(page, [noisy_jpeg(1, (800, 600))])
    page.goto(live.url + "/#/sync")
    photo = page.get_by_test_id("queued-photo")
    expect(photo.get_by_test_id("queued-owner")).to_have_text("山田製作所の訪問の写真")
    expect(photo.locator("img")).to_have_js_property("complete", True)
    expect(photo).not_to_contain_text("IMG_0001")
    expect(page.get_by_test_id("pending-list")).to_contain_text("写真「山田製作所」")
    expect(page.get_by_test_id("pending-list")).not_to_contain_text(re.compile("IMG_0001|photo"))
    assert not UUID.search(page.locator("#view").inner_text())
    page.get_by_text(
        re.compile("この端末（末尾 [0-9A-F]{4}）")
    ).click()  # the whole id, for an admin, on request
    expect(page.get_by_test_id("device-id")).to_have_text(UUID)
