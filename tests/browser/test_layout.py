"""The app in the hand: a short header and tabs on a phone, a header that fits on a tablet, bars
that never cover what is under them, finger-sized targets, and sign-in from the keyboard."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD

from .helpers import go_to, record_visit, sign_in
from .layout import (
    NARROW,
    PHONE,
    TABLET,
    covered_at_the_end,
    header_cut,
    hidden_while_tabbing,
    small_targets,
)
from .test_sync_errors import SAVE_IN_THE_APP

TABS = {
    "tech": ["顧客", "今日", "自分の依頼", "同期", "☰メニュー"],
    "rep_a": ["顧客", "今日", "案件", "過去見積", "☰メニュー"],
    "office": ["顧客", "受信箱", "ボード", "過去見積", "☰メニュー"],
    "manager": ["顧客", "日報", "ボード", "負荷", "☰メニュー"],
    "admin": ["顧客", "受信箱", "ボード", "管理", "☰メニュー"],
}


def starting_with(labels):
    """Each label at the start of its tab (a tab may carry a count after it)."""
    return [re.compile("^" + re.escape(label)) for label in labels]


def box(locator):
    return locator.bounding_box()


# The words of the tab bar's labels that the screen draws over two lines (「Customer」「s」).
SPLIT_WORDS = """() => {
  const split = [];
  for (const tab of document.querySelectorAll("[data-testid=tab-bar] > *")) {
    const walker = document.createTreeWalker(tab, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) split.push(word[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.parametrize("size", [PHONE, NARROW], ids=["390", "360"])
@pytest.mark.parametrize("login", ["tech", "manager", "admin"])
def test_on_a_phone_the_header_is_one_short_bar_and_the_main_screens_are_tabs_at_the_bottom(
    page, live, login, size
):
    page.set_viewport_size(size)
    sign_in(page, live, login)
    assert box(page.locator("#header"))["height"] <= 64  # not 290 of 844 px
    assert header_cut(page) == []
    assert box(page.get_by_test_id("sync-status"))["height"] <= 48
    assert box(page.locator(".brand"))["height"] <= 48  # 「Genba 現場」 on one line
    tabs = page.get_by_test_id("tab-bar")
    expect(tabs.locator("> *")).to_have_text(starting_with(TABS[login]))
    bar = box(tabs)
    assert bar["y"] + bar["height"] == size["height"]
    heights = tabs.locator("> *").evaluate_all(
        "(tabs) => tabs.map((tab) => tab.getBoundingClientRect().height)"
    )
    assert all(48 <= height <= 64 for height in heights), heights  # no tab wraps a character per line

    tabs.get_by_role("link", name=TABS[login][1]).click()
    expect(tabs.get_by_role("link", name=TABS[login][1])).to_have_attribute("aria-current", "page")
    go_to(page, "sync")  # the rest behind 「メニュー」
    expect(page.get_by_role("heading", level=1)).to_have_text("同期")
    expect(page.get_by_test_id("menu-panel")).to_be_hidden()
    page.get_by_test_id("menu-button").click()
    page.get_by_test_id("menu-lang").click()  # the language too
    expect(page.get_by_role("heading", level=1)).to_have_text("Sync")
    expect(tabs.locator("> *").last).to_have_text("☰Menu")
    tabs.get_by_role("link", name="Customers").click()  # the longest word, in bold when current
    expect(tabs.get_by_role("link", name="Customers")).to_have_attribute("aria-current", "page")
    assert page.evaluate(SPLIT_WORDS) == []  # a label may wrap between words, never inside one


@pytest.mark.parametrize("login, lang", [("tech", "ja"), ("admin", "ja"), ("office", "en")])
def test_at_360_px_the_header_shows_every_badge_and_sync_now_offline_with_unsent_and_refused_work(
    page, context, live, customers, login, lang
):
    # 「オフライン」 pushed 「未送信 n件」 and ↻ right: ↻ spanned x=321-369 on a 360 px screen.
    page.set_viewport_size(NARROW)
    sign_in(page, live, login)
    if lang == "en":
        page.get_by_test_id("menu-button").click()
        page.get_by_test_id("menu-lang").click()
    visit = {"customer_id": customers["yamada"]["id"], "visited_at": "2026-11-27T10:00:00+09:00"}
    page.evaluate(SAVE_IN_THE_APP, {**visit, "kind": "teleport"})  # refused by the server
    expect(page.get_by_test_id("rejected")).to_be_visible()
    context.set_offline(True)
    for _ in range(12):
        page.evaluate(SAVE_IN_THE_APP, {**visit, "kind": "sales"})
    expect(page.get_by_test_id("offline-badge")).to_be_visible()
    expect(page.get_by_test_id("pending-count")).to_have_text("12")
    assert header_cut(page) == []
    assert box(page.locator("#header"))["height"] <= 100  # two rows at the most
    page.get_by_test_id("sync-now").click()  # ↻ takes the tap itself
    page.get_by_test_id("pending").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("同期" if lang == "ja" else "Sync")


def test_on_a_tablet_the_managers_twelve_screens_fit_as_four_tabs_and_a_menu(page, live):
    page.set_viewport_size(TABLET)
    sign_in(page, live, "manager")
    tabs = page.get_by_test_id("tab-bar").locator("> *")
    expect(tabs).to_have_text(starting_with(TABS["manager"]))
    tops = {
        round(b["y"]) for b in tabs.evaluate_all("(t) => t.map((e) => e.getBoundingClientRect().toJSON())")
    }
    assert len(tops) == 1  # one row
    assert box(page.locator("#header"))["height"] <= 120
    page.get_by_test_id("menu-button").click()
    menu = page.get_by_test_id("menu-panel").get_by_role("link")
    expect(menu).to_have_count(13)
    assert page.get_by_test_id("nav-rules").count() == 0  # routing rules: office and admin only
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("menu-panel")).to_be_hidden()
    expect(page.get_by_test_id("menu-button")).to_be_focused()


@pytest.mark.parametrize("size", [PHONE, TABLET], ids=["phone", "tablet"])
def test_the_photo_button_and_every_control_are_reachable_when_scrolled_to_the_end(
    page, live, customers, size
):
    page.set_viewport_size(size)
    sign_in(page, live, "tech")
    record_visit(page, re.compile("山田製作所"), kind="アフターサービス", purpose="定期点検")
    assert covered_at_the_end(page) == []
    with page.expect_file_chooser():
        page.get_by_text("写真・ファイルを選ぶ").click()  # the bar above used to take this tap
    visit_page = page.url
    for screen in [
        "#/visits/new",
        f"#/requests/new?customer={customers['yamada']['id']}",
        "#/sync",
        visit_page,
    ]:
        page.goto(screen if screen.startswith("http") else f"{live.url}/{screen}")
        expect(page.locator("#view h1")).to_be_visible()
        assert covered_at_the_end(page) == [], screen


@pytest.mark.parametrize("size", [PHONE, TABLET], ids=["phone", "tablet"])
def test_a_field_that_takes_the_focus_is_scrolled_clear_of_the_header_and_the_bars(
    page, live, customers, size
):
    # Moving through a form with Tab (a keyboard on a tablet, 「次へ」 on a phone's keyboard),
    # the browser scrolls each field into view "if needed": without scroll padding it stopped
    # with the date and time under the tab bar and the form's action bar, the customer's
    # first field under the header when going back.
    page.set_viewport_size(size)
    sign_in(page, live)
    for screen in ["#/visits/new", f"#/requests/new?customer={customers['yamada']['id']}", "#/quotes/new"]:
        page.goto(f"{live.url}/{screen}")
        expect(page.locator("#view h1")).to_be_visible()
        page.locator("#view h1").focus()
        assert hidden_while_tabbing(page, 30) == [], screen
        assert hidden_while_tabbing(page, 30, "Shift+Tab") == [], screen


@pytest.mark.parametrize("size", [PHONE, TABLET], ids=["phone", "tablet"])
def test_every_field_button_and_action_link_is_at_least_44_px_tall(page, live, customers, size):
    rep = live.device("rep_a")
    deal = rep.create(
        "deals", customer_id=customers["yamada"]["id"], title="架台更新", stage="proposal_quote"
    )
    rep.create("deals", customer_id=customers["yamada"]["id"], title="旧案件", stage="lost")
    request = rep.create(
        "requests",
        customer_id=customers["yamada"]["id"],
        kind="complaint",
        title="異音",
        visit_id=rep.records("visits").popitem()[0],
    )
    page.set_viewport_size(size)
    sign_in(page, live)
    for screen in [
        "#/quotes/new",  # seven number inputs
        f"#/customers/{customers['yamada']['id']}",  # the phone number
        f"#/requests/{request['id']}",  # 訪問記録を開く
        f"#/deals/{deal['id']}",  # 競合一覧
        "#/deals",  # 受注・失注
        "#/visits/new",
        "#/sync",
    ]:
        page.goto(f"{live.url}/{screen}")
        expect(page.locator("#view h1")).to_be_visible()
        page.wait_for_timeout(200)
        assert small_targets(page) == [], screen


@pytest.mark.parametrize("size", [PHONE, TABLET], ids=["phone", "tablet"])
def test_the_managers_deal_screens_links_and_buttons_are_at_least_44_px_tall(page, live, customers, size):
    live.device("rep_a").create(
        "deals", customer_id=customers["yamada"]["id"], title="架台更新", stage="proposal_quote"
    )
    page.set_viewport_size(size)
    sign_in(page, live, "manager")
    for screen in ["#/deals", "#/board", "#/competitors"]:
        page.goto(f"{live.url}/{screen}")
        expect(page.locator("#view h1")).to_be_visible()
        page.wait_for_timeout(200)
        assert small_targets(page) == [], screen
        if screen == "#/deals":  # 案件ボード, a line's link beside 競合一覧, was 24 px
            assert box(page.get_by_test_id("to-board"))["height"] >= 44


@pytest.mark.parametrize("size", [PHONE, TABLET], ids=["phone", "tablet"])
def test_the_offices_links_and_buttons_to_the_imports_are_at_least_44_px_tall(page, live, size):
    page.set_viewport_size(size)
    sign_in(page, live, "office")
    # The links from an empty customer list and from the quote search, a line of text each.
    for screen, link in [("#/customers", "import-hint"), ("#/quotes", "quote-import-link")]:
        page.goto(f"{live.url}/{screen}")
        target = page.get_by_test_id(link).locator("xpath=descendant-or-self::a")
        expect(target).to_be_visible()
        assert target.bounding_box()["height"] >= 44, screen
    for screen in ["#/customers/import", "#/quotes/import"]:
        page.goto(f"{live.url}/{screen}")
        expect(page.locator("#view h1")).to_be_visible()
        page.wait_for_timeout(200)
        assert small_targets(page) == [], screen


def test_enter_in_the_password_field_signs_in(page, live):
    page.goto(live.url + "/")
    page.get_by_label("ログインID").fill("tech")
    page.get_by_label("ログインID").press("Enter")  # 「次へ」: on to the password
    expect(page.get_by_label("パスワード")).to_be_focused()
    assert page.get_by_label("パスワード").get_attribute("enterkeyhint") == "go"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")  # a phone's 「実行」 key sends Enter too
    expect(page.get_by_test_id("tab-bar")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("顧客")


def test_on_a_phone_the_inbox_shows_requests_before_its_filters_and_keeps_a_set_filter_in_view(
    page, live, customers
):
    live.device("tech").create(
        "requests", customer_id=customers["sanjo"]["id"], kind="complaint", title="異音の件"
    )
    page.set_viewport_size(PHONE)
    sign_in(page, live, "office")
    go_to(page, "inbox")
    first = page.locator(".inbox-item").first
    expect(first).to_be_in_viewport()  # the first request is on the first screen
    expect(page.get_by_test_id("filter-team")).to_be_hidden()  # folded behind 「絞り込み」
    page.get_by_test_id("filter-fold").locator("summary").click()
    page.get_by_test_id("filter-team").select_option(label="製造")
    fold = page.get_by_test_id("filter-fold")
    expect(fold.locator("summary")).to_have_text("絞り込み （1件指定）")
    expect(page.get_by_test_id("filter-team")).to_be_visible()  # a filter that is set stays in view

    page.set_viewport_size(TABLET)
    go_to(page, "quotes")
    expect(page.get_by_label("材質")).to_be_visible()  # room enough: the filters are open


# The pad's corners and the middle of its bottom edge, where something else takes a touch.
PAD_COVERED = """() => {
  const pad = document.querySelector("[data-testid=signature-pad]");
  const box = pad.getBoundingClientRect();
  const spots = [[box.left + 3, box.top + 3], [box.right - 3, box.top + 3],
    [box.left + 3, box.bottom - 3], [box.left + box.width / 2, box.bottom - 3], [box.right - 3, box.bottom - 3]];
  return spots.filter(([x, y]) => document.elementFromPoint(x, y) !== pad)
    .map(([x, y]) => `${Math.round(x)},${Math.round(y)}: ${document.elementFromPoint(x, y)?.textContent.trim() ?? "off screen"}`);
}"""


@pytest.mark.parametrize("size", [TABLET, NARROW, PHONE], ids=["1280", "360", "390"])
def test_the_whole_signature_pad_is_clear_of_the_bars_and_a_stroke_low_in_it_taps_no_button(
    page, live, customers, size
):
    # At 1280x800 the pad's bottom (y 469-769) lay under the action bar (from ~718): a stroke low
    # in the box landed on 書き直す or 署名を保存.
    page.set_viewport_size(size)
    sign_in(page, live, "tech")
    record_visit(page, re.compile("山田製作所"), kind="アフターサービス", purpose="定期点検")
    page.get_by_test_id("visit-sign").click()
    pad = page.get_by_test_id("signature-pad")
    expect(pad).to_be_visible()
    page.wait_for_timeout(300)
    assert page.evaluate(PAD_COVERED) == []
    page.get_by_test_id("signer-name").fill("山田 太郎")
    pad_box = box(pad)
    # Room to sign with a finger: at 3:1 a 360 px phone's pad was 95 px high.
    assert pad_box["height"] >= (180 if size == TABLET else 140), pad_box
    low = pad_box["y"] + pad_box["height"] - 6
    for start in [0.1, 0.45, 0.8]:  # under 署名を保存, 書き直す and キャンセル before
        x = pad_box["x"] + pad_box["width"] * start
        page.mouse.move(x, low)
        page.mouse.down()
        page.mouse.move(x + 40, low - 2, steps=4)
        page.mouse.up()
    expect(page).to_have_url(re.compile("/sign$"))
    page.get_by_test_id("save-signature").click()
    expect(page.get_by_test_id("print-signer")).to_have_text("ご署名：山田 太郎")


DAY_BAR = """() => ["day-prev", "day-current", "day-next"].map((id) => {
  const box = document.querySelector(`[data-testid=${id}]`).getBoundingClientRect();
  return { top: box.top, bottom: box.bottom, left: box.left, right: box.right };
})"""


def test_the_day_and_its_arrows_keep_one_row_at_360_px_in_japanese_and_english(page, live):
    """A technician pages through 今日 day by day and a manager through the reports: the day
    (with its weekday) sits between the arrows on one line, where 前の日/次の日 used to push it
    onto a row of its own."""
    page.set_viewport_size(TABLET)
    sign_in(page, live, "manager")
    for language, weekday in (("ja", "2026/12/6(日)"), ("en", "Sun, 6 Dec 2026")):
        if language == "en":
            page.set_viewport_size(TABLET)
            page.get_by_test_id("lang-toggle").click()
            expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("[ぁ-んァ-ン]"))
        page.set_viewport_size(NARROW)
        for screen in ("today", "reports"):
            page.goto(f"{live.url}/#/{screen}?date=2026-12-06")
            expect(page.get_by_test_id("day-current")).to_have_text(weekday)
            prev, day, following = boxes = page.evaluate(DAY_BAR)
            assert prev["right"] <= day["left"] and day["right"] <= following["left"], (language, screen)
            assert max(b["top"] for b in boxes) < min(b["bottom"] for b in boxes)  # one row
            line = page.get_by_test_id("day-current").evaluate(
                "(el) => parseFloat(getComputedStyle(el).lineHeight)"
            )
            assert day["bottom"] - day["top"] < 1.5 * line, (language, screen)  # one line
            assert following["right"] <= NARROW["width"]
    assert header_cut(page) == []


@pytest.mark.parametrize("login", ["tech", "rep_a", "office"])
def test_on_a_phone_and_a_tablet_a_japanese_action_bar_keeps_each_label_on_one_line(
    page, live, customers, login
):
    """「依頼・クレームを記録」 in a third of a phone's width read 「依頼・/クレームを記/録」, and in a
    fifth of a tablet's 「依頼・クレームを/記録」: a Japanese label keeps its line, and a button
    that does not fit goes to the next row."""
    sign_in(page, live, login)
    for size in (NARROW, TABLET):
        page.set_viewport_size(size)
        page.goto(f"{live.url}/#/customers/{customers['yamada']['id']}")
        buttons = page.locator(".actions .button")
        expect(buttons.filter(has_text="依頼・クレームを記録")).to_be_visible()
        lines = buttons.evaluate_all(
            """(buttons) => buttons.map((b) => {
              const range = document.createRange();
              range.selectNodeContents(b);
              return [b.textContent, range.getClientRects().length, Math.round(b.getBoundingClientRect().right)];
            })"""
        )
        assert [text for text, count, _ in lines if count != 1] == [], (size, lines)
        assert max(right for _, _, right in lines) <= size["width"]
        assert covered_at_the_end(page) == []
        # The bar kept at the bottom is two rows at the most (the office's took three of a phone's):
        # editing and merging the customer sit by its facts.
        assert box(page.locator(".actions:not(.inline)"))["height"] <= 2 * 48 + 30
        expect(page.locator(".record-actions").get_by_test_id("edit-customer")).to_be_visible()


# Each action-bar button's label: its text, the lines it takes, and its right edge.
BUTTON_LINES = """(buttons) => buttons.map((b) => {
  const range = document.createRange();
  range.selectNodeContents(b);
  return [b.textContent, range.getClientRects().length, Math.round(b.getBoundingClientRect().right)];
})"""


@pytest.mark.parametrize("login", ["tech", "rep_a"])
def test_on_an_english_phone_an_action_bar_label_takes_two_lines_at_the_most(page, live, customers, login):
    """「Record a request or complaint from this visit」 took five lines of a third of a phone's
    width, and 「Log request or complaint」 three: the bar that should leave the screen to the
    record took a fifth of it."""
    sign_in(page, live, login)
    page.evaluate("localStorage.setItem('genba.lang', 'en')")
    page.set_viewport_size(NARROW)
    page.goto(f"{live.url}/#/customers/{customers['yamada']['id']}")
    expect(page.get_by_test_id("new-request")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("new-visit")).to_have_text("Record a visit")
    on_customer = page.locator(".actions:not(.inline) .button").evaluate_all(BUTTON_LINES)
    page.get_by_test_id("timeline").get_by_role("link").first.click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()
    on_visit = page.locator(".actions:not(.inline) .button").evaluate_all(BUTTON_LINES)
    assert len(on_visit) >= 3, on_visit
    for lines in (on_customer, on_visit):
        assert [text for text, count, _ in lines if count > 2] == [], lines
        assert max(right for _, _, right in lines) <= NARROW["width"]
    assert covered_at_the_end(page) == []
    assert box(page.locator(".actions:not(.inline)"))["height"] <= 2 * 48 + 30
