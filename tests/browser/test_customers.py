"""New customers and prospects are created and edited offline, with look-alikes shown first."""

import re
from urllib.parse import quote

from playwright.sync_api import expect

from .helpers import go_to, sign_in, sync_in_background, wait_synced


def test_a_prospect_created_offline_reaches_the_server_and_a_teammate(page, context, live, customers):
    sign_in(page, live)
    context.set_offline(True)
    page.get_by_test_id("new-customer").click()
    page.get_by_label("会社名").fill("株式会社みらい精機")
    page.get_by_label("フリガナ").fill("ミライセイキ")
    page.get_by_label("きっかけ（展示会名など）").fill("名古屋ものづくり展 2026")
    page.get_by_label("郵便番号").fill("460-0003")
    page.get_by_label("電話").fill("052-123-4567")
    page.get_by_test_id("save-customer").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("株式会社みらい精機")
    page.get_by_test_id("edit-customer").click()
    page.get_by_label("住所").fill("愛知県名古屋市中区錦1-2-3")
    page.get_by_test_id("save-customer").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("1")  # the edit joined the create

    context.set_offline(False)
    wait_synced(page)
    found = [
        c for c in live.device("rep_a2").records("customers").values() if c["name"] == "株式会社みらい精機"
    ]
    assert [(c["status"], c["source"], c["postal_code"], c["address"], c["version"]) for c in found] == [
        ("prospect", "名古屋ものづくり展 2026", "460-0003", "愛知県名古屋市中区錦1-2-3", 1)
    ]


def test_a_look_alike_customer_is_shown_before_saving(page, live, customers):
    sign_in(page, live)
    page.get_by_test_id("new-customer").click()
    page.get_by_label("会社名").fill("三条精工（有）")
    page.get_by_label("電話").fill("048-123-4567")
    page.get_by_label("電話").blur()
    expect(page.get_by_test_id("duplicates")).to_contain_text("山田製作所")
    page.get_by_label("会社名").fill("有限会社 三条精工")
    page.get_by_label("会社名").blur()
    expect(page.get_by_test_id("duplicates")).to_contain_text(re.compile("三条精工"))


def test_office_compares_two_customers_side_by_side_and_merges_them(page, live, customers):
    rep = live.device("rep_a")
    twin = rep.create("customers", name="株式会社山田製作所", phone="048-123-4567", postal_code="332-0001")
    sign_in(page, live, "office")
    page.goto(live.url + f"/#/customers/{twin['id']}")
    page.get_by_test_id("merge-customer").click()
    expect(page.get_by_test_id("merge-candidates")).to_contain_text("社名が同じ・電話番号が同じ")
    page.get_by_test_id("merge-choose").first.click()
    compare = page.get_by_test_id("merge-compare")
    expect(compare).to_contain_text("332-0001")
    expect(compare).to_contain_text("埼玉県川口市")
    page.get_by_test_id("merge-do").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("山田製作所")
    office = live.device("office")
    survivor = office.records("customers")[customers["yamada"]["id"]]
    assert survivor["postal_code"] == "332-0001"
    assert twin["id"] not in office.records("customers")


def test_office_merges_into_a_customer_the_server_did_not_suggest_found_by_its_reading(page, live, customers):
    rep = live.device("rep_a")
    twin = rep.create("customers", name="ホクシン・フード", phone="025-999-0000")
    sign_in(page, live, "office")
    page.goto(live.url + f"/#/customers/{twin['id']}")
    page.get_by_test_id("merge-customer").click()
    none = page.get_by_test_id("merge-candidates").locator("li.empty")
    expect(none).to_have_text("重複していそうな顧客は見つかりませんでした。")
    # The message sits inside the list's box, inset from its border as the rows' text is.
    inset = none.evaluate(
        """e => { const r = document.createRange(); r.selectNodeContents(e);
        return r.getBoundingClientRect().left - e.parentElement.getBoundingClientRect().left; }"""
    )
    assert inset >= 12, inset
    page.get_by_test_id("merge-search").fill("ほくしん")
    found = page.get_by_test_id("merge-found")
    expect(found).to_contain_text("株式会社北辰フードマシナリー")
    expect(found).not_to_contain_text("ホクシン・フード")  # not the customer being merged
    found.get_by_test_id("merge-choose").click()
    expect(page.get_by_test_id("merge-compare")).to_contain_text("0256-11-2222")
    page.get_by_test_id("merge-do").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("株式会社北辰フードマシナリー")
    assert twin["id"] not in live.device("office").records("customers")


