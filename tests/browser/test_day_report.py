"""The day's report as its author and the manager see it change: a visit recorded after the
summary is named until it is drafted again, a signature is no photo, and an approved report
says what a change does."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .helpers import go_to, sign_in, wait_synced
from .test_reports import log_visit, sign


def test_a_visit_recorded_after_the_report_is_named_until_the_summary_is_drafted_again(
    page, context, live, customers
):
    sign_in(page, live, login="tech")
    context.set_offline(True)
    log_visit(
        page, re.compile("山田製作所"), "定期点検", "主軸ベアリングを交換", 95, [("ベアリング 6204", 2)]
    )
    sign(page, "山田 太郎")
    go_to(page, "today")
    expect(page.get_by_test_id("day-stats")).to_contain_text("写真 0枚")  # the signature is no photo
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("提出済み")
    expect(page.get_by_test_id("summary-missing")).to_be_hidden()

    log_visit(page, re.compile("三条精工"), "異音の調査", "ベルトの張りを調整", 40, [("Vベルト A-40", 1)])
    go_to(page, "today")
    missing = page.get_by_test_id("summary-missing")
    expect(missing).to_be_visible()
    expect(missing).to_contain_text("三条精工")
    expect(missing).not_to_contain_text("山田製作所")
    page.get_by_role("button", name="記録から下書きし直す").click()
    expect(page.get_by_test_id("report-summary")).to_have_value(re.compile("三条精工"))
    expect(missing).to_be_hidden()


def test_an_approved_report_says_a_change_submits_it_again_and_approving_is_confirmed(
    page, browser, live, customers
):
    sign_in(page, live, login="tech")
    log_visit(
        page, re.compile("山田製作所"), "定期点検", "主軸ベアリングを交換", 95, [("ベアリング 6204", 2)]
    )
    go_to(page, "today")
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("提出済み")
    expect(page.get_by_test_id("report-approved-hint")).to_be_hidden()
    wait_synced(page)

    manager_context = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 390, "height": 844}
    )
    manager = manager_context.new_page()
    sign_in(manager, live, login="manager")
    manager.goto(live.url + f"/#/today?user={live.device('tech').user['id']}")
    manager.get_by_test_id("review-approve").click()
    expect(manager.get_by_test_id("review-saved")).to_contain_text("承認しました。")
    expect(manager.get_by_test_id("report-status")).to_contain_text("承認済み")
    manager.get_by_test_id("review-approve").click()  # again: nothing left to do, and it says so
    expect(manager.get_by_test_id("review-saved")).to_have_text("変更はありません。")
    wait_synced(manager)
    manager_context.close()

    page.reload()
    wait_synced(page)
    go_to(page, "today")
    expect(page.get_by_test_id("report-status")).to_contain_text("承認済み")
    expect(page.get_by_test_id("report-approved-hint")).to_contain_text("もう一度提出したことになり")
    expect(page.get_by_test_id("report-save")).to_be_hidden()
    expect(page.get_by_test_id("report-submit")).to_have_text("直して再提出する")


def test_another_day_is_titled_by_its_date_and_a_day_with_no_report_is_not_called_a_draft(
    page, browser, live, customers
):
    sign_in(page, live, login="tech")
    go_to(page, "today")
    expect(page.get_by_role("heading", level=1)).to_have_text("今日の記録")
    today = page.get_by_test_id("day-current").inner_text()
    page.get_by_test_id("day-prev").click()
    expect(page.get_by_test_id("day-current")).not_to_have_text(today)
    day = page.get_by_test_id("day-current").inner_text()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{day}の記録")  # not 「今日の記録」

    manager_context = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 390, "height": 844}
    )
    manager = manager_context.new_page()
    sign_in(manager, live, login="manager")
    manager.goto(live.url + f"/#/today?user={live.device('tech').user['id']}")
    review = manager.get_by_test_id("review")
    expect(review).to_contain_text("未提出")
    expect(review.get_by_test_id("report-status")).to_have_count(0)  # no 「下書き」 badge: there is none
    manager_context.close()


def visits_of(person, customers, kind="aftercare"):
    """A function recording ``person``'s visit to a customer ``days_ago`` days before today
    (Tokyo's), at ten or, today, now, with a next action due ``due_in`` days from today."""
    tokyo = datetime.now(ZoneInfo("Asia/Tokyo"))

    def visit(customer, days_ago, action=None, due_in=None):
        when = (tokyo - timedelta(days=days_ago)).replace(hour=10, minute=0) if days_ago else tokyo
        fields = {
            "customer_id": customers[customer]["id"],
            "kind": kind,
            "visited_at": when.isoformat(),
        }
        if action:
            due = (tokyo + timedelta(days=due_in)).strftime("%Y-%m-%d")
            fields.update(next_action=action, next_action_due=due)
        person.create("visits", **fields)

    return visit


def expect_next_actions(page, *rows):
    """今日 lists these next actions in this order, each row holding its texts; the list."""
    due = page.get_by_test_id("next-actions").get_by_role("listitem")
    expect(due).to_have_count(len(rows))
    for i, texts in enumerate(rows):
        for text in texts:
            expect(due.nth(i)).to_contain_text(text)
    return due


def test_today_lists_the_next_actions_due_within_a_week_until_a_later_visit_takes_their_place(
    page, live, customers
):
    visit = visits_of(live.device("tech"), customers)

    visit("yamada", 20, "来月の点検", due_in=30)  # not due within a week, and superseded below
    visit("yamada", 5, "交換部品を発注して連絡", due_in=-2)
    visit("sanjo", 1, "見積を送る", due_in=3)
    visit("hokushin", 10, "再点検", due_in=-8)
    visit("hokushin", 3)  # went again since: that one is done
    sign_in(page, live, login="tech")
    go_to(page, "today")
    due = expect_next_actions(
        page, ["交換部品を発注して連絡", "山田製作所", "期限を2日過ぎています"], ["見積を送る"]
    )
    expect(due.nth(1)).not_to_contain_text("過ぎています")

    page.goto(f"{live.url}/#/visits/new?customer={customers['yamada']['id']}")
    page.get_by_label("実施した対応").fill("部品を交換")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()
    go_to(page, "today")
    expect(due).to_have_count(1)
    expect(due.nth(0)).to_contain_text("見積を送る")
    visit("hokushin", 0, "見積の回答を確認", due_in=1)  # on the technician's other device
    page.get_by_test_id("sync-now").click()  # 今日 open: the sync's visit is read, no reopening
    expect(due).to_have_count(2)
    expect(due.nth(0)).to_contain_text("見積の回答を確認")  # due tomorrow, before the 3rd day
    page.get_by_role("link", name=re.compile("見積を送る")).click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("見積を送る")


def test_a_manager_sees_a_technicians_next_actions_on_their_day_today(page, live, customers):
    """Looking at a technician's day today, a manager sees what is on their plate: their next
    actions, not the manager's own."""
    visit = visits_of(live.device("tech"), customers)
    visit("sanjo", 120, "定期点検の日程を連絡", due_in=2)
    visits_of(live.device("manager"), customers, kind="sales")("yamada", 0, "部長に報告", due_in=0)
    sign_in(page, live, login="manager")
    page.goto(f"{live.url}/#/today?user={live.device('tech').user['id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("さんの記録")
    expect_next_actions(page, ["定期点検の日程を連絡", "有限会社三条精工"])
    go_to(page, "today")  # the manager's own day: their own action
    expect_next_actions(page, ["部長に報告", "今日が期限"])


def test_a_next_action_set_months_ahead_is_listed_in_the_week_it_falls_due(page, live, customers):
    """An aftercare visit sets the next 定期点検 months ahead: 今日 lists it in the week it falls
    due, however long ago the visit was; one left overdue for over a month is no longer listed."""
    visit = visits_of(live.device("tech"), customers)
    visit("yamada", 180, "半年点検の日程を連絡", due_in=4)
    visit("sanjo", 90, "3か月点検", due_in=-3)
    visit("hokushin", 75, "見積のフォロー", due_in=-45)
    sign_in(page, live, login="tech")
    go_to(page, "today")
    expect_next_actions(page, ["3か月点検", "期限を3日過ぎています"], ["半年点検の日程を連絡", "山田製作所"])


def test_a_next_action_is_done_by_recording_its_follow_up_from_the_visit_it_was_set_on(page, live, customers):
    """From 今日 a next action opens its visit; 「対応を記録」 there opens a new visit of the same
    customer with the action as its purpose, and once saved the action is off 今日."""
    visit = visits_of(live.device("tech"), customers)
    visit("hokushin", 150, "次回定期点検の日程調整", due_in=2)
    visit("sanjo", 2, "見積を送る", due_in=3)
    sign_in(page, live, login="tech")
    go_to(page, "today")
    expect_next_actions(page, ["次回定期点検の日程調整"], ["見積を送る"])
    page.get_by_role("link", name=re.compile("次回定期点検の日程調整")).click()
    page.get_by_test_id("visit-follow-up").click()
    expect(page.get_by_test_id("chosen-customer")).to_have_text("株式会社北辰フードマシナリー")
    expect(page.get_by_label("目的")).to_have_value("次回定期点検の日程調整")
    page.get_by_role("radio", name="電話").check()
    page.get_by_label("実施した対応").fill("1月15日に点検で日程確定")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("1月15日に点検で日程確定")
    expect(page.get_by_test_id("visit-follow-up")).to_have_count(0)  # this visit sets no next action
    go_to(page, "today")
    expect_next_actions(page, ["見積を送る"])


def test_a_next_actions_due_date_is_set_a_month_or_half_a_year_from_the_visit_with_one_tap(
    page, live, customers
):
    """Under the due date, 「1か月後」 and 「半年後」 set it from the visit's day, the month's last
    day where the month is shorter; a draft keeps it, and the saved visit shows it."""
    sign_in(page, live, login="tech")
    page.goto(f"{live.url}/#/visits/new?customer={customers['sanjo']['id']}")
    page.get_by_label("日時").fill("2026-01-31T10:00")
    page.get_by_label("次のアクション", exact=True).fill("定期点検の日程を連絡")
    quick = page.get_by_test_id("quick-dues")
    due = page.get_by_label("次のアクションの期限")
    quick.get_by_role("button", name="1か月後").click()
    expect(due).to_have_value("2026-02-28")  # 2月 has no 31日
    expect(page.locator('[data-field="next_action_due"]').get_by_test_id("date-echo")).to_contain_text(
        "2月28日"
    )
    quick.get_by_role("button", name="半年後").click()
    expect(due).to_have_value("2026-07-31")
    page.reload()  # the draft keeps the date set
    expect(due).to_have_value("2026-07-31")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("2026/07/31")


DAYS_NOT_FILLED = """async () => {
  const db = await new Promise((resolve) => { indexedDB.open('genba').onsuccess = (e) => resolve(e.target.result); });
  const tx = db.transaction(['visit_groups', 'meta'], 'readwrite');
  const groups = tx.objectStore('visit_groups');
  groups.getAll().onsuccess = (e) => { for (const group of e.target.result) { delete group.days; delete group.dues; groups.put(group); } };
  tx.objectStore('meta').put(Date.now(), 'days_pending');
  await new Promise((resolve) => { tx.oncomplete = resolve; });
  db.close();
}"""


def test_todays_next_actions_show_once_a_first_syncs_days_are_filled(page, live, customers):
    """A first sync stores the visits' groups without their days and fills them after it: 今日,
    open meanwhile, lists the next actions once they are filled, without being opened again."""
    visits_of(live.device("tech"), customers)("sanjo", 0, "ベルト交換の見積を送る", due_in=2)
    sign_in(page, live, login="tech")
    page.evaluate(DAYS_NOT_FILLED)  # as a first sync leaves them
    go_to(page, "today")
    expect(page.get_by_test_id("day-visits")).to_contain_text("有限会社三条精工")
    expect(page.get_by_test_id("next-actions")).to_have_count(0)  # not read while days are missing
    page.get_by_test_id("sync-now").click()  # nothing new: the worker fills the days after it
    expect(page.get_by_test_id("next-actions")).to_contain_text("ベルト交換の見積を送る")


@pytest.mark.parametrize("cut_off", ["offline", "unreachable"])
def test_todays_next_actions_are_filled_offline_when_a_sync_left_them(
    page, context, live, customers, cut_off
):
    """Groups left without their days and dues (a first sync cut off, or an app update's new
    index) are filled with no signal too, or with one that reaches no server: on a shop floor
    今日 lists the next actions offline."""
    visits_of(live.device("tech"), customers)("hokushin", 150, "次回定期点検の日程調整", due_in=1)
    sign_in(page, live, login="tech")
    page.evaluate(DAYS_NOT_FILLED)
    if cut_off == "offline":
        context.set_offline(True)
    else:
        page.route("**/api/v1/**", lambda route: route.abort())  # the browser online, no server
    go_to(page, "today")
    page.get_by_test_id("sync-now").click()  # no server answers: only what was left is done
    expect(page.get_by_test_id("next-actions")).to_contain_text("次回定期点検の日程調整")
