"""The factory's load in the field app: a rep quoting offline sees what the order does to each
group's weeks and the earliest week it fits; the office edits the factory offline and it
reaches the server; the manager's 山積み表 says which deals fill which weeks."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .helpers import go_to, sign_in, wait_synced

WEIGHTS = {"firm": 1, "likely": 0.6, "possible": 0.3}
SHAPES = {"余裕": "○", "逼迫": "△", "超過": "✕"}
TOKYO = ZoneInfo("Asia/Tokyo")


def week_after(weeks, today=None):
    """The ISO week ``weeks`` weeks after this one, in the company's calendar (Asia/Tokyo)."""
    year, week, _ = ((today or datetime.now(TOKYO).date()) + timedelta(weeks=weeks)).isocalendar()
    return f"{year}-W{week:02d}"


def week_label(week):
    """「2027-W05（2/1〜2/5）」"""
    monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    friday = monday + timedelta(days=4)
    return f"{week}（{monday.month}/{monday.day}〜{friday.month}/{friday.day}）"


def light_word(utilisation):
    if utilisation is None or utilisation > 0.9:
        return "超過"
    return "余裕" if utilisation <= 0.7 else "逼迫"


def seed_factory(live):
    """Two groups; 溶接 nearly full for five weeks from now, 機械加工 lightly loaded."""
    office = live.device("office")
    machining = office.create("resource_groups", name="機械加工", hours_per_day=8, efficiency=1, sort=1)
    welding = office.create("resource_groups", name="溶接", hours_per_day=8, efficiency=1, sort=2)
    for n in range(5):
        office.create(
            "load_entries",
            resource_group_id=welding["id"],
            week=week_after(n),
            hours=36,
            confidence="firm",
            label="定期品",
        )
        office.create(
            "load_entries",
            resource_group_id=machining["id"],
            week=week_after(n),
            hours=10,
            confidence="likely",
            label="内示分",
        )
    return office, {"機械加工": machining["id"], "溶接": welding["id"]}


def expected_after(office, delivery_week, order):
    """The server's utilisation per group with the order added in the delivery week."""
    body = office.client.get(
        "/api/v1/load", query_string={"from": delivery_week, "weeks": 1}, headers=office.headers
    ).get_json()
    out = {}
    for row in body["weeks"][0]["groups"]:
        if row["resource_group_id"] in order:
            load = sum(WEIGHTS[c] * row[c] for c in WEIGHTS) + order[row["resource_group_id"]]
            out[row["resource_group_id"]] = load / row["capacity_hours"] if row["capacity_hours"] else None
    return out


def test_a_rep_quoting_offline_sees_the_traffic_lights_and_the_earliest_week_that_fits(
    page, context, live, customers
):
    office, groups = seed_factory(live)
    delivery = week_after(2)
    order = {groups["機械加工"]: 12, groups["溶接"]: 6}
    after = expected_after(office, delivery, order)
    fit = office.client.post(
        "/api/v1/load/fit", json={"process_hours": order}, headers=office.headers
    ).get_json()["week"]
    assert fit is not None and fit > delivery  # 溶接 is too full in the wished week
    sign_in(page, live)
    context.set_offline(True)
    page.get_by_role("link", name="山田製作所").first.click()
    page.get_by_test_id("new-quote").click()
    expect(page.get_by_test_id("impact-hint")).to_be_visible()
    expect(page.get_by_test_id("impact-as-of")).to_contain_text("時点")
    page.get_by_test_id("quote-product").fill("架台フレーム")
    page.get_by_label("機械加工").fill("１２")  # full-width digits, as a Japanese keyboard types them
    page.get_by_label("溶接", exact=True).fill("6")
    page.get_by_test_id("quote-delivery-week").select_option(delivery)
    expect(page.get_by_test_id("quote-delivery-week").locator("option:checked")).to_have_text(
        week_label(delivery)
    )
    table = page.get_by_test_id("impact-table")
    for name, group_id in groups.items():
        cell = table.locator(f"tr[data-group='{name}'] td[data-week='{delivery}']")
        percent = round(after[group_id] * 100)
        word = light_word(after[group_id])
        expect(cell).to_contain_text(
            f"{SHAPES[word]} {word} 稼働 {percent}%"
        )  # a shape and a word, not colour alone
    assert light_word(after[groups["溶接"]]) == "超過"
    expect(page.get_by_test_id("impact-fit")).to_have_text(
        f"すべての工程に入る最も早い週：{week_label(fit)} 希望納期週には間に合いません。"
    )
    expect(page.get_by_test_id("impact-server")).to_have_text("")  # offline: the device's answer only
    page.get_by_text("提出済み", exact=True).click()
    page.get_by_test_id("save-quote").click()
    expect(page.get_by_test_id("quote-heading")).to_have_text("架台フレーム")
    expect(page.get_by_test_id("quote-hours")).to_have_text("機械加工 12時間、溶接 6時間")
    expect(page.get_by_test_id("quote-week")).to_have_text(week_label(delivery))
    context.set_offline(False)
    wait_synced(page)
    [quote] = [q for q in office.records("quotes").values() if q["product"] == "架台フレーム"]
    assert (quote["process_hours"], quote["delivery_week"]) == (order, delivery)


