"""What the app says: error messages that read as one piece on a narrow phone and go once the
field is fixed, and notes about saving and printing that say what really happened."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import go_to, record_visit, sign_in
from .layout import NARROW

# Where the lines of a message break: whether its first character sits below the first line
# (the ⚠ alone on it), and the characters that start a line after the first.
LINE_STARTS = """(el) => {
  const node = [...el.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
  const range = document.createRange();
  const tops = [...node.data].map((_, i) => {
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    return range.getClientRects()[0].top;
  });
  const style = getComputedStyle(el);
  const firstLine = el.getBoundingClientRect().top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop);
  return {
    iconAlone: tops[0] - firstLine > 10,
    starts: [...node.data].filter((_, i) => i > 0 && tops[i] > tops[i - 1] + 5),
  };
}"""


def breaks(error):
    expect(error).to_be_visible()
    return error.evaluate(LINE_STARTS)


def draw(page):
    pad = page.get_by_test_id("signature-pad").bounding_box()
    page.mouse.move(pad["x"] + 20, pad["y"] + pad["height"] / 2)
    page.mouse.down()
    page.mouse.move(pad["x"] + 120, pad["y"] + pad["height"] / 3, steps=5)
    page.mouse.up()


@pytest.fixture
def sign_screen(page, live, customers):
    """The technician at a visit's signature screen, on a 360 px phone."""
    page.set_viewport_size(NARROW)
    sign_in(page, live, "tech")
    record_visit(page, re.compile("山田製作所"), kind="アフターサービス", purpose="定期点検")
    page.get_by_test_id("visit-sign").click()
    return page


@pytest.fixture
def add_user(page, live):
    """The admin's form that adds a person, on a 360 px phone."""
    page.set_viewport_size(NARROW)
    sign_in(page, live, "admin")
    go_to(page, "admin")
    form = page.get_by_test_id("new-user")
    form.get_by_label("氏名").fill("木村 拓也")
    form.get_by_label("ログインID").fill("kimura")
    return form


def test_the_signature_screens_errors_keep_the_mark_with_the_words_and_no_line_starts_with_a_stop(
    sign_screen,
):
    # 「⚠」 stood alone on the first line and 「。」 alone on the last (keep-all made the sentence
    # one unbreakable word, broken anywhere once it overflowed).
    sign_screen.get_by_test_id("save-signature").click()
    for name in ["signed_by", "signature"]:
        found = breaks(sign_screen.locator(f"[data-field={name}] .field-error"))
        assert not found["iconAlone"], name
        assert not set(found["starts"]) & set("。、）」"), (name, found)


def test_a_short_passwords_error_keeps_the_mark_with_the_words_and_no_line_starts_with_a_stop(add_user):
    add_user.get_by_label("パスワード").fill("short")
    add_user.get_by_test_id("add-user").click()
    found = breaks(add_user.locator("[data-field=password] .field-error"))
    assert not found["iconAlone"]
    assert not set(found["starts"]) & set("。、）」"), found


def test_the_signature_screens_errors_go_as_the_name_is_typed_and_the_signature_drawn(sign_screen):
    sign_screen.get_by_test_id("save-signature").click()
    name_error = sign_screen.locator("[data-field=signed_by] .field-error")
    pad_error = sign_screen.locator("[data-field=signature] .field-error")
    expect(name_error).to_have_text("ご署名者のお名前を入力してください。")
    expect(pad_error).to_have_text("署名欄にご署名ください。")
    sign_screen.get_by_test_id("signer-name").fill("山田 太郎")
    expect(name_error).to_be_hidden()
    expect(sign_screen.get_by_test_id("signer-name")).not_to_have_attribute("aria-invalid", "true")
    expect(pad_error).to_be_visible()
    draw(sign_screen)
    expect(pad_error).to_be_hidden()


def test_a_fixed_password_loses_its_error_and_nothing_is_left_after_the_person_is_added(add_user):
    add_user.get_by_label("パスワード").fill("short")
    add_user.get_by_test_id("add-user").click()
    error = add_user.locator("[data-field=password] .field-error")
    expect(error).to_have_text("パスワードは8文字以上にしてください。")
    add_user.get_by_label("パスワード").fill("kimura-pass-1")
    expect(error).to_be_hidden()
    add_user.get_by_test_id("add-user").click()
    expect(add_user.page.get_by_test_id("admin-message")).to_contain_text("木村 拓也 さん")
    expect(add_user.get_by_label("パスワード")).to_have_value("")
    expect(add_user.locator(".field-error:visible")).to_have_count(0)


def test_the_daily_report_says_it_was_sent_online_and_will_be_sent_offline(page, context, live):
    # Online it said 「保存しました。電波が戻ると送信されます。」 while the header said everything was sent.
    sign_in(page, live, "tech")
    go_to(page, "today")
    page.get_by_test_id("report-hours").fill("8")
    page.get_by_test_id("report-submit").click()
    note = page.get_by_test_id("report-saved")
    expect(note).to_have_text("提出しました。送信済みです。")
    expect(page.get_by_test_id("pending-count")).to_have_text("0")

    context.set_offline(True)
    page.get_by_test_id("report-hours").fill("7.5")
    page.get_by_test_id("report-save").click()
    expect(note).to_have_text("下書きを保存しました。電波が戻ると送信されます。")
    context.set_offline(False)
    expect(note).to_have_text("下書きを保存しました。送信済みです。")


def test_the_service_reports_pdf_says_why_it_cannot_open_offline_and_when_the_server_refuses(
    page, context, live, customers
):
    # It opened a blank tab that closed again, with no word, offline and on any server error.
    sign_in(page, live, "tech")
    context.route("**/api/v1/sync/push", lambda route: route.abort())  # the visit never arrives
    record_visit(page, re.compile("山田製作所"), kind="アフターサービス", purpose="定期点検")
    page.get_by_test_id("visit-print").click()
    pdf = page.get_by_role("button", name="PDFを開く（要オンライン）")
    status = page.get_by_test_id("pdf-status")
    with context.expect_page() as opened:
        pdf.click()
    expect(status).to_have_text(
        "この訪問はまだサーバーに届いていないため、PDFを作れません。送信されてからもう一度押してください。"
    )
    tab = opened.value  # the tab opened for it is not left blank: closed just after the words show
    if not tab.is_closed():
        tab.wait_for_event("close")
    pages = len(context.pages)

    context.set_offline(True)
    pdf.click()
    expect(status).to_have_text("PDFはオンラインで開けます。電波のある場所でもう一度押してください。")
    page.wait_for_timeout(300)
    assert len(context.pages) == pages  # no blank tab opened offline
