"""Nothing typed is lost to Back, a tab or a reload (drafts), and Back after a save never opens
the form again, blank, inviting the same record twice."""

import json
import re

import pytest
from playwright.sync_api import expect

from .helpers import idb_all, idb_get, local_storage_full, sign_in, wait_synced, wait_until
from .test_photos import choose_files, noisy_jpeg
from .test_shared_tablet import sign_in_as_someone_else

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


def test_back_after_editing_a_visit_goes_where_the_visit_was_opened_from(phone, live, customers):
    page = phone
    sign_in(page, live, "tech")
    open_customer(page, live, customers["yamada"])
    page.get_by_test_id("timeline").get_by_role("link").first.click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()
    page.get_by_role("link", name="編集").click()
    page.get_by_label("話した内容・メモ").fill("ベルトの張りを調整")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("ベルトの張りを調整")
    page.go_back()  # once: the visit is not in the history twice
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")


def new_visit_with_a_memo(page, live, customers, memo="ローラーの異音を確認"):
    """The technician on a phone, on 「訪問を記録」 for 山田製作所, has typed ``memo``."""
    sign_in(page, live, "tech")
    open_customer(page, live, customers["yamada"])
    page.get_by_test_id("new-visit").click()
    page.get_by_label("話した内容・メモ").fill(memo)
    return page.get_by_label("話した内容・メモ")


def test_a_memo_typed_in_a_visit_survives_another_tab_and_back(phone, live, customers):
    page = phone
    memo = new_visit_with_a_memo(page, live, customers)
    page.get_by_test_id("tab-today").click()
    expect(page.get_by_role("heading", name="今日の記録")).to_be_visible()
    page.go_back()
    expect(memo).to_have_value("ローラーの異音を確認")
    expect(page.get_by_test_id("draft-notice")).to_contain_text("前回入力途中の内容を戻しました")
    # Opened again the way it was opened first, it is the same draft.
    page.get_by_test_id("tab-customers").click()
    open_customer(page, live, customers["yamada"])
    page.get_by_test_id("new-visit").click()
    expect(memo).to_have_value("ローラーの異音を確認")


def test_photos_parts_and_a_person_added_in_a_visit_survive_back_and_are_saved_with_it(
    phone, context, live, customers
):
    """A technician with no signal looks at the customer's history halfway through a visit: the
    photo taken, the part typed and the person added are all there again when they come back."""
    page = phone
    memo = new_visit_with_a_memo(page, live, customers, memo="Oリング交換")
    page.context.set_offline(True)
    choose_files(page, [noisy_jpeg(3, (400, 300))])
    expect(page.get_by_test_id("draft-photo-field").locator("img")).to_have_count(1)
    page.get_by_test_id("add-part").click()
    page.get_by_test_id("part-name").fill("Oリング P20")
    page.get_by_test_id("part-quantity").fill("4")
    page.get_by_test_id("add-contact").click()
    page.get_by_label("氏名").fill("田中 工場長")
    page.get_by_role("button", name="追加する").click()
    expect(page.get_by_label("田中 工場長")).to_be_checked()
    page.wait_for_timeout(500)  # past the draft's keystroke delay
    page.go_back()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    page.go_forward()
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(memo).to_have_value("Oリング交換")
    expect(page.get_by_test_id("draft-photo-field").locator("img")).to_have_count(1)
    expect(page.get_by_test_id("part-name")).to_have_value("Oリング P20")
    expect(page.get_by_test_id("part-quantity")).to_have_value("4")
    expect(page.get_by_label("田中 工場長")).to_be_checked()
    page.reload()  # an update or a closed app: the same
    expect(page.get_by_test_id("draft-photo-field").locator("img")).to_have_count(1)
    expect(page.get_by_label("田中 工場長")).to_be_checked()
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()
    page.context.set_offline(False)
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    office = live.device("office")
    visit = next(v for v in office.records("visits").values() if v.get("notes") == "Oリング交換")
    assert visit["parts"] == [{"name": "Oリング P20", "quantity": 4}]
    people = {c["id"]: c["name"] for c in office.records("contacts").values()}
    assert "田中 工場長" in [people.get(i) for i in visit["contact_ids"]]
    photos = [a for a in office.records("attachments").values() if a["owner_id"] == visit["id"]]
    assert [a["purpose"] for a in photos] == ["photo"]