def test_the_quote_form_confirms_the_week_with_the_server_when_online(page, live, customers):
    _, groups = seed_factory(live)
    sign_in(page, live)
    page.goto(f"{live.url}/#/quotes/new?customer={customers['yamada']['id']}")
    page.get_by_label("溶接", exact=True).fill("abc")
    page.get_by_test_id("quote-delivery-week").select_option(week_after(1))
    page.get_by_test_id("quote-product").fill("ブラケット")
    page.get_by_test_id("save-quote").click()
    expect(page.locator(f"[data-field='hours-{groups['溶接']}'] .field-error")).to_contain_text("0以上の数")
    page.get_by_label("溶接", exact=True).fill("2")
    expect(page.get_by_test_id("impact-server")).to_contain_text("サーバーでも確認しました")


def test_the_office_adds_a_resource_group_offline_and_it_reaches_the_server(page, context, live):
    sign_in(page, live, "office")
    go_to(page, "load")
    expect(page.get_by_test_id("load-empty")).to_be_visible()
    context.set_offline(True)
    page.get_by_test_id("load-edit").click()
    new = page.get_by_test_id("new-group")
    new.get_by_label("名前").fill("塗装")
    new.get_by_label("1日の時間").fill("７.５")
    new.get_by_label("稼働効率（0〜1）").fill("1.5")
    new.get_by_test_id("group-save").click()
    expect(new.locator("[data-field=efficiency] .field-error")).to_contain_text("0から1まで")
    new.get_by_label("稼働効率（0〜1）").fill("0.8")
    new.get_by_test_id("group-save").click()
    expect(page.get_by_test_id("group-塗装")).to_be_visible()
    page.get_by_test_id("holiday-date").fill("2027-08-13")
    page.get_by_test_id("holiday-name").fill("夏季休暇")
    page.get_by_test_id("holiday-save").click()
    expect(page.get_by_test_id("holidays")).to_contain_text("夏季休暇")
    context.set_offline(False)
    wait_synced(page)
    office = live.device("office")
    [group] = office.records("resource_groups").values()
    assert (group["name"], group["hours_per_day"], group["efficiency"], group["active"]) == (
        "塗装",
        7.5,
        0.8,
        True,
    )
    assert [h["name"] for h in office.records("company_holidays").values()] == ["夏季休暇"]


def test_a_plan_with_a_bad_row_shows_the_row_in_words_and_imports_nothing(page, live, tmp_path):
    live.device("office").create("resource_groups", name="溶接")
    plan = tmp_path / "plan.csv"
    plan.write_bytes(
        "工程,週,時間,確度,件名\n溶接,2027-W05,10,確定,A社\n研磨,2027-W60,abc,確定,B社\n".encode("cp932")
    )
    sign_in(page, live, "office")
    page.goto(f"{live.url}/#/load/settings")
    page.get_by_test_id("import-file").set_input_files(str(plan))
    page.get_by_test_id("import-button").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("何も取り込んでいません")
    row = page.get_by_test_id("import-errors").get_by_role("listitem").first
    expect(row).to_contain_text("3行目")
    expect(row).to_contain_text("時間：数値ではありません。")  # in the app's language
    assert live.device("office").records("load_entries") == {}


