"""The customer signs what they can read: the sign screen shows the work above the pad, and a
change after the signature is marked on the visit at once, offline, and kept by the server."""

import re

from playwright.sync_api import expect

from .helpers import NOT_TEXT, record_visit, sign_in, wait_synced
from .test_reports import sign

HANDLING = "主軸ベアリングを交換し、試運転で異音なしを確認"
CHANGED = "署名の後に内容が変更されています"


def test_the_customer_signs_the_work_they_see_and_a_later_change_is_marked_offline(
    page, context, live, customers
):
    sign_in(page, live, "tech")
    context.set_offline(True)
    record_visit(
        page, re.compile("山田製作所"), kind="アフターサービス", purpose="定期点検", handling=HANDLING
    )
    expect(page.get_by_test_id("visit-sign")).to_have_text("署名をもらう")

    page.get_by_test_id("visit-sign").click()
    content = page.get_by_test_id("sign-content")
    for text in ("ご確認いただく作業内容", "アフターサービス", "定期点検", HANDLING):
        expect(content).to_contain_text(text)
    expect(content.locator("input, textarea, [contenteditable]")).to_have_count(0)
    expect(page.get_by_test_id("sign-replaces")).to_have_count(0)
    page.go_back()
    sign(page, "山田 太郎")

    page.go_back()  # the print replaced the sign screen: back is the visit
    expect(page.get_by_test_id("visit-sign")).to_have_text("署名をもらい直す")
    expect(page.get_by_test_id("visit-signed-at")).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))
    expect(page.get_by_test_id("changed-after-signing")).to_have_count(0)

    page.get_by_role("link", name="編集").click()
    page.get_by_label("実施した対応").fill(HANDLING + "\n追加でモーター交換（有償 50万円）")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("changed-after-signing")).to_contain_text(CHANGED)
    expect(page.get_by_test_id("visit-sign")).to_have_text("署名をもらい直す")
    page.get_by_test_id("visit-print").click()
    expect(page.get_by_test_id("print-changed")).to_contain_text("ご署名の後に内容が変更されています")
    page.go_back()

    page.get_by_test_id("visit-sign").click()
    expect(page.get_by_test_id("sign-replaces")).to_contain_text("山田 太郎様の署名をいただいています")
    expect(page.get_by_test_id("sign-content")).to_contain_text("追加でモーター交換（有償 50万円）")
    page.go_back()
    expect(page.locator("body")).not_to_contain_text(NOT_TEXT)

    context.set_offline(False)
    wait_synced(page)
    expect(page.get_by_test_id("changed-after-signing")).to_contain_text(CHANGED)
    visits = [v for v in live.device("tech").records("visits").values() if v.get("signed_by")]
    assert len(visits) == 1 and visits[0]["signed_at"] and visits[0]["changed_after_signing_at"]
    assert "モーター交換" in visits[0]["handling"]


def test_a_new_signature_takes_the_mark_away(page, context, live, customers):
    sign_in(page, live, "tech")
    context.set_offline(True)
    record_visit(
        page, re.compile("山田製作所"), kind="アフターサービス", purpose="定期点検", handling=HANDLING
    )
    sign(page, "山田 太郎")
    page.go_back()
    page.get_by_role("link", name="編集").click()
    page.get_by_label("目的").fill("定期点検と修理")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("changed-after-signing")).to_be_visible()
    sign(page, "山田 太郎")
    page.go_back()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("定期点検と修理")
    expect(page.get_by_test_id("changed-after-signing")).to_have_count(0)
    context.set_offline(False)
    wait_synced(page)
    expect(page.get_by_test_id("changed-after-signing")).to_have_count(0)
    visits = [v for v in live.device("tech").records("visits").values() if v.get("signed_by")]
    assert [v["changed_after_signing_at"] for v in visits] == [None]


def hear(page, title):
    page.get_by_test_id("new-request").click()
    page.get_by_text("依頼", exact=True).click()
    page.get_by_label("件名").fill(title)
    page.get_by_test_id("save-request").click()
    expect(page.get_by_test_id("request-heading")).to_contain_text(title)
    page.go_back()  # the request replaced its form: back is the visit


def test_the_customer_signs_the_requests_they_see_and_one_heard_later_is_marked(
    page, context, live, customers
):
    sign_in(page, live, "tech")
    context.set_offline(True)
    record_visit(page, re.compile("山田製作所"), kind="アフターサービス", handling=HANDLING)
    hear(page, "油漏れの再点検")
    page.get_by_test_id("visit-sign").click()
    expect(page.get_by_test_id("sign-content")).to_contain_text("依頼：油漏れの再点検")
    page.go_back()
    sign(page, "山田 太郎")
    page.go_back()
    hear(page, "操作盤の交換見積")
    later = page.locator(".list .row", has_text="操作盤の交換見積")
    expect(later.get_by_test_id("after-signing")).to_have_text(
        "ご署名の後に記録しました（署名の内容には入っていません）"
    )
    expect(
        page.locator(".list .row", has_text="油漏れの再点検").get_by_test_id("after-signing")
    ).to_have_count(0)
    page.get_by_test_id("visit-print").click()
    sheet = page.get_by_test_id("print-sheet")
    expect(sheet).to_contain_text("依頼：操作盤の交換見積（ご署名の後に追加）")
    expect(sheet).not_to_contain_text("油漏れの再点検（ご署名の後に追加）")
    page.go_back()

    sign(page, "山田 太郎")  # signed again: the customer has seen both
    expect(page.get_by_test_id("print-sheet")).not_to_contain_text("ご署名の後に追加")
    context.set_offline(False)
    wait_synced(page)
    visits = [v for v in live.device("tech").records("visits").values() if v.get("signed_by")]
    assert len(visits) == 1 and len(visits[0]["signed_request_ids"]) == 2