def test_cancel_forgets_the_photos_of_a_new_visit(phone, live, customers):
    page = phone
    new_visit_with_a_memo(page, live, customers)
    choose_files(page, [noisy_jpeg(4, (400, 300))])
    expect(page.get_by_test_id("draft-photo-field").locator("img")).to_have_count(1)
    assert len(idb_all(page, "photos")) == 1  # kept on the device at once
    page.get_by_role("link", name="キャンセル").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    for _ in range(50):
        if not idb_all(page, "photos"):
            break
        page.wait_for_timeout(100)
    assert idb_all(page, "photos") == []
    page.get_by_test_id("new-visit").click()
    expect(page.get_by_test_id("draft-photo-field").locator("img")).to_have_count(0)


def test_a_memo_typed_in_a_visit_survives_a_reload(phone, live, customers):
    page = phone
    memo = new_visit_with_a_memo(page, live, customers)
    page.reload()
    expect(memo).to_have_value("ローラーの異音を確認")
    expect(page.get_by_test_id("draft-notice")).to_be_visible()


def test_the_customer_picked_in_a_new_visit_comes_back_with_the_draft(phone, live, customers):
    page = phone
    sign_in(page, live)
    page.goto(live.url + "/#/visits/new")
    page.get_by_test_id("customer-picker").fill("やまだ")
    page.locator(".picker-results").get_by_role("button", name="山田製作所").click()
    expect(page.get_by_test_id("chosen-customer")).to_have_text("山田製作所")
    page.get_by_label("話した内容・メモ").fill("ローラーの異音を確認")
    page.reload()
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(page.get_by_test_id("chosen-customer")).to_have_text("山田製作所")
    expect(page.get_by_label("話した内容・メモ")).to_have_value("ローラーの異音を確認")
    expect(page.get_by_label("山田 太郎")).to_be_checked()  # the customer's contacts came back too
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("山田製作所")
    wait_synced(page)
    visits = live.device("rep_a").records("visits").values()
    assert [v["customer_id"] for v in visits if v.get("notes") == "ローラーの異音を確認"] == [
        customers["yamada"]["id"]
    ]


def test_a_saved_visit_leaves_no_draft(phone, live, customers):
    page = phone
    memo = new_visit_with_a_memo(page, live, customers)
    page.reload()
    expect(memo).to_have_value("ローラーの異音を確認")  # kept as a draft until now
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("ローラーの異音を確認")
    page.go_back()
    page.get_by_test_id("new-visit").click()
    expect(page.get_by_label("話した内容・メモ")).to_have_value("")
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)


def test_cancel_leaves_no_draft(phone, live, customers):
    page = phone
    memo = new_visit_with_a_memo(page, live, customers)
    page.reload()
    expect(memo).to_have_value("ローラーの異音を確認")  # kept as a draft until now
    page.get_by_role("link", name="キャンセル").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    page.get_by_test_id("new-visit").click()
    expect(page.get_by_label("話した内容・メモ")).to_have_value("")
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)


def test_discard_puts_the_form_back_as_it_was_and_forgets_the_draft(phone, live, customers):
    page = phone
    memo = new_visit_with_a_memo(page, live, customers)
    page.get_by_label("目的").fill("定期点検")
    page.reload()
    expect(memo).to_have_value("ローラーの異音を確認")
    page.get_by_test_id("draft-discard").click()
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)
    expect(memo).to_have_value("")
    expect(page.get_by_label("目的")).to_have_value("")
    page.reload()
    expect(page.get_by_test_id("save-visit")).to_be_visible()
    expect(memo).to_have_value("")
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)


