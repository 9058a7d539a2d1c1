"""A customer's contacts (担当者) are added, corrected, marked as left (退職・異動) or back, and
deleted from the customer page, offline; someone who left stays named on the visits they were at."""

import re

from playwright.sync_api import expect

from .helpers import sign_in, wait_synced
from .layout import PHONE, overflowing, small_targets


def open_customer(page, name="山田製作所"):
    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_test_id("customer-name")).to_have_text(name)


def contact_row(page, name):
    return page.get_by_test_id("contacts").locator("li").filter(has_text=name)


def test_a_contact_added_offline_from_the_customer_page_reaches_the_server(page, context, live, customers):
    sign_in(page, live)
    open_customer(page)
    context.set_offline(True)
    page.get_by_test_id("new-contact").click()
    page.get_by_label("氏名").fill("佐藤 花子")
    page.get_by_label("役職").fill("購買課長")
    page.get_by_label("電話", exact=True).fill(" 048-123-4599 ")
    page.get_by_label("携帯").fill("０９０－１２３４－５６７８")  # full width, as an IME types it
    page.get_by_label("メール").fill("hanako.sato@yamada.example.jp")
    page.get_by_test_id("save-contact").click()

    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    row = contact_row(page, "佐藤 花子")
    expect(row).to_contain_text("購買課長")
    expect(row.get_by_role("link", name="０９０－１２３４－５６７８")).to_have_attribute(
        "href", "tel:09012345678"
    )
    expect(row.get_by_role("link", name="hanako.sato@yamada.example.jp")).to_be_visible()
    expect(row).to_contain_text("未送信")
    expect(page.get_by_test_id("pending-count")).to_have_text("1")

    context.set_offline(False)
    wait_synced(page)
    fields = ("customer_id", "title", "phone", "mobile", "email", "department")
    found = [c for c in live.device("rep_a").records("contacts").values() if c["name"] == "佐藤 花子"]
    assert [{key: c[key] for key in fields} for c in found] == [
        {
            "customer_id": customers["yamada"]["id"],
            "title": "購買課長",
            "phone": "048-123-4599",  # trimmed
            "mobile": "０９０－１２３４－５６７８",
            "email": "hanako.sato@yamada.example.jp",
            "department": None,
        }
    ]


def test_a_misread_name_is_corrected_on_the_page_and_the_server(page, live, customers):
    misread = live.device("rep_a").create("contacts", customer_id=customers["yamada"]["id"], name="鈴木一朗")
    sign_in(page, live)
    open_customer(page)
    page.get_by_role("link", name="「鈴木一朗」を編集").click()
    expect(page.get_by_label("氏名")).to_have_value("鈴木一朗")
    page.get_by_label("氏名").fill("鈴木一郎")
    page.get_by_test_id("save-contact").click()

    contacts = page.get_by_test_id("contacts")
    expect(contacts).to_contain_text("鈴木一郎")
    expect(contacts).not_to_contain_text("鈴木一朗")
    wait_synced(page)
    stored = live.device("rep_a").records("contacts")[misread["id"]]
    assert (stored["name"], stored["version"]) == ("鈴木一郎", 2)


def test_a_contact_deleted_offline_is_gone_on_the_page_and_the_server(page, context, live, customers):
    leaving = live.device("rep_a").create("contacts", customer_id=customers["yamada"]["id"], name="高橋 退職")
    sign_in(page, live)
    open_customer(page)
    context.set_offline(True)
    page.get_by_role("link", name="「高橋 退職」を編集").click()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_test_id("delete-contact").click()

    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    expect(page.get_by_test_id("contacts")).not_to_contain_text("高橋 退職")
    expect(page.get_by_test_id("contacts")).to_contain_text("山田 太郎")
    assert asked == ["担当者「高橋 退職」を削除しますか？"]  # on no visit: nothing more to say
    context.set_offline(False)
    wait_synced(page)
    on_server = live.device("rep_a").records("contacts")
    assert leaving["id"] not in on_server
    assert customers["contact"]["id"] in on_server


