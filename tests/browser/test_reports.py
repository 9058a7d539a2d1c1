"""The technician's day offline: two visits with parts and a signature, 今日 and its drafted
report submitted; the manager comments and approves; the technician sees the comment."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from server.reports.entities import daily_report_id

from .helpers import NOT_TEXT, go_to, sign_in, sync_in_background, wait_synced


def log_visit(page, customer, purpose, handling, minutes, parts):
    page.goto(page.url.split("#")[0] + "#/customers")
    page.get_by_role("link", name=customer).first.click()
    page.get_by_test_id("new-visit").click()
    page.get_by_text("アフターサービス", exact=True).click()
    page.get_by_label("目的").fill(purpose)
    page.get_by_label("実施した対応").fill(handling)
    page.get_by_test_id("work-minutes").fill(str(minutes))
    for index, (name, quantity) in enumerate(parts):
        page.get_by_test_id("add-part").click()
        page.get_by_test_id("part-name").nth(index).fill(name)
        page.get_by_test_id("part-quantity").nth(index).fill(str(quantity))
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text(parts[0][0])


def sign(page, signer):
    page.get_by_test_id("visit-sign").click()
    page.get_by_test_id("signer-name").fill(signer)
    pad = page.get_by_test_id("signature-pad")
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(
            box["x"] + 20 + step * box["width"] / 14, box["y"] + box["height"] * (0.3 + 0.4 * (step % 2))
        )
    page.mouse.up()
    page.get_by_test_id("save-signature").click()
    expect(page.get_by_test_id("print-signer")).to_have_text(f"ご署名：{signer}")
    expect(page.locator(".signature-image")).to_be_visible()


def test_a_technicians_day_is_reported_offline_and_approved_by_the_manager(
    page, context, browser, live, customers
):
    sign_in(page, live, login="tech")
    context.set_offline(True)
    log_visit(
        page,
        re.compile("山田製作所"),
        "定期点検",
        "主軸ベアリングを交換",
        95,
        [("ベアリング 6204", 2), ("グリス", 1)],
    )
    sign(page, "山田 太郎")
    log_visit(page, re.compile("三条精工"), "異音の調査", "ベルトの張りを調整", 40, [("Vベルト A-40", 1)])

    go_to(page, "today")
    expect(page.get_by_test_id("day-visits").locator("li")).to_have_count(2)
    expect(page.get_by_test_id("day-stats")).to_contain_text("作業 135分")
    summary = page.get_by_test_id("report-summary")
    expect(summary).to_have_value(re.compile("山田製作所.*ベアリング 6204×2", re.DOTALL))
    summary.fill(summary.input_value() + "\n午後は部品の手配。")
    page.get_by_test_id("report-hours").fill("8")
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("提出済み")

    context.set_offline(False)
    wait_synced(page)
    manager_context = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 800}
    )
    manager = manager_context.new_page()
    sign_in(manager, live, login="manager")
    go_to(manager, "reports")
    row = manager.locator(".report-row", has_text="提出済み")
    expect(row).to_contain_text("午後は部品の手配。")
    row.get_by_test_id("list-comment").fill("部品の在庫を確認してください")
    row.get_by_test_id("list-approve").click()
    expect(manager.locator(".report-row", has_text="承認済み")).to_have_count(1)
    wait_synced(manager)
    manager_context.close()

    page.reload()
    wait_synced(page)
    go_to(page, "today")
    expect(page.get_by_test_id("manager-comment")).to_contain_text("部品の在庫を確認してください")
    expect(page.get_by_test_id("report-status")).to_contain_text("承認済み")
    expect(page.locator("body")).not_to_contain_text(NOT_TEXT)

    tech = live.device("tech")
    reports = tech.records("daily_reports")
    assert [(r["status"], r["hours"], r["manager_comment"]) for r in reports.values()] == [
        ("approved", 8, "部品の在庫を確認してください")
    ]
    visits = [v for v in tech.records("visits").values() if v.get("signed_by")]
    assert [v["signed_by"] for v in visits] == ["山田 太郎"]
    signatures = [a for a in tech.records("attachments").values() if a["purpose"] == "signature"]
    assert len(signatures) == 1 and signatures[0]["uploaded"]


def test_a_day_with_no_submitted_report_offers_no_approval_until_one_comes(page, live, customers):
    tech = live.device("tech")
    day = datetime.now(ZoneInfo("Asia/Tokyo")).date().isoformat()
    sign_in(page, live, login="manager")
    go_to(page, "reports")
    row = page.locator(f".report-row[data-user='{tech.user['id']}']")
    expect(row).to_contain_text("未提出")
    row.get_by_test_id("list-open").click()
    expect(page.get_by_test_id("review-waiting")).to_have_text(
        "日報が提出されると、コメントと承認ができます。"
    )
    expect(page.get_by_test_id("review-approve")).to_be_hidden()
    expect(page.get_by_test_id("review-comment-save")).to_be_hidden()

    tech.create(
        "daily_reports",
        record_id=daily_report_id(tech.user["id"], day),
        date=day,
        summary="山田製作所 定期点検",
        status="submitted",
    )
    sync_in_background(page)
    expect(page.get_by_test_id("review-summary")).to_have_text("山田製作所 定期点検")
    expect(page.get_by_test_id("review-waiting")).to_be_hidden()
    page.get_by_test_id("review-comment").fill("了解です")
    page.get_by_test_id("review-approve").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("承認済み")


def test_two_people_of_one_name_are_told_apart_by_their_team_in_the_reports_list(page, live, customers):
    """Two 佐藤 健太 (a common name) in the manager's list of the day's reports: each says
    their team; a name no one else has says only the role."""
    added = live.app.test_cli_runner().invoke(
        args=[
            "user",
            "add",
            "sato2",
            "--password",
            "x" * 8,
            "--role",
            "rep",
            "--team",
            "west",
            "--name",
            "佐藤 健太",
        ]
    )
    assert added.exit_code == 0, added.output
    sign_in(page, live, login="manager")
    go_to(page, "reports")
    people = page.get_by_test_id("report-person")
    expect(people.filter(has_text="佐藤 健太")).to_have_text(
        ["佐藤 健太　営業（east）", "佐藤 健太　営業（west）"]
    )
    expect(people.filter(has_text="鈴木 一郎")).to_have_text(["鈴木 一郎　営業"])