def test_signing_out_removes_the_drafts_and_the_next_person_sees_none(phone, live, customers):
    page = phone
    new_visit_with_a_memo(page, live, customers, memo="田中さんの作業メモ")
    address = page.url
    page.reload()
    expect(page.get_by_label("話した内容・メモ")).to_have_value("田中さんの作業メモ")  # a draft until now
    page.get_by_test_id("tab-sync").click()
    warnings = []
    page.once("dialog", lambda dialog: (warnings.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_label("ログインID")).to_be_visible()
    assert warnings[0].startswith("入力して保存していないフォームが 1 件あります。ログアウトすると")
    assert drafts_left(page) == []
    sign_in(page, live, "rep_a")
    page.goto(address)
    expect(page.get_by_label("話した内容・メモ")).to_have_value("")
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)


def test_a_request_and_a_new_customer_keep_what_was_typed_over_a_reload(phone, live, customers):
    page = phone
    sign_in(page, live, "tech")
    open_customer(page, live, customers["yamada"])
    page.get_by_test_id("new-request").click()
    page.get_by_text("クレーム", exact=True).click()
    page.get_by_label("件名").fill("ローラー軸受の摩耗")
    page.reload()
    expect(page.get_by_label("件名")).to_have_value("ローラー軸受の摩耗")
    expect(page.get_by_label("クレーム")).to_be_checked()

    page.goto(live.url + "/#/customers/new")
    page.get_by_test_id("customer-name-input").fill("新潟精密")
    page.reload()
    expect(page.get_by_test_id("customer-name-input")).to_have_value("新潟精密")
    expect(page.get_by_test_id("draft-notice")).to_be_visible()


def test_the_daily_report_keeps_the_notes_across_tabs(phone, live, customers):
    page = phone
    sign_in(page, live, "tech")
    page.get_by_test_id("tab-today").click()
    notes = page.get_by_test_id("report-notes")
    notes.fill("午後は部品待ち")
    page.get_by_test_id("tab-customers").click()
    expect(page.get_by_role("heading", name="顧客")).to_be_visible()
    page.get_by_test_id("tab-today").click()
    expect(notes).to_have_value("午後は部品待ち")
    page.get_by_test_id("report-save").click()
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('genba.draft.'))") == []


def test_an_edit_draft_restores_only_what_the_user_changed(phone, live, customers):
    """The request's title changed on another device while the user's edit of its details
    waited: the form shows the new title and the typed details."""
    page = phone
    tech = live.device("tech")
    request = tech.create("requests", customer_id=customers["yamada"]["id"], kind="request", title="予備部品")
    sign_in(page, live, "tech")
    page.goto(live.url + f"/#/requests/{request['id']}/edit")
    page.get_by_label("詳しい内容").fill("ベアリング 6204 を2個")
    page.get_by_test_id("tab-customers").click()
    tech.update("requests", request, title="予備部品の見積")
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    page.go_back()
    expect(page.get_by_label("件名")).to_have_value("予備部品の見積")
    expect(page.get_by_label("詳しい内容")).to_have_value("ベアリング 6204 を2個")


CHANGED_MEANWHILE = "その後、保存済みの「詳しい内容」が変わっています。"


