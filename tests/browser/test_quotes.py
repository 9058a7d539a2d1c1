"""Past quotes in the field app: offline search with the server's folding rules, the quote
page with cost against the quoted amount, and "make it again" carrying the difficulties and
asking before it copies a loss-making price or another customer's drawing number."""

import re

from playwright.sync_api import expect

from quote_fixture import QUOTES

from .helpers import go_to, idb_all, sign_in, wait_synced


def load_quotes(live, customer_id, *keys):
    """Create fixture quotes for one customer of rep_a; return their ids by key."""
    rep = live.device("rep_a")
    return {key: rep.create("quotes", customer_id=customer_id, **QUOTES[key][1])["id"] for key in keys}


KEYS = (
    "shaft_sus",
    "shaft_sus_repeat",
    "bracket_sus",
    "bracket_weld",
    "sleeve_halfwidth",
    "cover_a5052",
    "frame_weld",
    "housing_a6061",
)


def test_offline_quote_search_folds_width_kana_and_case_and_knows_synonyms(page, context, live, customers):
    load_quotes(live, customers["yamada"]["id"], *KEYS)
    sign_in(page, live)
    context.set_offline(True)
    go_to(page, "quotes")
    search, results = page.get_by_test_id("quote-q"), page.get_by_test_id("quote-results")
    for query, first in [
        ("ＳＵＳ３０４ シャフト", "シャフト YS-2023-0153"),
        ("sus304 しゃふと", "シャフト"),
        ("すりーぶ", "ｽﾘｰﾌﾞ"),
        ("ｽﾘｰﾌﾞ", "ｽﾘｰﾌﾞ"),
        ("ステンレス ブラケット", "ブラケット YS-2024-0512"),
        ("溶接 架台", "架台フレーム"),
        ("アルミ ハウジング", "ハウジング"),
        ("ys-2023-0099", "ｽﾘｰﾌﾞ"),
    ]:
        search.fill(query)
        expect(results.get_by_role("listitem").first.locator(".row-title")).to_contain_text(first)
    search.fill("旋盤")
    expect(results.get_by_role("listitem")).to_have_count(3)  # the two shafts and the half-width ｾﾝﾊﾞﾝ sleeve
    search.fill("sus304")
    marks = results.get_by_role("listitem").first.locator("mark")
    expect(marks.first).to_have_text(
        "ＳＵＳ３０４"
    )  # the newest one, typed full-width: its own text is marked
    expect(results.get_by_role("listitem").first.get_by_test_id("why")).to_contain_text("材質")
    search.fill("sus 304")  # two words found in one field: the field is named once
    expect(results.get_by_role("listitem").first.get_by_test_id("why")).to_have_text("一致: 材質")
    search.fill("sus304 しゃふと")  # in the order the screen names fields, not the order typed
    expect(results.get_by_role("listitem").first.get_by_test_id("why")).to_have_text("一致: 品名・材質")
    search.fill("")
    page.get_by_test_id("quote-material").fill("アルミ")
    expect(results.get_by_role("listitem")).to_have_count(2)
    page.get_by_test_id("quote-min").fill("300")
    expect(results.get_by_role("listitem")).to_have_count(1)
    expect(results).to_contain_text("カバー")
    search.fill("<img src=x onerror=alert(1)>")
    expect(page.get_by_test_id("quote-count")).to_contain_text("条件に合う見積はありません")
    search.fill("")
    page.get_by_test_id("quote-material").fill("")
    page.get_by_test_id("quote-min").fill("")
    expect(page.get_by_test_id("quote-count")).to_contain_text("品名・図番・材質などを入れると探します")
    # the longest side typed the wrong way round is said so, on the device and before asking online
    page.get_by_test_id("quote-min").fill("100")
    page.get_by_test_id("quote-max").fill("10")
    expect(page.get_by_test_id("quote-count")).to_have_text(
        "最長辺の下限が上限より大きくなっています。入れ替えてください。"
    )
    expect(results.get_by_role("listitem")).to_have_count(0)
    page.get_by_test_id("quote-online").click()
    expect(page.get_by_test_id("quote-online-results")).to_have_text(
        "最長辺の下限が上限より大きくなっています。入れ替えてください。"
    )