def test_the_contact_form_says_what_is_missing_or_too_long_by_the_field(page, live, customers):
    sign_in(page, live)
    open_customer(page, "有限会社三条精工")
    expect(page.get_by_text("担当者はまだ登録されていません。")).to_be_visible()
    page.get_by_test_id("new-contact").click()
    page.get_by_label("電話", exact=True).fill("0" * 41)
    page.get_by_test_id("save-contact").click()
    expect(page.locator('[data-field="name"] .field-error')).to_have_text("氏名を入力してください。")
    expect(page.locator('[data-field="phone"] .field-error')).to_have_text(
        "40文字以内にしてください（いまは41文字です）。"
    )
    expect(page.get_by_label("氏名")).to_be_focused()
    assert page.get_by_label("電話", exact=True).get_attribute("type") == "tel"
    assert page.get_by_label("メール").get_attribute("type") == "email"


def test_a_half_typed_contact_comes_back_after_leaving_the_form(page, live, customers):
    sign_in(page, live)
    open_customer(page)
    page.get_by_test_id("new-contact").click()
    page.get_by_label("氏名").fill("中村 次郎")
    page.get_by_label("FAX").fill("048-123-0000")
    page.go_back()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    page.get_by_test_id("new-contact").click()
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(page.get_by_label("氏名")).to_have_value("中村 次郎")
    expect(page.get_by_label("FAX")).to_have_value("048-123-0000")


def answered(page, accept):
    """Answer the next dialog; a function that waits for it and gives its message."""
    messages = []
    page.once(
        "dialog",
        lambda dialog: (messages.append(dialog.message), dialog.accept() if accept else dialog.dismiss()),
    )

    def message(page):
        for _ in range(100):
            if messages:
                return messages[0]
            page.wait_for_timeout(100)
        raise AssertionError("no dialog in 10 s")

    return message


# Stored records changed (as a sync's page or another tab's save says): the screen draws
# itself again; resolves once it has.
REDRAWN = """async () => {
    const base = document.querySelector("script[type=module]").src.replace("app.js", "");
    const store = await import(base + "store.js");
    const before = document.querySelector(".screen h1");
    store.dataChanged();
    for (let i = 0; i < 100 && document.querySelector(".screen h1") === before; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (document.querySelector(".screen h1") === before) throw new Error("not drawn again");
}"""


def fits_the_phone(page):
    page.wait_for_timeout(200)
    assert overflowing(page) == []
    assert small_targets(page) == []


def test_a_contact_who_left_is_listed_apart_named_on_past_visits_and_not_offered_for_new_ones(
    page, live, customers
):
    page.set_viewport_size(PHONE)
    sign_in(page, live)
    open_customer(page)
    page.get_by_role("link", name="「山田 太郎」を編集").click()
    expect(page.get_by_test_id("contact-left")).to_have_text("退職・異動にする")
    fits_the_phone(page)
    page.get_by_test_id("contact-left").click()

    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    expect(page.get_by_test_id("contacts")).to_have_count(0)
    expect(page.get_by_text("いまの担当者は登録されていません。")).to_be_visible()
    former = page.get_by_test_id("former-contacts")
    former.get_by_text("以前の担当者").click()
    expect(former.get_by_role("link", name="「山田 太郎」を編集")).to_be_visible()
    expect(former).to_contain_text("製造部")
    # The page drawn again for a sync's news keeps the fold the user opened.
    page.evaluate(REDRAWN)
    expect(former.get_by_role("link", name="「山田 太郎」を編集")).to_be_visible()
    fits_the_phone(page)
    visit = page.get_by_test_id("timeline").locator("li.visits")
    expect(visit).to_contain_text("山田 太郎")
    visit.get_by_role("link").click()
    expect(page.get_by_test_id("visit-contacts")).to_have_text("山田 太郎（退職・異動）")

    # Editing the old visit keeps them ticked; a new visit does not offer them.
    page.get_by_role("link", name="編集", exact=True).click()
    expect(page.get_by_role("checkbox", name=re.compile("山田 太郎"))).to_be_checked()
    page.goto(f"{live.url}/#/visits/new?customer={customers['yamada']['id']}")
    expect(page.get_by_test_id("chosen-customer")).to_have_text("山田製作所")
    expect(page.locator('[data-field="contact_ids"]')).not_to_contain_text("山田 太郎")
    wait_synced(page)
    assert live.device("rep_a").records("contacts")[customers["contact"]["id"]]["left"] is True


