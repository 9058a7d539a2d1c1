"""Two people change the same field at once: the one who lost sees both values and can restore."""

from playwright.sync_api import expect

from .helpers import sign_in, wait_synced


def edit_request_title(page, live, request_id, title):
    page.goto(f"{live.url}/#/requests/{request_id}")
    page.get_by_test_id("edit-request").click()
    page.get_by_label("件名").fill(title)
    page.get_by_test_id("save-request").click()
    expect(page.get_by_test_id("request-heading")).to_contain_text(title)


def test_concurrent_edits_show_both_values_and_the_lost_one_can_be_restored(
    browser, browser_context_args, live, customers
):
    rep_api = live.device("rep_a")
    request = rep_api.create(
        "requests", customer_id=customers["yamada"]["id"], kind="request", title="治具の追加製作"
    )
    rep_context = browser.new_context(**browser_context_args)
    office_context = browser.new_context(**browser_context_args)
    try:
        rep, office = rep_context.new_page(), office_context.new_page()
        sign_in(rep, live, "rep_a")
        sign_in(office, live, "office")

        rep_context.set_offline(True)
        edit_request_title(rep, live, request["id"], "治具を2台追加製作")
        edit_request_title(office, live, request["id"], "治具の追加製作（見積依頼済み）")
        wait_synced(office)
        rep_context.set_offline(False)
        wait_synced(rep)

        expect(rep.get_by_test_id("conflicts-badge")).to_have_accessible_name("確認が必要な同時編集 1件")
        rep.get_by_test_id("conflicts-badge").click()
        conflict = rep.get_by_test_id("conflict")
        expect(conflict).to_have_count(1)
        expect(conflict).to_contain_text("件名")
        expect(conflict.get_by_test_id("kept-value")).to_contain_text("治具の追加製作（見積依頼済み）")
        expect(conflict.get_by_test_id("kept-value")).to_contain_text("伊藤 美咲")
        expect(conflict.get_by_test_id("lost-value")).to_contain_text("治具を2台追加製作")
        expect(conflict.get_by_test_id("lost-value")).to_contain_text("佐藤 健太")

        conflict.get_by_test_id("restore").click()
        expect(rep.get_by_test_id("no-conflicts")).to_be_visible()
        wait_synced(rep)
        assert rep_api.records("requests")[request["id"]]["title"] == "治具を2台追加製作"
        assert [c["resolved"] for c in rep_api.records("conflicts").values()] == [True]
        office.get_by_test_id("sync-now").click()
        expect(office.get_by_test_id("request-heading")).to_contain_text("治具を2台追加製作")
    finally:
        rep_context.close()
        office_context.close()


def deal_amount_conflict(live, customers, loser="rep_a", winner="manager"):
    """Two people set a deal's amount at once: ``winner``'s later write keeps ¥6,200,000."""
    rep_api = live.device("rep_a")
    deal = rep_api.create(
        "deals", customer_id=customers["yamada"]["id"], title="治具プレート年間契約", amount=5000000
    )
    assert live.device(loser).update("deals", deal, amount=5900000)["status"] == "applied"
    live.device(winner).update("deals", deal, amount=6200000)  # the later write wins
    return deal


def test_a_conflict_names_the_field_in_words_and_shows_money_in_yen(page, live, customers):
    deal_amount_conflict(live, customers, loser="manager", winner="rep_a")
    sign_in(page, live, "manager")
    page.goto(live.url + "/#/conflicts")
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_have_count(1)
    expect(conflict.get_by_role("heading")).to_contain_text("の「金額」")
    expect(conflict.get_by_test_id("kept-value")).to_contain_text("6,200,000円")
    expect(conflict.get_by_test_id("lost-value")).to_contain_text("5,900,000円")
    expect(conflict).not_to_contain_text("amount")
    expect(conflict).not_to_contain_text("6200000")


def test_the_office_does_not_review_a_conflict_between_other_people(page, live, customers):
    deal_amount_conflict(live, customers, loser="manager", winner="rep_a")
    sign_in(page, live, "office")
    page.goto(live.url + "/#/conflicts")
    expect(page.get_by_test_id("others-conflicts")).to_have_text(
        "ほかの人どうしの同時編集 1件は、それぞれの当事者が確認します。"
    )
    expect(page.get_by_test_id("conflict")).to_have_count(0)
    expect(page.get_by_test_id("restore")).to_have_count(0)
    expect(page.locator("#view")).not_to_contain_text("変更しました")  # no account of edits above none
