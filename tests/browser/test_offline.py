"""The app starts, searches and saves with no network, and what it saved reaches the server
exactly once when the network is back."""

import re

from playwright.sync_api import expect

from .helpers import outbox, record_visit, sign_in, wait_synced


def test_offline_reload_shows_the_app_and_customers_from_indexeddb(page, context, live, customers):
    sign_in(page, live)
    context.set_offline(True)
    response = page.reload()
    assert response.from_service_worker
    expect(page.get_by_test_id("offline-badge")).to_be_visible()
    expect(page.get_by_test_id("customer-list")).to_contain_text("山田製作所")
    page.get_by_label("顧客を検索").fill("ホクシン")
    expect(page.get_by_test_id("customer-list")).to_contain_text("株式会社北辰フードマシナリー")
    expect(page.get_by_test_id("customer-list")).not_to_contain_text("山田製作所")
    page.get_by_role("link", name=re.compile("北辰")).click()
    expect(page.get_by_test_id("customer-name")).to_have_text("株式会社北辰フードマシナリー")


def test_offline_visit_and_complaint_survive_closing_and_reach_the_server_once(
    page, context, live, customers
):
    sign_in(page, live)
    context.set_offline(True)
    record_visit(
        page,
        re.compile("山田製作所"),
        kind="アフターサービス",
        purpose="定期点検",
        handling="ローラー部の点検と給油",
    )
    page.get_by_test_id("new-request").click()
    page.get_by_text("クレーム", exact=True).click()
    page.get_by_label("件名").fill("ローラー部から異音がする")
    page.get_by_label("詳しい内容").fill("運転開始から30分ほどで異音。前回点検時はなし。")
    page.get_by_test_id("save-request").click()
    expect(page.get_by_test_id("route")).to_have_text("同期後に決まります")
    expect(page.get_by_test_id("pending-count")).to_have_text("2")

    page.close()
    page = context.new_page()
    page.goto(live.url + f"/#/customers/{customers['yamada']['id']}")
    expect(page.get_by_test_id("timeline")).to_contain_text("ローラー部から異音がする")
    expect(page.get_by_test_id("timeline")).to_contain_text("ローラー部の点検と給油")
    expect(page.get_by_test_id("pending-count")).to_have_text("2")
    assert len(outbox(page)) == 2

    context.set_offline(False)
    wait_synced(page)
    office = live.device("office")
    visits = [v for v in office.records("visits").values() if v["handling"] == "ローラー部の点検と給油"]
    requests = [r for r in office.records("requests").values() if r["title"] == "ローラー部から異音がする"]
    assert [(v["version"], v["kind"]) for v in visits] == [(1, "aftercare")]
    assert [(r["version"], r["kind"], r["route_to"], r["visit_id"]) for r in requests] == [
        (1, "complaint", "manufacturing", visits[0]["id"])
    ]
    expect(page.get_by_test_id("timeline").get_by_test_id("route")).to_have_text("振り分け: 製造")
    assert outbox(page) == []


def test_a_push_cut_after_the_server_applied_it_is_retried_without_duplicates(page, context, live, customers):
    sign_in(page, live)
    answers = []

    def cut_the_first_answer(route):
        response = route.fetch()  # the server applies the push ...
        answers.append(response.json())
        if len(answers) == 1:
            route.abort("connectionreset")  # ... and the answer is lost on the way back
        else:
            route.fulfill(response=response)

    context.route("**/api/v1/sync/push", cut_the_first_answer)
    record_visit(page, re.compile("山田製作所"), purpose="回線が切れても一件だけ")
    wait_synced(page)
    assert [[r["status"] for r in a["results"]] for a in answers] == [["applied"], ["duplicate"]]
    visits = [
        v
        for v in live.device("office").records("visits").values()
        if v["purpose"] == "回線が切れても一件だけ"
    ]
    assert [v["version"] for v in visits] == [1]
    assert live.sql(
        "SELECT count(*) FROM records WHERE entity = 'visits' AND data LIKE ?", "%回線が切れても一件だけ%"
    ) == [(1,)]


def test_a_rep_finds_a_customer_outside_their_list_online_and_an_approved_follow_brings_its_history(
    page, live, customers
):
    sign_in(page, live, "rep_b")  # team west: rep_a's customers are not theirs
    page.get_by_label("顧客を検索").fill("ヤマダ")
    expect(page.get_by_test_id("customer-list").get_by_role("listitem")).to_have_count(0)
    page.get_by_test_id("server-search").click()
    results = page.get_by_test_id("server-results")
    expect(results).to_have_text(["山田製作所フォローする"])
    results.get_by_role("button", name="フォローする").click()
    expect(results).to_contain_text("申請しました")
    wait_synced(page)
    owner = live.device("rep_a")  # the customer's owner approves the request
    follow = [c["record"] for c in owner.sync() if c.get("entity") == "follows"][-1]
    assert follow["status"] == "requested"
    owner.push(owner.mutation("follows", follow["id"], base_version=follow["version"], status="approved"))
    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("customer-list")).to_contain_text("山田製作所")
    page.get_by_role("link", name=re.compile("山田製作所")).click()
    expect(page.get_by_test_id("timeline")).to_contain_text("新製品の紹介")
