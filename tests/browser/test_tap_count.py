"""The technician's core task on a phone, offline, counted in taps: a visit, a complaint heard
during it and two photos. Typing does not count; choosing two photos in the picker counts as
three taps (two photos and 「完了」)."""

import re

from playwright.sync_api import expect

from .helpers import idb_all, outbox, sign_in
from .layout import PHONE
from .test_photos import noisy_jpeg

MOST_TAPS = 12


class Taps:
    """Clicks that are counted, as a finger on the screen would make them."""

    def __init__(self):
        self.count = 0

    def tap(self, locator):
        locator.click()
        self.count += 1


def test_a_visit_with_a_complaint_and_two_photos_offline_takes_at_most_12_taps_on_a_phone(
    page, context, live, customers
):
    page.set_viewport_size(PHONE)
    sign_in(page, live, "tech")
    context.set_offline(True)
    taps = Taps()

    page.get_by_label("顧客を検索").fill("やまだ")
    taps.tap(page.get_by_role("link", name=re.compile("山田製作所")))
    taps.tap(page.get_by_test_id("new-visit"))
    page.get_by_label("話した内容・メモ").fill("ローラーから異音。ベアリング摩耗。")
    taps.tap(page.get_by_test_id("save-visit"))
    expect(page.get_by_test_id("visit-facts")).to_be_visible()

    with page.expect_file_chooser() as chooser:
        taps.tap(page.get_by_text("写真・ファイルを選ぶ"))
    chooser.value.set_files([noisy_jpeg(1, (800, 600)), noisy_jpeg(2, (800, 600))])
    taps.count += 3  # two photos picked, then 「完了」
    expect(page.get_by_test_id("photo")).to_have_count(2)

    taps.tap(page.get_by_test_id("new-request"))
    taps.tap(page.get_by_text("クレーム", exact=True))
    page.get_by_label("件名").fill("ローラー異音の再発")
    taps.tap(page.get_by_test_id("save-request"))
    expect(page.get_by_test_id("pending-count")).to_have_text("4")  # visit, complaint, two photos

    assert taps.count <= MOST_TAPS, taps.count
    visit = next(v for v in idb_all(page, "visits") if (v.get("notes") or "").startswith("ローラーから異音"))
    complaint = next(r for r in idb_all(page, "requests") if r["title"] == "ローラー異音の再発")
    assert complaint["kind"] == "complaint" and complaint["visit_id"] == visit["id"]
    assert {e["entity"] for e in outbox(page)} == {"visits", "requests", "attachments"}
