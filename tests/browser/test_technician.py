"""The technician in the hand: photos taken while the visit or complaint is still being written
go with it (offline too), and no deal or quote is offered that he could never find again."""

import pytest
from playwright.sync_api import expect

from quote_fixture import QUOTES

from .helpers import SPARE_PHOTOS, idb_all, outbox, sign_in, wait_synced, wait_until
from .test_photos import noisy_jpeg

SIZES = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1280, "height": 800}}


@pytest.fixture(params=list(SIZES))
def sized(request, browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "viewport": SIZES[request.param]})
    yield context, context.new_page()
    context.close()


def test_photos_taken_before_saving_go_with_the_visit_and_the_complaint_offline(sized, live, customers):
    context, page = sized
    sign_in(page, live, "tech")
    context.set_offline(True)
    page.goto(live.url + f"/#/visits/new?customer={customers['yamada']['id']}")
    page.get_by_label("目的").fill("異音の点検")
    page.get_by_test_id("photo-gallery").set_input_files([noisy_jpeg(1), noisy_jpeg(2)])
    expect(page.get_by_test_id("draft-photo")).to_have_count(2)
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()
    expect(page.get_by_test_id("photo")).to_have_count(2)
    visit_id = page.url.rsplit("/", 1)[-1]

    page.goto(live.url + f"/#/requests/new?customer={customers['yamada']['id']}&visit={visit_id}")
    page.get_by_text("クレーム", exact=True).click()
    page.get_by_label("件名").fill("ローラー軸受の摩耗")
    page.get_by_test_id("photo-gallery").set_input_files([noisy_jpeg(3)])
    expect(page.get_by_test_id("draft-photo")).to_have_count(1)
    page.get_by_test_id("save-request").click()
    expect(page.get_by_test_id("request-heading")).to_contain_text("ローラー軸受の摩耗")
    expect(page.get_by_test_id("photo")).to_have_count(1)
    request_id = page.url.rsplit("/", 1)[-1]
    assert sorted(e["entity"] for e in outbox(page)) == ["attachments"] * 3 + ["requests", "visits"]

    context.set_offline(False)
    wait_synced(page)
    owners = [a["owner_id"] for a in live.device("office").records("attachments").values()]
    assert sorted(owners) == sorted([visit_id, visit_id, request_id])
    expect(page.get_by_test_id("photo-state")).to_have_text(["送信済み"], timeout=30_000)


def test_a_photo_of_a_visit_left_unsaved_does_not_stay_on_the_device(page, live, customers):
    sign_in(page, live, "tech")
    page.goto(live.url + f"/#/visits/new?customer={customers['yamada']['id']}")
    page.get_by_test_id("photo-gallery").set_input_files([noisy_jpeg(4)])
    expect(page.get_by_test_id("draft-photo")).to_have_count(1)
    assert len(idb_all(page, "photos")) == 1  # held with the draft
    wait_until(page, SPARE_PHOTOS.format(count=1))  # and its spare copy
    page.get_by_role("link", name="キャンセル").click()
    expect(page.get_by_test_id("customer-name")).to_be_visible()
    wait_until(
        page,
        """() => new Promise((resolve) => {
        const open = indexedDB.open("genba");
        open.onsuccess = () => {
            const request = open.result.transaction("photos").objectStore("photos").count();
            request.onsuccess = () => { open.result.close(); resolve(request.result === 0); };
        };
    })""",
    )
    wait_until(page, SPARE_PHOTOS.format(count=0))


@pytest.mark.parametrize(
    "login, offered",
    [("tech", False), ("rep_a", True), ("office", True)],
)
def test_deals_and_quotes_are_offered_only_to_who_works_with_them(page, live, customers, login, offered):
    quote = live.device("rep_a").create(
        "quotes", customer_id=customers["yamada"]["id"], **QUOTES["shaft_sus"][1]
    )
    sign_in(page, live, login)
    page.goto(live.url + f"/#/customers/{customers['yamada']['id']}")
    expect(page.get_by_test_id("new-visit")).to_be_visible()
    expect(page.get_by_test_id("new-request")).to_be_visible()
    expect(page.get_by_test_id("new-deal")).to_have_count(1 if offered else 0)
    expect(page.get_by_test_id("new-quote")).to_have_count(1 if offered else 0)
    if not offered:
        page.goto(live.url + "/#/deals/new")
        expect(page.get_by_test_id("deal-forbidden")).to_contain_text("営業・事務・管理者")
        page.goto(live.url + "/#/quotes/new")
        expect(page.get_by_test_id("quote-forbidden")).to_be_visible()
    page.goto(live.url + f"/#/quotes/{quote['id']}")
    expect(page.get_by_test_id("print-quote")).to_be_visible()
    expect(page.get_by_test_id("make-again")).to_have_count(1 if offered else 0)
    expect(page.get_by_test_id("edit-quote")).to_have_count(1 if offered else 0)


def test_a_sales_meeting_folds_work_time_and_parts_which_open_for_aftercare_once_filled_and_on_an_error(
    page, live, customers
):
    sign_in(page, live)  # a rep: a new visit is a sales meeting
    page.goto(f"{live.url}/#/visits/new?customer={customers['yamada']['id']}")
    minutes, fold = page.get_by_test_id("work-minutes"), page.get_by_test_id("work-fold")
    expect(page.get_by_label("実施した対応")).to_be_visible()
    expect(minutes).to_be_hidden()
    expect(page.get_by_test_id("add-part")).to_be_hidden()
    page.get_by_text("アフターサービス", exact=True).click()
    expect(minutes).to_be_visible()
    page.get_by_text("電話", exact=True).click()
    expect(minutes).to_be_hidden()
    # A phone call that ships a part: opened by hand, and kept open once filled.
    fold.get_by_text("作業時間・使用部品").click()
    page.get_by_test_id("add-part").click()
    page.get_by_test_id("part-name").fill("ガスケット G-40")
    page.get_by_test_id("part-quantity").fill("2")
    page.get_by_text("営業訪問", exact=True).click()
    expect(page.get_by_test_id("part-name")).to_be_visible()
    # Put back from a draft, the part is in view again.
    page.wait_for_timeout(500)  # past the draft's keystroke delay
    page.reload()
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(page.get_by_test_id("part-name")).to_have_value("ガスケット G-40")
    expect(page.get_by_test_id("part-name")).to_be_visible()
    # A time the app cannot read, folded away by hand: the save opens the fold at the error.
    minutes.fill("約1時間")
    fold.get_by_text("作業時間・使用部品").click()
    expect(minutes).to_be_hidden()
    page.get_by_test_id("save-visit").click()
    expect(minutes).to_be_focused()
    expect(page.locator("[data-field=work_minutes] .field-error")).to_contain_text("1時間30分")
    minutes.fill("30分")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("ガスケット G-40")
    page.get_by_role("link", name="編集").click()
    expect(page.get_by_test_id("part-name")).to_be_visible()
    expect(minutes).to_have_value("30")
    wait_synced(page)
    (visit,) = [v for v in live.device("rep_a").records("visits").values() if v.get("parts")]
    assert (visit["kind"], visit["work_minutes"], visit["parts"]) == (
        "sales",
        30,
        [{"name": "ガスケット G-40", "quantity": 2}],
    )