def test_reps_see_no_editing_of_the_factory(page, live):
    sign_in(page, live)
    go_to(page, "load")
    expect(page.get_by_role("heading", level=1)).to_have_text("工場の負荷（山積み表）")
    expect(page.get_by_test_id("load-edit")).to_have_count(0)
    page.goto(f"{live.url}/#/load/settings")
    expect(page.get_by_test_id("settings-forbidden")).to_be_visible()


def test_the_manager_sees_which_deals_fill_a_week_and_what_is_not_firm_yet(page, live, customers):
    _, groups = seed_factory(live)
    rep = live.device("rep_a")
    deal = rep.create(
        "deals", customer_id=customers["yamada"]["id"], title="架台更新", stage="proposal_quote"
    )
    bare = rep.create(
        "deals", customer_id=customers["yamada"]["id"], title="見積前の案件", stage="card_exchange"
    )
    rep.create(
        "quotes",
        customer_id=customers["yamada"]["id"],
        deal_id=deal["id"],
        product="架台",
        status="submitted",
        process_hours={groups["溶接"]: 20},
        delivery_week=week_after(3),
    )
    sign_in(page, live, "manager")
    go_to(page, "load")
    week = page.locator(f"[data-testid=load-weeks] details[data-week='{week_after(3)}']").nth(1)
    week.locator("summary").click()
    expect(week.get_by_test_id("load-entry").first).to_contain_text("確定定期品")
    expect(week).to_contain_text("内示架台更新 · 山田製作所 20時間")
    expect(page.get_by_test_id("unconfirmed").get_by_role("listitem").first).to_contain_text(
        f"内示架台更新 · 山田製作所{week_after(3)[5:]} 溶接 20時間"
    )  # deals first, before plan rows
    page.goto(f"{live.url}/#/deals/{deal['id']}")
    expect(
        page.get_by_test_id("deal-load").locator(f"tr[data-group='溶接'] td[data-week='{week_after(3)}']")
    ).to_contain_text("✕ 超過")
    page.goto(f"{live.url}/#/deals/{bare['id']}")
    expect(page.get_by_test_id("deal-no-load")).to_have_text(
        "この案件にはまだ提出済みの見積がないため、負荷を表示できません。"
    )


def test_on_monday_morning_in_tokyo_the_load_starts_at_this_week_not_the_last(page, context, live, customers):
    """Monday 00:30 in Tokyo is still Sunday in UTC: the weeks shown start at Tokyo's week, as
    the server counts them, not at the week before."""
    seed_factory(live)
    sign_in(page, live, "manager")
    context.set_offline(True)
    now = datetime.now(UTC)
    sunday = (now - timedelta(days=(now.weekday() + 1) % 7)).replace(
        hour=15, minute=30, second=0, microsecond=0
    )
    if sunday > now:
        sunday -= timedelta(weeks=1)
    monday = sunday.astimezone(TOKYO)
    assert (monday.weekday(), sunday.weekday()) == (0, 6)
    context.clock.install(time=sunday)
    page.reload()
    go_to(page, "load")
    first = page.locator("[data-testid=load-weeks]").first.locator("details").first
    expect(first).to_have_attribute("data-week", week_after(0, monday.date()))
    page.goto(f"{live.url}/#/load/settings")
    expect(page.get_by_test_id("entry-week").locator("option").first).to_have_attribute(
        "value", week_after(0, monday.date())
    )
    page.goto(f"{live.url}/#/quotes/new?customer={customers['yamada']['id']}")
    expect(page.get_by_test_id("quote-delivery-week").locator("option[value^='20']").first).to_have_attribute(
        "value", week_after(0, monday.date())
    )


def test_on_a_phone_the_header_links_never_wrap_and_the_page_does_not_scroll_sideways(browser, live):
    for width in (360, 390):
        page = browser.new_context(viewport={"width": width, "height": 800}, locale="ja-JP").new_page()
        sign_in(page, live, "office")  # office has the most links
        go_to(page, "load")
        heights = page.locator("[data-testid=tab-bar] > *").evaluate_all(
            "(links) => links.map((a) => a.getBoundingClientRect().height)"
        )
        assert max(heights) < 60, heights  # one line each: 48 px targets, no character per line
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        go_to(page, "sync")
        expect(page.get_by_role("heading", level=1)).to_have_text("同期")
        page.context.close()
