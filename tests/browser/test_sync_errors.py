"""What the user sees and keeps when sync cannot simply go through."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from .helpers import idb_all, outbox, record_visit, sign_in, wait_synced

SAVE_IN_THE_APP = """async (changes) => {
    const base = document.querySelector("script[type=module]").src.replace("app.js", "");
    const outbox = await import(base + "outbox.js");
    await outbox.save([{ entity: "visits", id: crypto.randomUUID(), changes }]);
}"""


def visit_saved_in_the_app(page, customers, **changes):
    """A visit of 山田製作所 saved as the app saves one, holding what its form would not let through."""
    page.evaluate(
        SAVE_IN_THE_APP,
        {"customer_id": customers["yamada"]["id"], "visited_at": "2026-11-27T10:00:00+09:00", **changes},
    )


def test_a_clock_more_than_a_day_off_is_reported_and_the_work_goes_out_once_fixed(
    page, context, live, customers
):
    sign_in(page, live)
    context.set_offline(True)
    record_visit(page, re.compile("山田製作所"), purpose="時計がずれた端末の訪問")
    page.clock.set_system_time(datetime.now(UTC) + timedelta(days=3))
    context.set_offline(False)
    expect(page.get_by_test_id("clock-skew")).to_contain_text("日付と時刻を正しく合わせてください")
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    page.clock.set_system_time(datetime.now(UTC))
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    expect(page.get_by_test_id("clock-skew")).to_have_count(0)
    assert [v["purpose"] for v in live.device("office").records("visits").values()].count(
        "時計がずれた端末の訪問"
    ) == 1


@pytest.mark.server_config(TOMBSTONE_DAYS=0)  # every cursor is already too old: 410 on each pull
def test_an_expired_cursor_pulls_everything_afresh_and_drops_what_is_gone(page, live, customers):
    sign_in(page, live)
    rep = live.device("rep_a")
    sanjo = customers["sanjo"]
    rep.push({**rep.mutation("customers", sanjo["id"], base_version=sanjo["version"]), "op": "delete"})
    rep.create("customers", name="新潟ライスマシン", name_kana="ニイガタライスマシン")
    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("customer-list")).to_contain_text("新潟ライスマシン")
    expect(page.get_by_test_id("customer-list")).not_to_contain_text("有限会社三条精工")
    wait_synced(page)
    assert sorted(c["name"] for c in idb_all(page, "customers")) == sorted(
        ["山田製作所", "株式会社北辰フードマシナリー", "新潟ライスマシン"]
    )


def test_a_rejected_change_stays_visible_and_can_be_fixed_and_resent(page, live, customers):
    sign_in(page, live)
    visit_saved_in_the_app(page, customers, kind="teleport", purpose="種別が不正な訪問")
    expect(page.get_by_test_id("rejected")).to_have_accessible_name("送信できなかった変更 1件")
    page.get_by_test_id("rejected").click()
    entry = page.get_by_test_id("rejected-entry")
    expect(entry).to_contain_text(
        "種別: 次のどれかにしてください："
    )  # the server's words in the app's language
    first_id = outbox(page)[0]["mutation_id"]

    entry.get_by_role("button", name="直して再送").click()
    expect(page.locator("[data-field=kind] .field-error")).to_contain_text("次のどれかにしてください")
    page.get_by_text("営業訪問", exact=True).click()
    page.get_by_test_id("save-visit").click()
    wait_synced(page)
    expect(page.get_by_test_id("rejected")).to_have_count(0)
    visits = [
        v for v in live.device("office").records("visits").values() if v["purpose"] == "種別が不正な訪問"
    ]
    assert [v["kind"] for v in visits] == ["sales"]
    assert live.sql("SELECT count(*) FROM dead_letters WHERE mutation_id = ?", first_id) == [(1,)]


def test_a_reason_for_a_field_the_form_does_not_show_is_listed_at_its_top(page, live, customers):
    sign_in(page, live)
    visit_saved_in_the_app(page, customers, kind="sales", purpose="署名日時が壊れた訪問", signed_at="きのう")
    page.get_by_test_id("rejected").click()
    entry = page.get_by_test_id("rejected-entry")
    said = entry.locator(".errors li").inner_text()
    entry.get_by_role("button", name="直して再送").click()
    expect(page.get_by_test_id("refusal")).to_contain_text(said)
    expect(page.get_by_label("目的")).to_have_value("署名日時が壊れた訪問")


def test_unsent_work_older_than_a_day_is_warned_about(page, context, live, customers):
    sign_in(page, live)
    context.set_offline(True)
    page.clock.set_system_time(datetime.now(UTC) - timedelta(days=2))
    record_visit(page, re.compile("山田製作所"), purpose="二日前の訪問")
    page.clock.set_system_time(datetime.now(UTC))
    page.reload()
    expect(page.get_by_test_id("stale-warning")).to_contain_text("1日以上送信できていない変更があります")
    context.set_offline(False)
    wait_synced(page)
    expect(page.get_by_test_id("stale-warning")).to_have_count(0)


def test_a_contact_added_during_a_visit_reaches_the_server_with_it(page, context, live, customers):
    sign_in(page, live)
    context.set_offline(True)
    page.get_by_role("link", name=re.compile("山田製作所")).click()
    page.get_by_test_id("new-visit").click()
    expect(page.get_by_label("山田 太郎（製造部）")).to_be_checked()  # the last visit's contact
    page.get_by_test_id("add-contact").click()
    page.get_by_label("氏名").fill("鈴木 次郎")
    page.get_by_label("部署").fill("品質保証部")
    page.get_by_role("button", name="追加する").click()
    expect(page.get_by_label("鈴木 次郎（品質保証部）")).to_be_checked()
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("山田 太郎、鈴木 次郎")
    context.set_offline(False)
    wait_synced(page)
    office = live.device("office")
    contact = next(c for c in office.records("contacts").values() if c["name"] == "鈴木 次郎")
    visit = max(office.records("visits").values(), key=lambda v: v["created_at"])
    assert visit["contact_ids"] == [customers["contact"]["id"], contact["id"]]


def test_an_outdated_app_is_told_to_update_and_keeps_its_outbox(page, live, customers):
    sign_in(page, live)
    live.app.config["MIN_PROTOCOL_VERSION"] = 2  # the server no longer takes this app's protocol
    record_visit(page, re.compile("山田製作所"), purpose="更新を待つ訪問")
    expect(page.get_by_test_id("outdated")).to_contain_text("アプリを更新してください")
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    assert [e["changes"]["purpose"] for e in outbox(page)] == ["更新を待つ訪問"]
    live.app.config["MIN_PROTOCOL_VERSION"] = 1  # the app was updated
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    expect(page.get_by_test_id("outdated")).to_have_count(0)


def test_a_refused_new_customer_is_fixed_by_editing_it_and_its_visit_then_goes_through(
    page, context, live, customers
):
    # An address pasted from Word holds a vertical tab, which the server refuses.
    sign_in(page, live)
    context.set_offline(True)
    page.get_by_test_id("new-customer").click()
    page.get_by_test_id("customer-name-input").fill("株式会社ワード工業")
    page.get_by_test_id("customer-phone").fill("03-1111-2222")
    page.get_by_test_id("customer-address").fill("東京都大田区1-2-3\u000b第二ビル")
    page.get_by_test_id("save-customer").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("株式会社ワード工業")
    page.get_by_test_id("new-visit").click()
    page.get_by_label("目的").fill("初回訪問")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()
    context.set_offline(False)
    expect(page.get_by_test_id("rejected")).to_have_accessible_name("送信できなかった変更 2件")
    # nothing waits, but two were refused: not 「すべて送信済み」, and the visit says where to mend it
    expect(page.get_by_test_id("pending")).to_contain_text("未送信 0件")
    expect(page.get_by_test_id("pending")).not_to_contain_text("送信済み")
    expect(page.get_by_test_id("visit-unsent")).to_have_text(re.compile("サーバーが受け付けませんでした"))
    page.get_by_test_id("rejected").click()
    expect(page.locator("#view")).to_contain_text("送信を待っている変更はありません")
    expect(page.locator("#view")).not_to_contain_text("すべて送信済み")

    page.get_by_test_id("rejected").click()  # the sync page takes them to the customer's form
    page.get_by_test_id("rejected-entry").filter(has_text="株式会社ワード工業").get_by_role(
        "button", name="直して再送"
    ).click()
    expect(page.locator("[data-field=address] .field-error")).to_be_visible()  # the server's reason
    page.get_by_test_id("customer-address").fill("東京都大田区1-2-3 第二ビル")
    page.get_by_test_id("save-customer").click()
    wait_synced(page)
    expect(page.get_by_test_id("rejected")).to_have_accessible_name("送信できなかった変更 1件")
    page.get_by_test_id("rejected").click()
    page.get_by_test_id("rejected-entry").get_by_role("button", name="そのまま再送").click()
    wait_synced(page)
    expect(page.get_by_test_id("rejected")).to_have_count(0)
    office = live.device("office")
    [made] = [c for c in office.records("customers").values() if c["name"] == "株式会社ワード工業"]
    assert (made["phone"], made["address"]) == ("03-1111-2222", "東京都大田区1-2-3 第二ビル")
    assert [
        v["customer_id"] for v in office.records("visits").values() if v.get("purpose") == "初回訪問"
    ] == [made["id"]]


def test_a_refused_change_to_a_customer_is_mended_in_its_form_beside_the_servers_reason(
    page, context, live, customers
):
    sign_in(page, live)
    context.set_offline(True)
    page.get_by_role("link", name=re.compile("山田製作所")).click()
    page.get_by_test_id("edit-customer").click()
    page.get_by_test_id("customer-address").fill("埼玉県川口市1-2-3\u000b第二工場")
    page.get_by_test_id("customer-phone").fill("048-123-9999")
    page.get_by_test_id("save-customer").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    context.set_offline(False)
    expect(page.get_by_test_id("rejected")).to_have_accessible_name("送信できなかった変更 1件")
    first_id = outbox(page)[0]["mutation_id"]

    page.get_by_test_id("rejected").click()
    entry = page.get_by_test_id("rejected-entry")
    reason = entry.locator(".errors li").inner_text().split(": ", 1)[1]
    entry.get_by_role("button", name="直して再送").click()
    error = page.locator("[data-field=address] .field-error")
    expect(error).to_have_text(reason)
    expect(page.get_by_test_id("refusal")).to_contain_text(f"住所: {reason}")  # where the form opens
    expect(page.get_by_test_id("customer-address")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("customer-phone")).to_have_value("048-123-9999")  # nothing typed is lost
    page.get_by_test_id("customer-address").fill("埼玉県川口市1-2-3 第二工場")
    expect(error).to_be_hidden()
    page.get_by_test_id("save-customer").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    wait_synced(page)
    expect(page.get_by_test_id("rejected")).to_have_count(0)
    yamada = live.device("office").records("customers")[customers["yamada"]["id"]]
    assert (yamada["address"], yamada["phone"]) == ("埼玉県川口市1-2-3 第二工場", "048-123-9999")
    assert live.sql("SELECT count(*) FROM dead_letters WHERE mutation_id = ?", first_id) == [(1,)]


DISCARD_REFUSED = """async () => {
    const base = document.querySelector("script[type=module]").src.replace("app.js", "");
    const outbox = await import(base + "outbox.js");
    for (const entry of await outbox.entries()) if (entry.status === "rejected") await outbox.discard(entry.seq);
}"""


def test_corrections_to_a_refusal_discarded_meanwhile_are_saved_as_an_edit(page, context, live, customers):
    sign_in(page, live)
    context.set_offline(True)
    page.get_by_role("link", name=re.compile("山田製作所")).click()
    page.get_by_test_id("edit-customer").click()
    page.get_by_test_id("customer-address").fill("埼玉県川口市1-2-3\u000b第二工場")
    page.get_by_test_id("save-customer").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    context.set_offline(False)
    page.get_by_test_id("rejected").click()
    page.get_by_test_id("rejected-entry").get_by_role("button", name="直して再送").click()
    expect(page.locator("[data-field=address] .field-error")).to_be_visible()
    page.evaluate(DISCARD_REFUSED)  # as 破棄 in another tab does
    page.get_by_test_id("customer-address").fill("埼玉県川口市1-2-3 第二工場")
    page.get_by_test_id("save-customer").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    wait_synced(page)
    yamada = live.device("office").records("customers")[customers["yamada"]["id"]]
    assert yamada["address"] == "埼玉県川口市1-2-3 第二工場"


def test_a_refused_change_to_a_contact_is_mended_in_its_form(page, context, live, customers):
    sign_in(page, live)
    context.set_offline(True)
    page.get_by_role("link", name=re.compile("山田製作所")).click()
    page.get_by_role("link", name="「山田 太郎」を編集").click()
    page.get_by_test_id("contact-department").fill("製造部\u000b第一課")  # pasted from Word
    page.get_by_test_id("save-contact").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    context.set_offline(False)
    expect(page.get_by_test_id("rejected")).to_have_accessible_name("送信できなかった変更 1件")

    page.get_by_test_id("rejected").click()
    page.get_by_test_id("rejected-entry").get_by_role("button", name="直して再送").click()
    expect(page.locator("[data-field=department] .field-error")).to_have_text(
        "制御文字や壊れた文字は使えません。"
    )
    page.get_by_test_id("contact-department").fill("製造部 第一課")
    page.get_by_test_id("save-contact").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    wait_synced(page)
    expect(page.get_by_test_id("rejected")).to_have_count(0)
    contact = live.device("office").records("contacts")[customers["contact"]["id"]]
    assert contact["department"] == "製造部 第一課"


def test_a_year_typed_short_is_caught_on_the_form_before_anything_is_saved(page, live, customers):
    # Chromium's year field takes 「26」 as 0026: the server would refuse the visit later, offline.
    sign_in(page, live)
    page.get_by_role("link", name=re.compile("山田製作所")).first.click()
    page.get_by_test_id("new-visit").click()
    page.get_by_text("営業訪問", exact=True).click()
    page.get_by_label("日時").fill("0026-12-07T10:00")
    page.get_by_test_id("save-visit").click()
    expect(page.locator("[data-field=visited_at] .field-error")).to_have_text(
        "1900年から2199年の日付にしてください（年が「0026」のようになっていませんか）。"
    )
    assert outbox(page) == []
    page.get_by_label("日時").fill("2026-12-07T10:00")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()


REFUSE_OUTBOX_WRITES = """(() => {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (window.refuse && this.name === "outbox") throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    return put.apply(this, args);
  };
})();"""


def test_a_full_device_while_sending_is_told_as_the_devices_and_the_work_goes_once_it_has_room(
    page, context, live, customers
):
    page.add_init_script(REFUSE_OUTBOX_WRITES)
    sign_in(page, live)
    context.set_offline(True)
    record_visit(page, re.compile("山田製作所"), purpose="容量不足で送れない訪問")
    page.evaluate("window.refuse = true")
    context.set_offline(False)
    expect(page.get_by_role("alert")).to_contain_text("この端末に保存できませんでした")
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    page.evaluate("window.refuse = false")
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    sent = [
        v
        for v in live.device("office").records("visits").values()
        if v.get("purpose") == "容量不足で送れない訪問"
    ]
    assert len(sent) == 1