def test_make_it_again_carries_the_difficulties_and_asks_before_copying_a_losing_price_or_drawing(
    page, live, customers
):
    ids = load_quotes(live, customers["yamada"]["id"], "shaft_sus")
    sign_in(page, live)
    page.goto(f"{live.url}/#/quotes/{ids['shaft_sus']}")
    expect(page.get_by_test_id("overrun")).to_contain_text("40,000円")  # 290,000 against 250,000
    expect(page.get_by_test_id("overrun")).to_contain_text("16%")
    expect(page.get_by_test_id("actual-cost")).to_contain_text("見積比 116%")
    page.get_by_test_id("make-again").click()
    expect(page.get_by_test_id("again-overrun")).to_contain_text("40,000円（16%）")
    expect(page.get_by_test_id("carried-note")).to_contain_text("びびりが出やすい")
    expect(page.get_by_test_id("quote-product")).to_have_value("シャフト")
    expect(page.get_by_test_id("quote-material")).to_have_value("SUS304")
    expect(page.get_by_test_id("quote-dimensions")).to_have_value("φ45×120")
    # The old price lost money: it is copied only when asked.
    expect(page.get_by_test_id("quote-amount")).to_have_value("")
    expect(page.get_by_test_id("again-from")).to_contain_text(
        "前回の金額 250,000円 は原価 290,000円 を下回りました"
    )
    expect(page.get_by_test_id("quote-drawing_no")).to_have_value(
        "YS-2023-0153"
    )  # the same customer's drawing
    page.get_by_text("別の顧客の見積にする").click()
    page.get_by_test_id("customer-picker").fill("さんじょう")
    page.get_by_role("button", name="有限会社三条精工").click()
    expect(page.get_by_test_id("quote-customer")).to_contain_text("有限会社三条精工")
    # Another customer's drawing number is not theirs: it is copied only when asked.
    expect(page.get_by_test_id("quote-drawing_no")).to_have_value("")
    expect(page.get_by_test_id("again-from")).to_contain_text("図番 YS-2023-0153 は山田製作所の図番です")
    page.get_by_test_id("copy-old-price").click()
    expect(page.get_by_test_id("quote-amount")).to_have_value("250000")
    page.get_by_test_id("quote-quantity").fill("80")
    page.get_by_test_id("save-quote").click()
    expect(page.get_by_test_id("carried-notes")).to_contain_text("びびりが出やすい")
    wait_synced(page)
    new = [q for q in live.device("rep_a").records("quotes").values() if q["id"] != ids["shaft_sus"]]
    assert len(new) == 1
    draft = new[0]
    assert draft["customer_id"] == customers["sanjo"]["id"] and draft["status"] == "draft"
    assert (
        draft["product"],
        draft["drawing_no"],
        draft["material"],
        draft["dimensions"],
        draft["processing_method"],
        draft["amount"],
        draft["quantity"],
    ) == ("シャフト", None, "SUS304", "φ45×120", "旋盤", 250000, 80)
    assert draft["source_quote_id"] == ids["shaft_sus"]
    assert (
        "びびり" in draft["carried_notes"] and draft["actual_cost"] is None and draft["difficulties"] is None
    )
    assert any(q["id"] == draft["id"] for q in idb_all(page, "quotes"))


def test_the_offer_of_a_losing_old_price_stands_only_while_the_price_is_empty(page, live, customers):
    ids = load_quotes(live, customers["yamada"]["id"], "shaft_sus")
    sign_in(page, live)
    page.goto(f"{live.url}/#/quotes/new?from={ids['shaft_sus']}")
    copy = page.get_by_test_id("copy-old-price")
    expect(copy).to_be_visible()
    page.get_by_test_id("quote-amount").fill("32万")
    expect(copy).to_be_hidden()
    page.reload()  # the typed price comes back with the draft, and the offer stays away
    expect(page.get_by_test_id("quote-amount")).to_have_value("32万")
    expect(copy).to_be_hidden()
    page.get_by_test_id("quote-amount").fill("")
    expect(copy).to_be_visible()