def test_a_customer_not_found_in_the_new_deal_picker_is_created_there_offline_and_chosen(
    page, live, customers
):
    sign_in(page, live)
    page.context.set_offline(True)
    go_to(page, "deals")
    page.get_by_test_id("deal-new").click()
    page.get_by_test_id("deal-new-title").fill("治具の引き合い")
    page.get_by_test_id("customer-picker").fill("株式会社みらい精機")
    expect(page.get_by_test_id("picker-none")).to_have_text(
        "「株式会社みらい精機」に当たる顧客は端末にありません。"
    )
    page.get_by_test_id("picker-new-customer").click()
    expect(page.get_by_test_id("picker-new-name")).to_have_value("株式会社みらい精機")
    page.get_by_test_id("picker-new-phone").fill("052-111-2222")
    page.get_by_test_id("picker-create").click()
    expect(page.get_by_test_id("deal-new-customer")).to_have_text("顧客: 株式会社みらい精機")
    expect(page.get_by_test_id("deal-new-title")).to_have_value("治具の引き合い")  # nothing typed is lost
    page.get_by_test_id("deal-create").click()
    expect(page.get_by_test_id("deal-title")).to_have_text("治具の引き合い")

    page.context.set_offline(False)
    wait_synced(page)
    manager = live.device("manager")
    customer = next(c for c in manager.records("customers").values() if c["name"] == "株式会社みらい精機")
    deal = next(d for d in manager.records("deals").values() if d["title"] == "治具の引き合い")
    rep = live.device("rep_a").user
    assert (customer["status"], customer["phone"], customer["owner_id"]) == (
        "prospect",
        "052-111-2222",
        rep["id"],
    )
    assert (deal["customer_id"], deal["owner_id"]) == (customer["id"], rep["id"])


def test_the_visit_form_offers_a_new_customer_even_when_the_search_finds_some(page, live, customers):
    sign_in(page, live)
    page.goto(live.url + "/#/visits/new")
    page.get_by_test_id("customer-picker").fill("山田")
    expect(page.locator(".picker-results")).to_contain_text("山田製作所")
    page.get_by_test_id("picker-new-customer").click()
    page.get_by_test_id("picker-new-name").fill("山田精密")
    page.get_by_test_id("picker-create").click()
    expect(page.get_by_test_id("chosen-customer")).to_have_text("山田精密")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_contain_text("山田精密")


def test_a_company_searched_for_and_not_found_comes_into_the_new_customer_form(page, live, customers):
    sign_in(page, live)
    page.get_by_label("顧客を検索").fill("株式会社みらい精機")
    page.get_by_test_id("new-customer").click()
    expect(page.get_by_label("会社名")).to_have_value("株式会社みらい精機")


def test_a_phone_number_searched_for_in_the_picker_becomes_the_new_customers_phone(page, live, customers):
    sign_in(page, live)
    page.goto(live.url + "/#/visits/new")
    page.get_by_test_id("customer-picker").fill("０５２-９９９-１２３４")
    page.get_by_test_id("picker-new-customer").click()
    expect(page.get_by_test_id("picker-new-phone")).to_have_value("０５２-９９９-１２３４")
    expect(page.get_by_test_id("picker-new-name")).to_have_value("")


