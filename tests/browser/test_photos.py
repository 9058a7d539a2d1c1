"""Photos taken offline reach the server once, after the visit, resuming after a cut."""

import hashlib
import io
import random
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from .helpers import idb_get, outbox, record_visit, sign_in
from .test_shared_tablet import sign_in_as_someone_else


def noisy_jpeg(seed, size=(1600, 1200)):
    """A photo-sized JPEG of noise (so it stays large after the device recompresses it)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return {"name": f"IMG_000{seed}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def choose_files(page, files):
    with page.expect_file_chooser() as chooser:
        page.get_by_text("写真・ファイルを選ぶ").click()
    chooser.value.set_files(files)


def stored_blobs(live):
    folder = Path(live.db_path).parent / "attachments" / "blobs"
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def wait_records_sent(page):
    """Wait until the outbox is empty (the photos' bytes may still be on their way)."""
    for _ in range(300):
        if not outbox(page):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still in the outbox: {outbox(page)}")


def test_offline_visit_with_two_photos_arrives_at_once_and_photos_resume_after_a_cut(
    page, context, live, customers
):
    sign_in(page, live)
    context.set_offline(True)
    record_visit(page, re.compile("山田製作所"), kind="アフターサービス", purpose="定期点検")
    choose_files(page, [noisy_jpeg(1), noisy_jpeg(2)])
    photos = page.get_by_test_id("photo")
    expect(photos).to_have_count(2)
    expect(page.get_by_test_id("photo-state")).to_have_text(["待機中", "待機中"])
    expect(page.get_by_test_id("pending-count")).to_have_text("3")

    puts, cut, restored = [], [], []  # (attachment id, first byte) of every PUT; the cut

    def cut_second_upload_midway(route):
        request = route.request
        if cut and not restored:
            route.abort("internetdisconnected")  # the network stays down until the test restores it
            return
        if request.method == "PUT":
            attachment_id = request.url.split("/")[-2]
            start = re.match(r"bytes (\d+|\*)", request.headers["content-range"]).group(1)
            if start == "*":  # no bytes: asks the server to finish what it has
                route.continue_()
                return
            first_byte = int(start)
            order = list(dict.fromkeys(a for a, _ in puts + [(attachment_id, 0)]))
            puts.append((attachment_id, first_byte))
            if not cut and order.index(attachment_id) == 1 and first_byte > 0:
                cut.append((attachment_id, first_byte))
                route.abort("connectionreset")
                return
        route.continue_()

    context.route("**/api/v1/attachments/*/content", cut_second_upload_midway)
    context.set_offline(False)
    wait_records_sent(page)  # not every photo: the second one is cut
    office = live.device("office")
    visit = next(v for v in office.records("visits").values() if v["purpose"] == "定期点検")
    attachments = {a["id"]: a for a in office.records("attachments").values() if a["owner_id"] == visit["id"]}
    assert len(attachments) == 2  # the visit and its photo records arrived at once
    for _ in range(300):
        if cut:
            break
        page.wait_for_timeout(100)
    second, offset = cut[0]
    expect(page.locator("[data-testid=photo-state][data-state=sent]")).to_have_count(1)
    assert office.records("attachments")[second]["uploaded"] is None

    context.set_offline(True)  # the network comes back: the queue resumes from the server's offset
    restored.append(True)
    context.set_offline(False)
    expect(page.get_by_test_id("photo-state")).to_have_text(["送信済み", "送信済み"], timeout=30_000)

    records = office.records("attachments")
    uploaded = [records[a] for a in attachments]
    assert all(r["uploaded"] and r["version"] == 2 for r in uploaded)
    assert stored_blobs(live) == {r["sha256"]: r["sha256"] for r in uploaded}
    assert all(r["taken_at"] and r["content_type"] == "image/jpeg" for r in uploaded)
    second_puts = [first for a, first in puts if a == second]
    resumed = second_puts[second_puts.index(offset) + 1]
    assert resumed == offset  # continued where the server's copy ended, not from the start

    page.goto(live.url + "/#/sync")
    queue = page.get_by_test_id("photo-queue")
    expect(queue.get_by_test_id("photo-state")).to_have_text(["送信済み", "送信済み"])
    expect(page.get_by_test_id("photo-total")).to_contain_text("2枚中 2枚 送信済み")


def upload_from_api(live, visit, data, login="rep_a"):
    """Another device of ``login`` adds a photo to ``visit`` and sends its bytes."""
    rep = live.device(login)
    attachment = rep.create(
        "attachments",
        customer_id=visit["customer_id"],
        owner_entity="visits",
        owner_id=visit["id"],
        filename="ローラー部.jpg",
        content_type="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    response = rep.client.put(
        f"/api/v1/attachments/{attachment['id']}/content",
        data=data,
        headers=rep.headers,
        content_type="application/octet-stream",
    )
    assert response.status_code == 200, response.get_json()
    return attachment


def test_photos_of_others_are_downloaded_when_shown_and_stay_for_offline(page, context, live, customers):
    visit = next(
        v
        for v in live.device("rep_a").records("visits").values()
        if v["customer_id"] == customers["yamada"]["id"]
    )
    upload_from_api(live, visit, noisy_jpeg(3, (800, 600))["buffer"])
    sign_in(page, live, login="tech")
    page.goto(live.url + f"/#/visits/{visit['id']}")
    expect(page.get_by_test_id("photo-state")).to_have_text(["サーバーにあります"])
    expect(page.locator("[data-testid=photo] img")).to_have_js_property("naturalWidth", 320)

    context.set_offline(True)
    page.reload()
    expect(page.locator("[data-testid=photo] img")).to_have_js_property("naturalWidth", 320)
    page.get_by_role("button", name="写真を大きく表示: ローラー部.jpg").click()
    expect(page.get_by_test_id("photo-dialog")).to_contain_text("オンラインになると表示されます")
    page.get_by_role("button", name="閉じる").click()

    context.set_offline(False)
    page.get_by_role("button", name="写真を大きく表示: ローラー部.jpg").click()
    expect(page.locator(".photo-full")).to_have_js_property("naturalWidth", 800)
    page.get_by_role("button", name="閉じる").click()
    expect(page.locator("[data-testid=timeline-photos] img")).to_have_count(0)  # not on this page
    page.goto(live.url + f"/#/customers/{customers['yamada']['id']}")
    expect(page.locator("[data-testid=timeline-photos] img")).to_have_count(1)


def test_freeing_space_removes_only_photos_the_server_has(page, context, live, customers):
    sign_in(page, live)
    record_visit(page, re.compile("山田製作所"), kind="アフターサービス", purpose="部品の写真")
    choose_files(page, [noisy_jpeg(4, (800, 600))])
    expect(page.get_by_test_id("photo-state")).to_have_text(["送信済み"])
    context.set_offline(True)
    choose_files(page, [noisy_jpeg(5, (800, 600))])
    expect(page.get_by_test_id("photo-state")).to_have_text(["送信済み", "待機中"])

    page.goto(live.url + "/#/sync")
    expect(page.get_by_test_id("photo-total")).to_contain_text("2枚中 1枚 送信済み")
    expect(page.get_by_test_id("photo-usage")).to_contain_text("写真")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("photo-free").click()
    expect(page.get_by_test_id("queued-photo")).to_have_count(1)
    expect(page.get_by_test_id("queued-photo").get_by_test_id("photo-state")).to_have_text("待機中")
    expect(page.get_by_test_id("photo-free")).to_be_disabled()

    context.set_offline(False)
    expect(page.get_by_test_id("queued-photo").get_by_test_id("photo-state")).to_have_text(
        "送信済み", timeout=30_000
    )
    assert len(stored_blobs(live)) == 2


@pytest.mark.server_config(MAX_ATTACHMENT_BYTES=50_000)
def test_a_photo_the_server_refuses_says_why_and_is_kept(page, live, customers):
    sign_in(page, live)
    record_visit(page, re.compile("山田製作所"), kind="アフターサービス", purpose="大きな写真")
    choose_files(page, [noisy_jpeg(6, (800, 600))])
    expect(page.get_by_test_id("photo-state")).to_have_text(
        ["送信できません: ファイルが大きすぎます（サーバーの上限を超えています）"]
    )
    page.goto(live.url + "/#/sync")
    expect(page.get_by_test_id("photo-total")).to_contain_text("1枚中 0枚 送信済み")
    expect(page.get_by_test_id("photo-free")).to_be_disabled()


def test_a_photo_still_to_upload_is_unsent_in_the_header_the_sign_out_warning_and_the_hand_over_alike(
    page, context, live, customers
):
    sign_in(page, live, "tech")
    context.set_offline(True)
    record_visit(page, re.compile("山田製作所"), kind="アフターサービス", purpose="写真だけ残る")
    choose_files(page, [noisy_jpeg(7, (800, 600))])
    pending = page.get_by_test_id("pending")
    expect(pending).to_have_text(re.compile("^未送信 2件"))  # the visit and its photo, once each
    context.route("**/api/v1/attachments/*/content", lambda route: route.abort("connectionreset"))
    context.set_offline(False)
    wait_records_sent(page)
    expect(page.get_by_test_id("photo-state")).to_have_text(["待機中"])
    expect(pending).to_have_text(re.compile("^未送信 1件"))  # not 「✓ すべて送信済み」 while the photo waits

    page.goto(live.url + "/#/sync")
    warnings = []
    page.once("dialog", lambda dialog: (warnings.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="ログアウト").click()
    for _ in range(50):  # the warning comes once the count is taken
        if warnings:
            break
        page.wait_for_timeout(100)
    assert warnings and "未送信の変更が 1 件あります" in warnings[0]
    expect(page.get_by_test_id("pending")).to_contain_text("未送信 1件")  # the same count
    # Another person signing in on this tablet would erase the photo's bytes: stopped the same way.
    sign_in_as_someone_else(page, live, "rep_b")
    expect(page.get_by_text(re.compile("未送信データが 1 件"))).to_be_visible()
    assert idb_get(page, "meta", "user")["id"] == live.device("tech").user["id"]
    page.goto(live.url + "/#/sync")

    context.unroute("**/api/v1/attachments/*/content")
    page.get_by_test_id("sync-now-big").click()
    expect(page.get_by_test_id("queued-photo").get_by_test_id("photo-state")).to_have_text(
        "送信済み", timeout=30_000
    )
    expect(pending).to_have_text(re.compile("^すべて送信済み"))


def test_switching_language_keeps_the_photos_of_a_form_not_saved(page, live, customers):
    # The form is drawn again in the other language: its text and its photos come back from
    # its draft (taken with the camera, a photo may be nowhere else).
    sign_in(page, live)
    page.get_by_role("link", name=re.compile("山田製作所")).first.click()
    page.get_by_test_id("new-visit").click()
    page.get_by_label("話した内容・メモ").fill("写真付きのメモ")
    choose_files(page, [noisy_jpeg(2)])
    expect(page.get_by_test_id("draft-photo-field").locator("img")).to_have_count(1)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("save-visit")).to_have_text("Save")
    expect(page.get_by_test_id("draft-photo-field").locator("img")).to_have_count(1)  # still here
    expect(page.get_by_label("What was discussed / notes")).to_have_value("写真付きのメモ")
    page.get_by_text("Sales visit", exact=True).click()
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()
    expect(page.get_by_test_id("photo-grid").locator("img")).to_have_count(1)
    assert asked == []  # nothing to ask: nothing is lost
