"""The customer's owner sees who asks to follow it, and approves or refuses in the app."""

from playwright.sync_api import expect

from .helpers import go_to, sign_in, wait_synced


def asked(live, customers, login="rep_b"):
    asker = live.device(login)
    follow = asker.push(asker.mutation("follows", customer_id=customers["yamada"]["id"]))[0]["record"]
    asker.sync()
    return asker, follow


def test_the_owner_approves_a_follow_request_and_the_asker_gets_the_customer(page, live, customers):
    asker, follow = asked(live, customers)
    assert follow["status"] == "requested"
    sign_in(page, live, "rep_a")
    go_to(page, "follow-requests")
    requests = page.get_by_test_id("follow-requests")
    expect(requests).to_contain_text("山田製作所")
    expect(requests).to_contain_text("田中 花子")
    requests.get_by_test_id("approve").click()
    expect(page.get_by_test_id("no-follow-requests")).to_be_visible()
    wait_synced(page)
    held = {c["record"]["id"] for c in asker.sync() if "record" in c}
    assert customers["yamada"]["id"] in held


def test_refusing_deletes_the_request(page, live, customers):
    asker, follow = asked(live, customers)
    sign_in(page, live, "rep_a")
    page.goto(live.url + "/#/follow-requests")
    page.get_by_test_id("follow-requests").get_by_test_id("refuse").click()
    expect(page.get_by_test_id("no-follow-requests")).to_be_visible()
    wait_synced(page)
    follows = [c["record"] for c in asker.sync() if c.get("entity") == "follows"]
    assert follows[-1]["deleted"] is True


def search_the_server(page, q):
    go_to(page, "customers")
    page.get_by_test_id("customer-search").fill(q)
    page.get_by_test_id("server-search").click()
    return page.get_by_test_id("server-results")


def test_a_rep_asks_once_and_sees_the_request_by_name(page, live, customers):
    sign_in(page, live, "rep_b")
    results = search_the_server(page, "山田")
    results.get_by_role("button", name="フォローする").click()
    expect(results).to_contain_text("申請しました")
    results = search_the_server(page, "山田")
    expect(results.get_by_test_id("follow-state")).to_have_text("申請済み（承認待ち）")
    expect(results.get_by_role("button", name="フォローする")).to_have_count(0)
    go_to(page, "follow-requests")
    expect(page.get_by_test_id("my-follow-requests")).to_contain_text("山田製作所")
    wait_synced(page)
    owner = live.device("rep_a")
    follows = [c["record"] for c in owner.sync() if c.get("entity") == "follows"]
    assert [f["customer_name"] for f in follows if not f["deleted"]] == ["山田製作所"]


def test_asked_from_two_devices_the_request_is_one_and_the_app_shows_it_once(page, context, live, customers):
    sign_in(page, live, "rep_b")
    ask = search_the_server(page, "山田").get_by_role("button", name="フォローする")
    expect(ask).to_be_visible()
    context.set_offline(True)
    ask.click()
    results = page.get_by_test_id("server-results")
    expect(results).to_contain_text("申請しました")
    tablet = live.device("rep_b")  # the same rep asks from their tablet meanwhile
    first = tablet.push(tablet.mutation("follows", customer_id=customers["yamada"]["id"]))[0]["record"]
    context.set_offline(False)
    wait_synced(page)
    go_to(page, "follow-requests")
    mine = page.get_by_test_id("my-follow-requests").locator("li")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("山田製作所")
    follows = [c["record"] for c in live.device("rep_a").sync() if c.get("entity") == "follows"]
    assert [f["id"] for f in follows if not f["deleted"]] == [first["id"]]


def test_approve_and_refuse_sit_side_by_side_in_the_row(page, live, customers):
    asked(live, customers)
    sign_in(page, live, "rep_a")
    go_to(page, "follow-requests")
    approve = page.get_by_test_id("approve").bounding_box()
    refuse = page.get_by_test_id("refuse").bounding_box()
    assert approve and refuse and abs(approve["y"] - refuse["y"]) < 2 and refuse["x"] > approve["x"]
    row = page.get_by_test_id("follow-requests").locator("li").bounding_box()
    assert row and row["height"] < 150
    actions = page.get_by_test_id("follow-requests").locator(".actions")
    assert actions.evaluate("e => getComputedStyle(e).borderTopStyle") == "none"


LINE_STARTS = """e => {
  const text = e.firstChild, range = document.createRange(), starts = [];
  let top = null;
  for (let i = 0; i < text.length; i++) {
    range.setStart(text, i); range.setEnd(text, i + 1);
    const y = range.getClientRects()[0]?.top;
    if (top !== null && y > top + 2) starts.push(text.data[i]);
    top = y;
  }
  return starts;
}"""


def test_the_intro_never_starts_a_line_with_a_full_stop_on_a_phone(page, live, customers):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live, "rep_a")
    go_to(page, "follow-requests")
    intro = page.locator("main p.hint").first
    expect(intro).to_contain_text("承認すると")
    starts = intro.evaluate(LINE_STARTS)
    assert starts and not set(starts) & set("。、）")