def test_a_customer_of_many_years_shows_the_newest_history_and_the_rest_on_asking(page, live, customers):
    rep = live.device("rep_a")
    yamada = customers["yamada"]
    visits = [
        rep.mutation(
            "visits",
            customer_id=yamada["id"],
            kind="sales",
            visited_at=f"{2015 + n // 12}-{1 + n % 12:02d}-10T10:00:00+09:00",
            notes=f"定期訪問{n:03d}",
        )
        for n in range(119)
    ]
    rep.push(*visits)  # with the one of the fixture, 120 visits from 2015 on
    sign_in(page, live)
    page.goto(f"{live.url}/#/customers/{yamada['id']}")
    entries = page.get_by_test_id("timeline").locator("li")
    more = page.get_by_test_id("timeline-more")
    expect(entries).to_have_count(50)
    expect(entries.nth(1)).to_contain_text("定期訪問118")  # the newest first (after the fixture's of 2026)
    expect(more).to_have_text("さらに表示（残り70件）")
    more.click()
    expect(entries).to_have_count(100)
    expect(entries.nth(50).locator("a")).to_be_focused()  # the reader goes on from the first added
    expect(more).to_have_text("さらに表示（残り20件）")
    rep.update("customers", yamada, notes="同期で届いたメモ")
    sync_in_background(page)  # a sync redraws the page: what was asked for stays shown
    expect(page.locator("#view .prewrap")).to_have_text("同期で届いたメモ")
    expect(entries).to_have_count(100)
    more.click()
    expect(entries).to_have_count(120)
    expect(more).to_be_hidden()
    expect(entries.last).to_contain_text("定期訪問000")


def test_the_customer_list_says_how_many_more_there_are(page, live, customers):
    rep = live.device("rep_a")
    rep.push(
        *[rep.mutation("customers", name=f"追加工業{n:02d}") for n in range(52)]
    )  # 55 with the fixture's
    sign_in(page, live)
    rows = page.get_by_test_id("customer-list").locator("li")
    more = page.get_by_test_id("customers-more")
    expect(rows).to_have_count(50)
    expect(more).to_have_text("さらに表示（残り5件）")
    more.click()
    expect(rows).to_have_count(55)
    expect(more).to_be_hidden()


# The end of a script that holds the customers' store by a write until window.letGo (a slow
# phone's reads of them wait).
HOLD_THE_CUSTOMERS_STORE = """
  window.letGo = false;
  const hold = db.transaction('customers', 'readwrite');
  const store = hold.objectStore('customers');
  const spin = () => { if (!window.letGo) store.count().onsuccess = spin; };
  spin();
}"""

# A customer the customer list's cached index still names, gone from the device since: the
# index put first in the cache, and the customers held so that the picker's own read of them
# (and of the one tapped) waits until the test lets it go.
GHOST_IN_THE_CACHE = """async () => {
  const base = document.querySelector('script[type=module]').src.replace('app.js', '');
  const { fold } = await import(base + 'text.js');
  const db = await new Promise((resolve) => { indexedDB.open('genba').onsuccess = (e) => resolve(e.target.result); });
  const write = db.transaction('cache', 'readwrite');
  const cache = write.objectStore('cache');
  cache.get('customer_index').onsuccess = (e) => {
    const index = e.target.result;
    const ghost = { ...index[0], id: crypto.randomUUID(), name: '幽霊工業', kana: 'ユウレイコウギョウ',
      folded: `${fold('幽霊工業')}\\u0001${fold('ユウレイコウギョウ')}` };
    cache.put([ghost, ...index], 'customer_index');
  };
  await new Promise((resolve) => { write.oncomplete = resolve; });"""
GHOST_IN_THE_CACHE += HOLD_THE_CUSTOMERS_STORE


def test_the_picker_finds_a_customer_made_since_the_list_was_cached_and_never_picks_one_gone(
    page, live, customers
):
    sign_in(page, live)  # on the customer list, which caches its index
    expect(page.get_by_test_id("customer-list")).to_contain_text("山田製作所")
    page.get_by_test_id("new-customer").click()
    page.get_by_label("会社名").fill("株式会社みらい精機")
    page.get_by_test_id("save-customer").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("株式会社みらい精機")
    page.goto(live.url + "/#/visits/new")
    page.get_by_test_id("customer-picker").fill("みらい")
    expect(page.locator(".picker-results")).to_contain_text("株式会社みらい精機")

    page.goto(live.url + "/#/customers")
    expect(page.get_by_test_id("customer-list")).to_contain_text("株式会社みらい精機")
    page.wait_for_timeout(300)  # the list's index cached again
    page.evaluate(GHOST_IN_THE_CACHE)
    page.goto(live.url + "/#/deals/new")
    page.get_by_test_id("customer-picker").fill("ユウレイ")
    page.get_by_role("button", name="幽霊工業").click()
    page.evaluate("window.letGo = true")
    expect(page.locator(".picker-results")).not_to_contain_text("幽霊工業")
    expect(page.get_by_test_id("picker-none")).to_contain_text("ユウレイ")
    expect(page.get_by_test_id("deal-new-customer")).not_to_contain_text("幽霊工業")


