"""Japanese input: Enter that confirms an IME conversion never submits, the フリガナ is suggested
from the reading the IME gave, and search folds kana and width so every way of typing a reading
finds the customer."""

from playwright.sync_api import expect

from .helpers import idb_all, outbox, sign_in, wait_synced

LOG_KEYDOWNS = """() => {
    window.keydowns = [];
    document.addEventListener("keydown", (e) => window.keydowns.push([e.key, e.keyCode, e.isComposing]), true);
}"""


def compose(cdp, text):
    """What an IME does while the user types a reading: a composition, not committed yet."""
    cdp.send(
        "Input.imeSetComposition", {"text": text, "selectionStart": len(text), "selectionEnd": len(text)}
    )


def type_with_ime(cdp, reading, converted=None):
    """Type ``reading`` in kana, convert it to ``converted`` (or keep the kana) and commit."""
    compose(cdp, reading)
    if converted:
        compose(cdp, converted)
    cdp.send("Input.insertText", {"text": converted or reading})


def test_the_kana_reading_typed_into_the_ime_is_suggested_as_furigana_until_the_user_edits_it(
    page, live, customers
):
    sign_in(page, live)
    page.goto(f"{live.url}/#/customers/new")
    name, kana = page.get_by_label("会社名"), page.get_by_label("フリガナ")
    name.click()
    cdp = page.context.new_cdp_session(page)
    type_with_ime(cdp, "かぶしきがいしゃ", "株式会社")
    type_with_ime(cdp, "みらい")
    expect(kana).to_have_value("ミライ")  # in katakana, without the legal form
    type_with_ime(cdp, "せいき", "精機")
    expect(name).to_have_value("株式会社みらい精機")
    expect(kana).to_have_value("ミライセイキ")

    kana.fill("ミライセーキ")  # the user's own reading is never overwritten
    name.click()
    name.press("End")
    type_with_ime(cdp, "こうぎょう", "工業")
    expect(name).to_have_value("株式会社みらい精機工業")
    expect(kana).to_have_value("ミライセーキ")
    page.get_by_test_id("save-customer").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("株式会社みらい精機工業")
    expect(page.get_by_text("ミライセーキ", exact=True)).to_be_visible()

    page.goto(f"{live.url}/#/visits/new?customer={customers['yamada']['id']}")
    page.get_by_test_id("add-contact").click()
    page.get_by_label("氏名").click()
    type_with_ime(cdp, "さとう", "佐藤")
    page.keyboard.type(" ")
    type_with_ime(cdp, "けんた", "健太")
    expect(page.get_by_label("フリガナ")).to_have_value("サトウ ケンタ")
    page.get_by_role("button", name="追加する").click()
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("佐藤 健太")
    assert [(c["name"], c["name_kana"]) for c in idb_all(page, "contacts") if c["name"] == "佐藤 健太"] == [
        ("佐藤 健太", "サトウ ケンタ")
    ]


def test_enter_that_confirms_an_ime_conversion_does_not_submit_the_form(page, live, customers):
    sign_in(page, live)
    page.goto(f"{live.url}/#/visits/new?customer={customers['yamada']['id']}")
    purpose = page.get_by_label("目的")
    purpose.click()
    page.evaluate(LOG_KEYDOWNS)
    cdp = page.context.new_cdp_session(page)

    compose(cdp, "やまだ")
    expect(purpose).to_have_value("やまだ")
    # Enter confirms the conversion: the IME reports keyCode 229 while composing.
    cdp.send(
        "Input.dispatchKeyEvent",
        {
            "type": "rawKeyDown",
            "key": "Enter",
            "code": "Enter",
            "windowsVirtualKeyCode": 229,
            "nativeVirtualKeyCode": 229,
        },
    )
    cdp.send("Input.insertText", {"text": "山田"})
    cdp.send(
        "Input.dispatchKeyEvent",
        {
            "type": "keyUp",
            "key": "Enter",
            "code": "Enter",
            "windowsVirtualKeyCode": 13,
            "nativeVirtualKeyCode": 13,
        },
    )
    # Some browsers report the confirming Enter as 13 with isComposing set.
    compose(cdp, "さま")
    cdp.send(
        "Input.dispatchKeyEvent",
        {
            "type": "rawKeyDown",
            "key": "Enter",
            "code": "Enter",
            "windowsVirtualKeyCode": 13,
            "nativeVirtualKeyCode": 13,
        },
    )
    cdp.send("Input.insertText", {"text": "様"})

    expect(purpose).to_have_value("山田様")
    expect(purpose).to_be_focused()
    assert [k for k in page.evaluate("window.keydowns") if k[0] == "Enter"] == [
        ["Enter", 229, True],
        ["Enter", 13, True],
    ]
    assert "#/visits/new" in page.url
    assert outbox(page) == []

    purpose.press("Enter")  # a plain Enter moves on to the next field; it never saves either
    expect(page.get_by_label("話した内容・メモ")).to_be_focused()
    assert outbox(page) == []
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("山田様")