def test_a_quote_made_offline_from_the_customer_page_is_found_and_reaches_the_server(
    page, context, live, customers
):
    sign_in(page, live)
    context.set_offline(True)
    page.get_by_role("link", name="山田製作所").first.click()
    page.get_by_test_id("new-quote").click()
    page.get_by_test_id("quote-product").fill("ﾌﾗﾝｼﾞ")
    page.get_by_test_id("quote-material").fill("ＳＵＳ３１６Ｌ")
    page.get_by_test_id("quote-dimensions").fill("φ１５０×ｔ１６")
    page.get_by_test_id("quote-processing_method").fill("旋盤")
    page.get_by_test_id("quote-amount").fill("約32万")
    page.get_by_test_id("quote-quantity").fill("１２個")
    page.get_by_test_id("save-quote").click()
    expect(page.locator("[data-field=amount] .field-error")).to_contain_text("円単位の数字")
    page.get_by_test_id("quote-amount").fill("３２万円")  # as people say it: 320,000 yen, not 32
    page.get_by_test_id("save-quote").click()
    expect(page.get_by_test_id("quote-heading")).to_have_text("ﾌﾗﾝｼﾞ")
    expect(page.get_by_test_id("quote-facts")).to_contain_text("320,000円")
    go_to(page, "quotes")
    page.get_by_test_id("quote-q").fill("ステンレス ふらんじ")
    expect(page.get_by_test_id("quote-results").get_by_role("listitem")).to_have_count(1)
    context.set_offline(False)
    wait_synced(page)
    found = (
        live.device("office")
        .client.get(
            "/api/v1/quotes/search",
            query_string={"q": "フランジ", "length_min": 150},
            headers=live.device("office").headers,
        )
        .get_json()["results"]
    )
    assert [(r["quote"]["material"], r["quote"]["amount"], r["quote"]["quantity"]) for r in found] == [
        ("ＳＵＳ３１６Ｌ", 320000, 12)
    ]


def test_a_customer_name_finds_their_quotes_a_grade_lists_only_that_grade_and_a_wish_gets_a_hint(
    page, context, live, customers
):
    load_quotes(live, customers["yamada"]["id"], "shaft_sus", "bracket_sus", "flange_sus316l")
    load_quotes(live, customers["sanjo"]["id"], "cover_a5052")
    sign_in(page, live)
    context.set_offline(True)
    go_to(page, "quotes")
    search, results = page.get_by_test_id("quote-q"), page.get_by_test_id("quote-results")
    items = results.get_by_role("listitem")
    search.fill("山田製作所")
    expect(items).to_have_count(3)
    expect(items.first.get_by_test_id("why")).to_contain_text("顧客名")
    search.fill("やまだ")  # the customer's reading
    expect(items).to_have_count(3)

    search.fill("前回と同じフランジ")  # what is said around the thing is left out of the search
    expect(items).to_have_count(1)
    expect(items.first.locator(".row-title")).to_have_text("フランジ TS-2024-0088")
    hint = page.get_by_test_id("quote-hint")
    expect(hint).to_be_visible()  # 「前回」 still offers the customer picker, below what was found
    assert items.first.bounding_box()["y"] < hint.bounding_box()["y"]
    search.fill("以前と同じもの")
    expect(items).to_have_count(0)
    expect(page.get_by_test_id("quote-hint")).to_contain_text("お客様の名前（例: 山田製作所）で探すと")
    page.get_by_test_id("quote-pick-customer").select_option("有限会社三条精工")
    expect(search).to_have_value("有限会社三条精工")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("カバー")

    search.fill("")
    page.get_by_test_id("quote-material").fill("SUS316")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("SUS316L")
    page.get_by_test_id("quote-material").fill("ステンレス")
    expect(items).to_have_count(3)

    page.get_by_test_id("quote-material").fill("インコネル")
    expect(page.get_by_test_id("quote-hint")).to_contain_text("オンラインで全履歴を探す")
    page.get_by_test_id("quote-online").click()
    expect(page.get_by_test_id("quote-online-results")).to_contain_text("オフラインのため")
    context.set_offline(False)
    page.get_by_test_id("quote-material").fill("A5052")
    page.get_by_test_id("quote-online").click()
    expect(page.get_by_test_id("quote-online-count")).to_have_text("この端末にない見積が0件見つかりました。")


def test_the_printed_quote_in_english_names_the_customer_the_company_and_who_made_it(page, live, customers):
    ids = load_quotes(live, customers["yamada"]["id"], "shaft_sus")
    sign_in(page, live)
    page.evaluate("localStorage.setItem('genba.lang', 'en')")
    page.goto(f"{live.url}/#/quotes/{ids['shaft_sus']}/print")
    page.reload()
    sheet = page.get_by_test_id("quote-sheet")
    expect(sheet.locator(".print-to")).to_have_text(f"Attn: {customers['yamada']['name']}")
    expect(page.get_by_test_id("print-issuer")).to_contain_text("株式会社 現場製作所")
    expect(page.get_by_test_id("issuer-person")).to_have_text("Contact: 佐藤 健太")  # the server's author_id
    assert "\u3000" not in sheet.text_content()  # no full-width space among English words
    expect(sheet.locator("tr", has_text="Lead time")).to_have_text(re.compile(r"^Lead time\s*14 days$"))