# No index cached, and the customers held: the picker has nothing to list until let go.
HOLD_THE_CUSTOMERS = """async () => {
  const db = await new Promise((resolve) => { indexedDB.open('genba').onsuccess = (e) => resolve(e.target.result); });
  const forget = db.transaction('cache', 'readwrite');
  forget.objectStore('cache').delete('customer_index');
  await new Promise((resolve) => { forget.oncomplete = resolve; });"""
HOLD_THE_CUSTOMERS += HOLD_THE_CUSTOMERS_STORE


def test_the_pickers_new_customer_button_is_named_while_the_customers_are_still_read(page, live, customers):
    sign_in(page, live)
    expect(page.get_by_test_id("customer-list")).to_contain_text("山田製作所")
    page.evaluate(HOLD_THE_CUSTOMERS)  # no index cached, and a slow phone reading the stores
    page.goto(live.url + "/#/visits/new")
    offer = page.get_by_test_id("picker-new-customer")
    expect(offer).to_have_text("＋ 新しい顧客")
    page.get_by_test_id("customer-picker").fill("みらい")
    expect(offer).to_have_text("＋ 「みらい」を新しい顧客として登録")
    expect(page.locator(".picker-results")).not_to_contain_text("山田製作所")  # still reading
    page.evaluate("window.letGo = true")
    page.get_by_test_id("customer-picker").fill("山田")
    expect(page.locator(".picker-results")).to_contain_text("山田製作所")
    expect(offer).to_have_text("＋ 「山田」を新しい顧客として登録")


def test_a_town_typed_finds_the_customers_there_after_those_it_names(page, live, customers):
    live.device("rep_a").create(
        "customers", name="川口鉄工", name_kana="カワグチテッコウ", address="東京都大田区"
    )
    sign_in(page, live)
    expect(page.get_by_test_id("customer-list")).to_contain_text("川口鉄工")
    page.get_by_label("顧客を検索").fill("川口")
    expect(page.get_by_test_id("customer-list").locator(".row-title")).to_have_text(
        ["川口鉄工", "山田製作所"]
    )
    expect(page.get_by_test_id("customer-count")).to_have_text("4 件中 2 件")
    page.goto(live.url + "/#/visits/new")
    page.get_by_test_id("customer-picker").fill("埼玉県川口市")
    expect(page.locator(".picker-results .row-title")).to_have_text(["山田製作所"])
    expect(page.locator(".picker-results li")).to_contain_text("埼玉県川口市")  # why it was found


def test_a_customers_page_shows_its_postal_code_and_opens_its_address_in_a_map(page, live, customers):
    address = "愛知県名古屋市中区錦1-2-3"
    mirai = live.device("rep_a").create(
        "customers", name="株式会社みらい精機", postal_code="460-0003", address=address
    )
    sign_in(page, live)
    page.goto(f"{live.url}/#/customers/{mirai['id']}")
    expect(page.get_by_test_id("customer-place")).to_have_text(f"〒460-0003 {address}")
    link = page.get_by_role("link", name="地図で開く")
    expect(link).to_have_attribute(
        "href", "https://www.google.com/maps/search/?api=1&query=" + quote(address, safe="!*'()")
    )
    expect(link).to_have_attribute("target", "_blank")
    page.goto(f"{live.url}/#/customers/{customers['hokushin']['id']}")  # no address: no map
    expect(page.get_by_test_id("customer-name")).to_contain_text("北辰")
    expect(page.get_by_test_id("customer-map")).to_have_count(0)
    expect(page.locator("dl.facts")).not_to_contain_text("住所")