def test_a_change_made_meanwhile_is_named_each_time_the_edit_draft_comes_back(phone, live, customers):
    """The details the user is rewriting changed on another device: the notice says so when the
    draft is put back, and again after leaving and coming back, as long as it still differs."""
    page = phone
    tech = live.device("tech")
    request = tech.create(
        "requests",
        customer_id=customers["yamada"]["id"],
        kind="request",
        title="予備部品",
        details="ベアリング",
    )
    sign_in(page, live, "tech")
    page.goto(live.url + f"/#/requests/{request['id']}/edit")
    page.get_by_label("詳しい内容").fill("ベアリング 6204 を2個")
    page.get_by_test_id("tab-customers").click()
    assert tech.update("requests", request, details="ベアリング 6205 を1個")["status"] == "applied"
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    for time in ["first", "second"]:
        page.go_back()
        expect(page.get_by_label("詳しい内容")).to_have_value("ベアリング 6204 を2個")
        expect(page.get_by_test_id("draft-notice"), f"the {time} time").to_contain_text(CHANGED_MEANWHILE)
        page.get_by_test_id("tab-customers").click()
        expect(page.get_by_role("heading", name="顧客", exact=True)).to_be_visible()
    page.reload()
    page.go_back()
    expect(page.get_by_test_id("draft-notice")).to_contain_text(CHANGED_MEANWHILE)


def drafts_left(page):
    return page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('genba.draft.'))")


def test_the_next_person_is_told_of_the_last_persons_unsaved_form_and_decides(phone, live, customers):
    """A shared phone: the technician left a visit typed and not saved. The next person signing in
    is asked first; refusing keeps the form for the technician, agreeing erases it."""
    page = phone
    new_visit_with_a_memo(page, live, customers, memo="田中さんの作業メモ")
    address = page.url
    wait_until(page, "() => Object.keys(localStorage).some((k) => k.startsWith('genba.draft.'))")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    sign_in_as_someone_else(page, live, "rep_a")
    expect(page.get_by_test_id("login-error")).to_contain_text("保存していないフォーム 1 件を残しました")
    assert "保存していないフォームが 1 件あります。切り替えると消去されます" in asked[0]
    assert idb_get(page, "meta", "user")["id"] == live.device("tech").user["id"]
    assert len(drafts_left(page)) == 1
    # The technician finds the form on the sync page and goes on where they left off.
    page.goto(live.url + "/#/sync")
    typed = page.get_by_test_id("drafts")
    expect(typed.get_by_role("heading")).to_have_text("入力途中のフォーム（1件）")
    typed.get_by_role("link", name=re.compile("訪問の記録（新規）")).click()
    expect(page.get_by_label("話した内容・メモ")).to_have_value("田中さんの作業メモ")
    assert page.url == address

    page.once("dialog", lambda dialog: dialog.accept())
    sign_in_as_someone_else(page, live, "rep_a")
    expect(page.get_by_label("パスワード")).to_have_count(0)
    assert idb_get(page, "meta", "user")["id"] == live.device("rep_a").user["id"]
    assert drafts_left(page) == []
    page.goto(address)
    expect(page.get_by_label("話した内容・メモ")).to_have_value("")


def test_a_quote_being_typed_survives_a_reload_and_saving_it_leaves_no_draft(phone, live, customers):
    page = phone
    live.device("office").create("resource_groups", name="機械加工", hours_per_day=8, efficiency=1, sort=1)
    sign_in(page, live, "rep_a")
    open_customer(page, live, customers["yamada"])
    page.get_by_test_id("new-quote").click()
    page.get_by_label("品名").fill("駆動シャフト")
    page.get_by_label("材質").fill("SUS304")
    page.get_by_label("見積金額（円）").fill("48万")
    page.get_by_label("機械加工").fill("12")
    week = page.get_by_test_id("quote-delivery-week")
    week.select_option(index=3)
    chosen = week.input_value()
    page.get_by_text("提出済み", exact=True).click()
    page.reload()
    expect(page.get_by_test_id("draft-notice")).to_contain_text("前回入力途中の内容を戻しました")
    expect(page.get_by_label("品名")).to_have_value("駆動シャフト")
    expect(page.get_by_label("材質")).to_have_value("SUS304")
    expect(page.get_by_label("見積金額（円）")).to_have_value("48万")
    expect(page.get_by_label("機械加工")).to_have_value("12")
    expect(week).to_have_value(chosen)
    expect(page.get_by_label("提出済み")).to_be_checked()
    page.get_by_test_id("save-quote").click()
    expect(page).to_have_url(re.compile(r"#/quotes/[\w-]+$"))
    assert drafts_left(page) == []
    page.go_back()
    page.get_by_test_id("new-quote").click()
    expect(page.get_by_label("品名")).to_have_value("")
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)


