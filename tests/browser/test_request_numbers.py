"""The number people quote on the phone: shown wherever a request is, and found in the inbox."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import sign_in, sync_in_background, wait_synced

SIZES = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1280, "height": 800}}


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "viewport": SIZES[request.param]})
    yield context.new_page()
    context.close()


def test_the_office_finds_a_request_by_the_number_a_customer_reads_out(sized_page, live, customers):
    page = sized_page
    tech = live.device("tech")
    yamada = customers["yamada"]["id"]
    noise = tech.create("requests", customer_id=yamada, kind="complaint", title="ローラーから異音")
    quote = tech.create("requests", customer_id=yamada, kind="request", title="予備部品の見積")
    assert (noise["number"], quote["number"]) == (1, 2)
    sign_in(page, live, "office")
    page.goto(live.url + "/#/inbox")
    items = page.locator(".inbox-item")
    expect(items.filter(has_text="ローラーから異音").get_by_test_id("request-number")).to_have_text(
        "受付番号 1"
    )

    search = page.get_by_test_id("inbox-search")
    title = page.get_by_role("heading", name="受信箱")
    for typed in ["2", "No.2", "受付番号 ２"]:
        search.fill(typed)
        search.press("Enter")
        expect(title).to_be_focused()  # the inbox drawn for this search (the one before matched too)
        expect(items).to_have_count(1)
        expect(items.first).to_contain_text("予備部品の見積")
    search.fill("異音")
    search.press("Enter")
    expect(title).to_be_focused()
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("ローラーから異音")
    items.first.get_by_role("link").click()
    expect(page.get_by_test_id("request-facts")).to_contain_text("受付番号1")  # 「受付番号 / 1」, said once
    expect(page.get_by_test_id("request-facts").get_by_test_id("request-number")).to_have_text("1")


def test_the_office_finds_a_customer_s_requests_by_its_reading(page, live, customers):
    tech = live.device("tech")
    tech.create("requests", customer_id=customers["yamada"]["id"], kind="complaint", title="ローラーから異音")
    tech.create("requests", customer_id=customers["sanjo"]["id"], kind="request", title="予備部品の見積")
    sign_in(page, live, "office")
    page.goto(live.url + "/#/inbox")
    items = page.locator(".inbox-item")
    expect(items).to_have_count(2)
    search = page.get_by_test_id("inbox-search")
    for typed in ["やまだ", "ﾔﾏﾀﾞｾｲ", "ヤマダ"]:  # 山田製作所 read ヤマダセイサクショ
        search.fill(typed)
        search.press("Enter")
        expect(items).to_have_count(1)
        expect(items.first).to_contain_text("ローラーから異音")


def office_inbox_with_one_request(page, live, customers):
    """The office on its inbox, which lists the technician's one request; the technician's
    device, the customer's id and the inbox's items."""
    tech = live.device("tech")
    yamada = customers["yamada"]["id"]
    tech.create("requests", customer_id=yamada, kind="complaint", title="ローラーから異音")
    sign_in(page, live, "office")
    page.goto(live.url + "/#/inbox")
    items = page.locator(".inbox-item")
    expect(items).to_have_count(1)
    return tech, yamada, items


def typing_a_search_when_a_sync_brings_a_request(page, live, customers):
    """The office has typed 「受付番」 in the inbox's search when a sync brings the technician's
    second request; the search box and the inbox's items."""
    tech, yamada, items = office_inbox_with_one_request(page, live, customers)
    search = page.get_by_test_id("inbox-search")
    search.click()
    page.keyboard.type("受付番")
    tech.create("requests", customer_id=yamada, kind="request", title="予備部品の見積")
    sync_in_background(page)
    return search, items


def test_words_typed_in_the_inbox_search_survive_a_sync(page, live, customers):
    """The office is typing a search when a sync brings a new request: the box keeps the
    half-typed words and the focus (a redraw replaced the box, and the browser applied the
    words as a search when the focused box went), and the search then finds the new request."""
    search, items = typing_a_search_when_a_sync_brings_a_request(page, live, customers)
    expect(search).to_have_value("受付番")
    expect(search).to_be_focused()
    page.keyboard.type("号 ２")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=%E5%8F%97%E4%BB%98%E7%95%AA%E5%8F%B7"))
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("予備部品の見積")


def test_the_inbox_shows_what_a_sync_brought_once_the_focus_leaves_its_filters(page, live, customers):
    tech, yamada, items = office_inbox_with_one_request(page, live, customers)
    page.get_by_test_id("inbox-search").focus()
    tech.create("requests", customer_id=yamada, kind="request", title="予備部品の見積")
    sync_in_background(page)
    expect(items).to_have_count(1)  # not drawn under the user's fingers
    page.get_by_role("heading", name="受信箱").click()
    expect(items).to_have_count(2)


def test_words_typed_in_the_inbox_search_survive_switching_apps_during_a_sync(page, live, customers):
    """A phone user types a search, switches to another app (a call, the mail) while a sync
    brings a request, and comes back: the window losing the focus is not the focus leaving
    the search, so the held drawing still waits and the words stay."""
    search, items = typing_a_search_when_a_sync_brings_a_request(page, live, customers)
    # What the browser does when its window loses the focus: focusout with nowhere to go,
    # while the box stays the document's focused element, to get the focus back on return.
    search.evaluate(
        "(box) => box.dispatchEvent(new FocusEvent('focusout', {bubbles: true, relatedTarget: null}))"
    )
    page.wait_for_timeout(300)  # a drawing, had it started, takes well under this
    expect(search).to_have_value("受付番")
    expect(search).to_be_focused()
    expect(items).to_have_count(1)
    page.keyboard.type("号 ２")  # back in the app, the user goes on typing
    page.keyboard.press("Enter")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("予備部品の見積")


def test_going_back_from_the_inbox_with_words_typed_in_its_search_goes_back(page, live, customers):
    """The office typed in the inbox's search, then pressed Back (the phone's back button):
    the screen it leaves must not apply the words as a search and bring the inbox back."""
    tech, yamada, items = office_inbox_with_one_request(page, live, customers)
    page.get_by_test_id("inbox-search").click()
    page.keyboard.type("受付番")
    page.go_back()
    expect(page.locator("#view h1")).not_to_have_text("依頼の受信箱")
    page.wait_for_timeout(300)  # the left screen's late navigation, had there been one
    assert "/inbox" not in page.url


def test_a_request_recorded_offline_gets_its_number_once_sent(page, context, live, customers):
    sign_in(page, live, "tech")
    context.set_offline(True)
    page.goto(live.url + f"/#/customers/{customers['yamada']['id']}")
    page.get_by_test_id("new-request").click()
    page.get_by_label("件名").fill("操作パネルの表示が消える")
    page.get_by_test_id("save-request").click()
    expect(page.get_by_test_id("request-facts")).to_contain_text("送信後に付きます")
    context.set_offline(False)
    wait_synced(page)
    expect(page.get_by_test_id("request-facts")).to_contain_text("受付番号1")  # 「受付番号 / 1」, said once
    expect(page.get_by_test_id("request-facts").get_by_test_id("request-number")).to_have_text("1")
    page.goto(live.url + "/#/my-requests")
    expect(page.locator(".mine-item").get_by_test_id("request-number")).to_have_text("受付番号 1")
    page.goto(live.url + f"/#/customers/{customers['yamada']['id']}")
    expect(page.get_by_test_id("timeline").get_by_test_id("request-number")).to_have_text("受付番号 1")