def test_katakana_hiragana_and_half_width_kana_find_yamada_by_its_reading(page, live, customers):
    sign_in(page, live)
    search, results = page.get_by_label("顧客を検索"), page.get_by_test_id("customer-list")
    for query in ["ヤマダ", "ﾔﾏﾀﾞ", "やまだ", "山田", "ヤマダ　セイサクショ", "048-123"]:
        search.fill(query)
        expect(results).to_contain_text("山田製作所")
        expect(results.get_by_role("listitem")).to_have_count(1)
    search.fill("ﾎｸｼﾝ")
    expect(results).to_have_text(["株式会社北辰フードマシナリーホクシンフードマシナリー0256-11-2222"])


def test_a_search_that_finds_no_customer_says_so_and_offers_to_add_it(page, live, customers):
    sign_in(page, live)
    search, no_match = page.get_by_label("顧客を検索"), page.get_by_test_id("no-match")
    search.fill("ｶﾌﾞｼｷ")
    expect(no_match).to_contain_text("「ｶﾌﾞｼｷ」に一致する顧客はありません。")
    expect(page.get_by_test_id("customer-list").get_by_role("listitem")).to_have_count(0)
    search.fill("未登録工業")
    page.get_by_test_id("new-customer").click()
    expect(page.get_by_label("会社名")).to_have_value("未登録工業")
    page.go_back()
    search = page.get_by_label("顧客を検索")
    search.fill("やまだ")
    expect(page.get_by_test_id("no-match")).to_be_hidden()


def test_times_and_quantities_are_read_as_people_write_them(page, live, customers):
    sign_in(page, live, login="tech")
    page.goto(f"{live.url}/#/visits/new?customer={customers['yamada']['id']}")
    page.get_by_text("アフターサービス", exact=True).click()
    page.get_by_label("実施した対応").fill("主軸ベアリングを交換")
    page.get_by_test_id("add-part").click()
    page.get_by_test_id("part-name").fill("ベアリング 6204")
    page.get_by_test_id("part-quantity").fill("２個")
    page.get_by_test_id("work-minutes").fill("約1時間")
    page.get_by_test_id("save-visit").click()
    expect(page.locator("[data-field=work_minutes] .field-error")).to_contain_text("1時間30分")
    page.get_by_test_id("work-minutes").fill("１時間３０分")
    page.get_by_test_id("save-visit").click()
    facts = page.get_by_test_id("visit-facts")
    expect(facts).to_contain_text("90分")
    expect(facts).to_contain_text("ベアリング 6204")
    wait_synced(page)
    (visit,) = [
        v for v in live.device("tech").records("visits").values() if v["handling"] == "主軸ベアリングを交換"
    ]
    assert (visit["work_minutes"], visit["parts"]) == (90, [{"name": "ベアリング 6204", "quantity": 2}])

    page.goto(f"{live.url}/#/today")
    page.get_by_test_id("report-hours").fill("７．５時間")
    page.get_by_test_id("report-save").click()
    expect(page.get_by_test_id("report-saved")).to_contain_text("保存しました")
    wait_synced(page)
    assert [r["hours"] for r in live.device("tech").records("daily_reports").values()] == [7.5]


# Where each line of an element's text begins (offsets into its text), as the browser laid it out.
LINE_STARTS = """(el) => {
  const starts = [];
  let top = null, offset = 0;
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++, offset++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getClientRects()[0];
      if (box && (top === null || box.top > top + 2)) {
        starts.push(offset);
        top = box.top;
      }
    }
  }
  return starts;
}"""


def test_japanese_on_an_english_screen_is_marked_as_japanese_and_breaks_between_phrases(
    page, live, customers
):
    notes = "包装機械メーカー。主な受注品はシール治具、シャフト、カバー、ブラケット。支払条件は月末締め翌月末払い。"
    live.device("rep_a").update("customers", customers["yamada"], notes=notes)
    sign_in(page, live)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live.url}/#/customers/{customers['yamada']['id']}")
    shown = page.locator("#view .prewrap")
    expect(shown).to_have_text(notes)
    japanese_lines = shown.evaluate(LINE_STARTS)
    assert len(japanese_lines) >= 3

    page.evaluate("localStorage.setItem('genba.lang', 'en')")
    page.reload()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    # A screen reader reads the name and the note in Japanese, the screen's own words in English.
    expect(page.locator("[data-testid=customer-name] [lang=ja]")).to_have_text("山田製作所")
    expect(shown.locator("[lang=ja]")).to_have_text(notes)
    expect(page.get_by_test_id("new-visit")).to_have_text("Record a visit")
    expect(page.get_by_test_id("new-visit").locator("[lang]")).to_have_count(0)
    # The note breaks where it does on a Japanese screen (between phrases), not mid-word.
    assert shown.evaluate(LINE_STARTS) == japanese_lines


def test_a_long_company_name_breaks_after_its_legal_form_not_before_its_last_letters(page, live, customers):
    live.device("rep_a").update("customers", customers["sanjo"], name="小牧パックマシン工業株式会社")
    sign_in(page, live)
    page.set_viewport_size({"width": 360, "height": 740})
    for key, name, lines in (
        ("hokushin", "株式会社北辰フードマシナリー", [0, 4]),  # 「株式会社／北辰フードマシナリー」
        ("sanjo", "小牧パックマシン工業株式会社", [0, 10]),  # 「小牧パックマシン工業／株式会社」
    ):
        page.goto(f"{live.url}/#/customers/{customers[key]['id']}")
        heading = page.get_by_test_id("customer-name")
        expect(heading).to_have_text(name)
        assert heading.evaluate(LINE_STARTS) == lines, name