def test_an_edited_quote_keeps_what_was_typed_over_another_tab_and_cancel_forgets_it(phone, live, customers):
    page = phone
    quote = live.device("rep_a").create(
        "quotes", customer_id=customers["yamada"]["id"], product="駆動シャフト", amount=480000
    )
    sign_in(page, live, "rep_a")
    page.goto(live.url + f"/#/quotes/{quote['id']}/edit")
    page.get_by_label("実際の原価（円）").fill("512000")
    page.get_by_label("苦労した点").fill("キー溝の公差が厳しい")
    page.get_by_test_id("tab-customers").click()
    expect(page.get_by_role("heading", name="顧客", exact=True)).to_be_visible()
    page.go_back()
    expect(page.get_by_label("実際の原価（円）")).to_have_value("512000")
    expect(page.get_by_label("苦労した点")).to_have_value("キー溝の公差が厳しい")
    expect(page.get_by_label("品名")).to_have_value("駆動シャフト")
    page.get_by_role("link", name="キャンセル").click()
    expect(page).to_have_url(re.compile(rf"#/quotes/{quote['id']}$"))
    assert drafts_left(page) == []


def test_a_new_deal_being_typed_survives_a_reload_and_cancel_forgets_it(phone, live, customers):
    page = phone
    sign_in(page, live, "rep_a")
    open_customer(page, live, customers["sanjo"])
    page.get_by_test_id("new-deal").click()
    page.get_by_test_id("deal-new-title").fill("精密シャフト 量産案件")
    page.get_by_test_id("deal-new-stage").select_option("product_intro")
    page.get_by_text("ボールは顧客", exact=True).click()
    page.get_by_test_id("deal-new-amount").fill("120万")
    page.get_by_test_id("deal-new-close").fill("2027-03-31")
    page.reload()
    expect(page.get_by_test_id("draft-notice")).to_contain_text("前回入力途中の内容を戻しました")
    expect(page.get_by_test_id("deal-new-customer")).to_have_text("顧客: 有限会社三条精工")
    expect(page.get_by_test_id("deal-new-title")).to_have_value("精密シャフト 量産案件")
    expect(page.get_by_test_id("deal-new-stage")).to_have_value("product_intro")
    expect(page.get_by_label("ボールは顧客")).to_be_checked()
    expect(page.get_by_test_id("deal-new-amount")).to_have_value("120万")
    expect(page.get_by_test_id("deal-new-close")).to_have_value("2027-03-31")
    page.get_by_role("link", name="キャンセル").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("有限会社三条精工")
    assert drafts_left(page) == []
    page.get_by_test_id("new-deal").click()
    expect(page.get_by_test_id("deal-new-title")).to_have_value("")
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)


def test_a_saved_deal_leaves_no_draft(phone, live, customers):
    page = phone
    sign_in(page, live, "rep_a")
    open_customer(page, live, customers["sanjo"])
    page.get_by_test_id("new-deal").click()
    page.get_by_test_id("deal-new-title").fill("治具の追加注文")
    page.reload()
    expect(page.get_by_test_id("deal-new-title")).to_have_value("治具の追加注文")
    page.get_by_test_id("deal-create").click()
    expect(page.get_by_test_id("deal-title")).to_have_text("治具の追加注文")
    assert drafts_left(page) == []


