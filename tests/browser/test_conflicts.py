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