def test_a_contact_back_with_the_customer_is_current_and_offered_again(page, live, customers):
    rep = live.device("rep_a")
    rep.create("contacts", customer_id=customers["yamada"]["id"], name="佐藤 前任", left=True)
    page.set_viewport_size(PHONE)
    sign_in(page, live)
    open_customer(page)
    expect(page.get_by_test_id("former-contacts")).to_contain_text("以前の担当者（1）")
    page.get_by_test_id("former-contacts").get_by_text("以前の担当者").click()
    page.get_by_role("link", name="「佐藤 前任」を編集").click()
    expect(page.get_by_test_id("contact-is-left")).to_be_visible()
    expect(page.get_by_test_id("contact-left")).to_have_count(0)
    fits_the_phone(page)
    page.get_by_test_id("contact-back").click()

    expect(contact_row(page, "佐藤 前任")).to_be_visible()
    expect(page.get_by_test_id("former-contacts")).to_have_count(0)
    page.get_by_test_id("new-visit").click()
    expect(page.get_by_role("checkbox", name="佐藤 前任")).not_to_be_checked()
    wait_synced(page)
    stored = [c for c in rep.records("contacts").values() if c["name"] == "佐藤 前任"]
    assert [c["left"] for c in stored] == [False]


def test_deleting_a_contact_on_a_visit_says_how_many_visits_lose_the_name(page, live, customers):
    rep = live.device("rep_a")
    rep.create(
        "visits",
        customer_id=customers["yamada"]["id"],
        kind="phone",
        visited_at="2026-11-25T15:00:00+09:00",
        contact_ids=[customers["contact"]["id"]],
    )
    sign_in(page, live)
    open_customer(page)
    page.get_by_role("link", name="「山田 太郎」を編集").click()
    asked = answered(page, accept=False)
    page.get_by_test_id("delete-contact").click()
    assert asked(page) == (
        "担当者「山田 太郎」は訪問記録 2 件に載っています。削除すると、その記録から名前が消えます。"
        "退職・異動なら名前は残ります。削除しますか？"
    )
    expect(page.get_by_label("氏名")).to_have_value("山田 太郎")  # not deleted: still here
    asked = answered(page, accept=True)
    page.get_by_test_id("delete-contact").click()
    assert asked(page).startswith("担当者「山田 太郎」は訪問記録 2 件")

    # This device still holds the name, and says the person was deleted.
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    expect(page.get_by_test_id("timeline").locator("li.visits").first).to_contain_text(
        "山田 太郎（削除済み）"
    )

    # Editing that visit shows the person, ticked and named as deleted: kept or dropped in sight.
    page.get_by_test_id("timeline").locator("li.visits").first.get_by_role("link").click()
    expect(page.get_by_test_id("visit-contacts")).to_have_text("山田 太郎（削除済み）")
    page.get_by_role("link", name="編集", exact=True).click()
    deleted = page.get_by_label("山田 太郎（削除済み）（製造部）")
    expect(deleted).to_be_checked()
    deleted.uncheck()
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()
    wait_synced(page)
    visits = live.device("office").records("visits").values()
    assert [v["contact_ids"] for v in visits if v["kind"] == "phone"] == [[]]