def test_the_customer_picked_in_a_new_deal_and_a_new_quote_comes_back_with_the_draft(phone, live, customers):
    page = phone
    sign_in(page, live, "rep_a")
    page.goto(live.url + "/#/deals/new")
    page.get_by_test_id("customer-picker").fill("さんじょう")
    page.locator(".picker-results").get_by_role("button", name="有限会社三条精工").click()
    # chosen once the picker has read the customer (a reload before that, once in a full run, kept none)
    expect(page.get_by_test_id("deal-new-customer")).to_have_text("顧客: 有限会社三条精工")
    page.get_by_test_id("deal-new-title").fill("精密シャフト 量産案件")
    page.reload()
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(page.get_by_test_id("deal-new-customer")).to_have_text("顧客: 有限会社三条精工")
    expect(page.get_by_test_id("deal-new-title")).to_have_value("精密シャフト 量産案件")

    page.goto(live.url + "/#/quotes/new")
    expect(page.get_by_test_id("quote-customer")).to_have_text("顧客を選んでください。")
    page.get_by_test_id("customer-picker").fill("やまだ")  # no customer yet: the picker is open
    page.locator(".picker-results").get_by_role("button", name="山田製作所").click()
    expect(page.get_by_test_id("quote-customer")).to_contain_text("山田製作所")
    page.get_by_label("品名").fill("駆動シャフト")
    page.reload()
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(page.get_by_test_id("quote-customer")).to_contain_text("山田製作所")
    expect(page.get_by_test_id("customer-picker")).to_be_hidden()  # chosen: the picker folds
    expect(page.get_by_label("品名")).to_have_value("駆動シャフト")


def test_a_draft_the_device_cannot_keep_is_said_so_while_typing(page, live, customers):
    page.add_init_script(local_storage_full("genba.draft."))
    sign_in(page, live)
    page.evaluate("window.refuse = true")
    page.get_by_role("link", name=re.compile("山田製作所")).first.click()
    page.get_by_test_id("new-visit").click()
    page.get_by_label("話した内容・メモ").fill("控えられないメモ")
    expect(page.get_by_test_id("draft-not-kept")).to_have_text(
        "入力途中の内容を端末に控えられません（空き容量が足りないかもしれません）。画面を離れる前に保存してください。"
    )
    page.evaluate("window.refuse = false")
    page.get_by_label("話した内容・メモ").fill("控えられるメモ")
    expect(page.get_by_test_id("draft-not-kept")).to_have_count(0)


PLANT_PHOTOS = """async () => {
    const base = document.querySelector("script[type=module]").src.replace("app.js", "");
    const db = await import(base + "db.js");
    const blob = new Blob([new Uint8Array(2000)], { type: "image/jpeg" });
    const old = Date.now() - 2 * 24 * 3600 * 1000;
    const tx = await db.transaction(["photos"], "readwrite", "strict");
    for (const id of ["orphan-old", "named-old", "orphan-new"]) {
        tx.objectStore("photos").put({ id, blob, size: blob.size, type: "image/jpeg", mine: true, state: "waiting",
            added_ms: id.endsWith("new") ? Date.now() : old });
    }
    await db.done(tx);
}"""


def test_photos_of_a_form_never_saved_that_no_draft_names_are_deleted_a_day_later(phone, live, customers):
    page = phone
    new_visit_with_a_memo(page, live, customers)
    page.evaluate(PLANT_PHOTOS)
    user = idb_get(page, "meta", "user")["id"]
    draft = {
        "at": "2026-12-01T00:00:00Z",
        "fields": {"draft_photos": {"from": "[]", "to": '[{"id": "named-old"}]'}},
    }
    page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [f"genba.draft.{user}:#/visits/new?customer=elsewhere", json.dumps(draft)],
    )
    page.reload()
    expect(page.get_by_test_id("save-visit")).to_be_visible()
    for _ in range(50):
        left = sorted(p["id"] for p in idb_all(page, "photos"))
        if "orphan-old" not in left:
            break
        page.wait_for_timeout(100)
    assert left == ["named-old", "orphan-new"]  # a draft still names one; the other is too new to judge
