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
