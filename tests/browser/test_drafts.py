"""Nothing typed is lost to Back, a tab or a reload (drafts), and Back after a save never opens
the form again, blank, inviting the same record twice."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import PASSWORD, sign_in

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    yield context.new_page()
    context.close()


def open_customer(page, live, customer):
    page.goto(live.url + f"/#/customers/{customer['id']}")
    expect(page.get_by_test_id("customer-name")).to_have_text(customer["name"])


def test_back_after_saving_a_visit_goes_to_the_customer_not_a_blank_form(phone, live, customers):
    page = phone
    sign_in(page, live, "tech")
    open_customer(page, live, customers["yamada"])
    page.get_by_test_id("new-visit").click()
    page.get_by_label("話した内容・メモ").fill("ローラーの異音を確認")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()
    page.go_back()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    assert "/visits/new" not in page.url


def test_back_after_saving_a_request_goes_to_the_customer_not_a_blank_form(phone, live, customers):
    page = phone
    sign_in(page, live, "tech")
    open_customer(page, live, customers["yamada"])
    page.get_by_test_id("new-request").click()
    page.get_by_label("件名").fill("予備部品の見積")
    page.get_by_test_id("save-request").click()
    expect(page.get_by_test_id("request-heading")).to_contain_text("予備部品の見積")
    page.go_back()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    assert "/requests/new" not in page.url
