"""Exhibition mode: three cards photographed offline become prospects, contacts, event visits
and 名刺交換 deals with the card photos, on the server and on a teammate's device."""

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .helpers import card_name, go_to, idb_all, local_storage_full, outbox, sign_in, wait_synced, wait_until

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from card_images import cards  # noqa: E402


def test_three_cards_at_an_exhibition_offline_reach_the_server_and_a_teammate(page, context, live, tmp_path):
    sign_in(page, live)
    context.set_offline(True)
    go_to(page, "exhibition")
    page.get_by_label("展示会・イベント名").fill("名古屋ものづくり展 2026")
    page.get_by_label("展示会・イベント名").blur()
    for index, (jpeg, _) in enumerate(cards(3, seed=15)):
        path = tmp_path / f"card{index}.jpg"
        path.write_bytes(jpeg)
        page.get_by_test_id("exhibition-camera").set_input_files(str(path))
        expect(page.get_by_test_id("exhibition-count")).to_have_text(f"この展示会で {index + 1} 枚")
    expect(page.get_by_test_id("exhibition-thumbs").locator("img")).to_have_count(3)
    assert len(outbox(page)) == 15  # five records a card, nothing sent yet

    context.set_offline(False)
    wait_synced(page)
    teammate = live.device("rep_a2")
    prospects = [
        c for c in teammate.records("customers").values() if c["source"] == "名古屋ものづくり展 2026"
    ]
    assert sorted(c["status"] for c in prospects) == ["prospect"] * 3
    ids = {c["id"] for c in prospects}
    visits = [v for v in teammate.records("visits").values() if v["customer_id"] in ids]
    deals = [d for d in teammate.records("deals").values() if d["customer_id"] in ids]
    contacts = [c for c in teammate.records("contacts").values() if c["customer_id"] in ids]
    assert sorted(v["kind"] for v in visits) == ["event"] * 3
    assert sorted(d["stage"] for d in deals) == ["card_exchange"] * 3
    assert len(contacts) == 3
    wait_until(
        page,
        """async () => {
      const db = await new Promise((ok) => { const r = indexedDB.open('genba'); r.onsuccess = () => ok(r.result); });
      const all = await new Promise((ok) => { const r = db.transaction('photos').objectStore('photos').getAll(); r.onsuccess = () => ok(r.result); });
      db.close();
      return all.filter((p) => p.state === 'sent').length === 3;
    }""",
        timeout=30000,
    )
    cards_ = [a for a in teammate.records("attachments").values() if a["customer_id"] in ids]
    assert (
        sorted((a["purpose"], a["owner_entity"], a["card_status"]) for a in cards_)
        == [("business_card", "customers", "pending")] * 3
    )

    # The worker reads the cards; the app shows the suggestions beside the photo after a sync.
    from server.jobs.worker import Worker

    assert Worker(live.app, "test").run(until_idle=True) == 3
    first = sorted(prospects, key=lambda c: c["name"])[0]
    page.goto(live.url + f"/#/customers/{first['id']}")
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    page.reload()
    review = page.get_by_test_id("card-review")
    expect(review.get_by_test_id("card-suggestions")).to_be_visible(timeout=15000)
    expect(review.locator("img")).to_have_count(1)
    review.get_by_test_id("accept-email").click()
    wait_synced(page)
    contact = [c for c in teammate.records("contacts").values() if c["customer_id"] == first["id"]][0]
    assert "@" in contact["email"] and contact["version"] == 2

    # The company typed in by hand meanwhile: the card's name is not accepted into a second one unseen.
    read = next(a for a in teammate.records("attachments").values() if a["customer_id"] == first["id"])
    typed = live.device("rep_a").create("customers", name=read["card"]["company"])
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    page.reload()
    alike = page.get_by_test_id("card-look-alikes")
    expect(alike).to_contain_text("同じかもしれない顧客")
    expect(alike.get_by_role("link", name=typed["name"])).to_have_attribute(
        "href", f"#/customers/{typed['id']}"
    )

    # The card's contact renamed to someone else and another person added: the card's person is
    # offered as a new contact, not written over either of them.
    rep = live.device("rep_a")
    rep.update("contacts", rep.records("contacts")[contact["id"]], name="山本 一")
    rep.create("contacts", customer_id=first["id"], name="佐々木 二郎")
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    page.reload()
    page.get_by_test_id("card-add-person").click()
    wait_synced(page)
    people = [c for c in teammate.records("contacts").values() if c["customer_id"] == first["id"]]
    assert len(people) == 3 and read["card"]["name"] in [c["name"] for c in people]


def test_the_card_count_and_names_go_on_after_a_reload_and_start_anew_at_another_event(
    page, context, live, tmp_path
):
    """A reload in the middle of an exhibition must not number the next card 1 again: two
    prospects named 「名刺 1（…）」 could not be told apart until their cards are read."""
    sign_in(page, live)
    context.set_offline(True)
    go_to(page, "exhibition")
    photos = []
    for index, (jpeg, _) in enumerate(cards(4, seed=16)):
        photos.append(tmp_path / f"card{index}.jpg")
        photos[-1].write_bytes(jpeg)
    event, count = page.get_by_label("展示会・イベント名"), page.get_by_test_id("exhibition-count")
    event.fill("関西機械要素展")
    event.blur()
    for index in range(2):
        page.get_by_test_id("exhibition-camera").set_input_files(str(photos[index]))
        expect(count).to_have_text(f"この展示会で {index + 1} 枚")
    page.reload()
    expect(count).to_have_text("この展示会で 2 枚")
    page.get_by_test_id("exhibition-camera").set_input_files(str(photos[2]))
    expect(count).to_have_text("この展示会で 3 枚")

    event.fill("九州ものづくりフェア")
    event.blur()
    expect(count).to_have_text("この展示会で 0 枚")
    page.get_by_test_id("exhibition-camera").set_input_files(str(photos[3]))
    expect(count).to_have_text("この展示会で 1 枚")
    names = sorted(card_name(c["name"]) for c in idb_all(page, "customers") if c.get("source"))
    assert names == sorted(
        [
            "名刺 1（関西機械要素展・佐藤）",
            "名刺 2（関西機械要素展・佐藤）",
            "名刺 3（関西機械要素展・佐藤）",
            "名刺 1（九州ものづくりフェア・佐藤）",
        ]
    )


def test_the_card_count_and_the_cards_shown_follow_the_event_named_when_the_browser_keeps_nothing_more(
    page, live, tmp_path
):
    """localStorage full (the event's name and the card numbers are kept there): the cards
    still save, and the count and the cards shown beside it are the event's own as the name
    changes."""
    page.add_init_script(local_storage_full())
    sign_in(page, live)
    go_to(page, "exhibition")
    page.evaluate("window.refuse = true")
    photo = tmp_path / "card.jpg"
    photo.write_bytes(cards(1, seed=21)[0][0])
    event, count = page.get_by_label("展示会・イベント名"), page.get_by_test_id("exhibition-count")
    shown = page.get_by_test_id("exhibition-thumbs").locator("img")
    event.fill("北陸工作機械フェア")
    event.blur()
    page.get_by_test_id("exhibition-camera").set_input_files(str(photo))
    expect(count).to_have_text("この展示会で 1 枚")
    expect(shown).to_have_count(1)
    event.fill("東北ものづくり展")
    event.blur()
    expect(count).to_have_text("この展示会で 0 枚")
    expect(shown).to_have_count(0)
    event.fill("北陸工作機械フェア")
    event.blur()
    expect(count).to_have_text("この展示会で 1 枚")
    expect(shown).to_have_count(1)


def test_a_card_handed_to_another_team_does_not_free_its_number(page, live, tmp_path):
    """The office gives card 1 to the west team: it leaves the device, and the next card after a
    reload is 3, not a second 「名刺 2」 beside the one still here."""
    sign_in(page, live)
    go_to(page, "exhibition")
    photos = []
    for index, (jpeg, _) in enumerate(cards(3, seed=17)):
        photos.append(tmp_path / f"card{index}.jpg")
        photos[-1].write_bytes(jpeg)
    page.get_by_label("展示会・イベント名").fill("関西機械要素展")
    page.get_by_label("展示会・イベント名").blur()
    for photo in photos[:2]:
        page.get_by_test_id("exhibition-camera").set_input_files(str(photo))
    expect(page.get_by_test_id("exhibition-count")).to_have_text("この展示会で 2 枚")
    wait_synced(page)
    office = live.device("office")
    first = next(
        c
        for c in office.records("customers").values()
        if c.get("source") and card_name(c["name"]) == "名刺 1（関西機械要素展・佐藤）"
    )
    office.update("customers", first, owner_id=live.device("rep_b").user["id"], team="west")
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    assert [card_name(c["name"]) for c in idb_all(page, "customers") if c.get("source")] == [
        "名刺 2（関西機械要素展・佐藤）"
    ]
    page.reload()
    page.get_by_test_id("exhibition-camera").set_input_files(str(photos[2]))
    expect(page.get_by_test_id("exhibition-count")).to_have_text("この展示会で 3 枚")
    names = sorted(card_name(c["name"]) for c in idb_all(page, "customers") if c.get("source"))
    assert names == ["名刺 2（関西機械要素展・佐藤）", "名刺 3（関西機械要素展・佐藤）"]


@pytest.mark.parametrize(
    ("logins", "apart"),
    [
        (["rep_a", "rep_a2"], ["佐藤", "鈴木"]),  # two reps at one booth
        (["rep_a", "rep_a"], ["佐藤", "佐藤"]),  # one rep with a phone and a tablet
    ],
    ids=["two-reps", "one-rep-two-devices"],
)
def test_cards_numbered_on_two_offline_devices_are_named_apart_and_none_is_offered_as_a_duplicate(
    browser, browser_context_args, live, tmp_path, logins, apart
):
    """Each device numbers its own cards, so both devices' first card is 名刺 1; the name says
    who took it and at what minute, and the merge screen's suggestions do not pair two
    strangers' cards, even when one person took both."""
    photos = []
    for index, (jpeg, _) in enumerate(cards(2, seed=21)):
        photos.append(tmp_path / f"card{index}.jpg")
        photos[-1].write_bytes(jpeg)
    # The devices' clocks three minutes apart, an hour back (in the past: the server's clock leads).
    taken_at = [
        datetime.now(UTC).replace(second=5, microsecond=0) - timedelta(hours=1, minutes=m) for m in (3, 0)
    ]
    contexts = [browser.new_context(**browser_context_args) for _ in range(2)]
    try:
        for context, login, photo, at in zip(contexts, logins, photos, taken_at, strict=True):
            context.clock.install(time=at)
            page = context.new_page()
            sign_in(page, live, login)
            context.set_offline(True)
            go_to(page, "exhibition")
            page.get_by_label("展示会・イベント名").fill("国際ロボット展")
            page.get_by_label("展示会・イベント名").blur()
            page.get_by_test_id("exhibition-camera").set_input_files(str(photo))
            expect(page.get_by_test_id("exhibition-count")).to_have_text("この展示会で 1 枚")
        for context in contexts:
            context.set_offline(False)
            wait_synced(context.pages[0])
    finally:
        for context in contexts:
            context.close()
    office = live.device("office")
    taken = {c["name"]: c for c in office.records("customers").values() if c["source"] == "国際ロボット展"}
    tokyo = ZoneInfo("Asia/Tokyo")
    assert sorted(taken) == sorted(
        f"名刺 1（国際ロボット展・{who}・{at.astimezone(tokyo):%H:%M}）"
        for who, at in zip(apart, taken_at, strict=True)
    )
    for card in taken.values():
        response = office.client.get(
            "/api/v1/customers/duplicates", query_string={"name": card["name"]}, headers=office.headers
        )
        assert response.status_code == 200, response.get_json()
        assert {c["id"] for c in response.get_json()["candidates"]} <= {card["id"]}, response.get_json()


CARD_CONTACT = """() => import(document.querySelector("script[type=module]").src.replace("app.js", "ui/card-review.js"))
    .then(({ cardContact }) => {
        const placeholder = { id: "p", name: "（名刺の方）" };
        const yamada = { id: "y", name: "山田 太郎" }, suzuki = { id: "s", name: "鈴木一郎" };
        return [
            cardContact({ name: "鈴木 一郎" }, [yamada, suzuki]),  // the card's own person, spaces aside
            cardContact({ name: "田中 花子" }, [yamada, placeholder]),  // the exhibition's placeholder
            cardContact({ name: "田中 花子" }, [yamada]),  // the only one (a placeholder renamed by hand)
            cardContact({ name: "田中 花子" }, [yamada, suzuki]),  // someone else: none, offered as new
            cardContact({ name: "田中 花子" }, [{ ...placeholder, deleted: true }, yamada, suzuki]),
            // Someone who left is the card's person if it names them (not a second record of
            // them), never the only contact written over: the card's person is offered as new.
            cardContact({ name: "鈴木一郎" }, [yamada, { ...suzuki, left: true }]),
            cardContact({ name: "田中 花子" }, [{ ...yamada, left: true }]),
        ].map((c) => c?.id ?? null);
    })"""


def test_a_cards_suggestions_go_to_its_own_person_never_over_another_contact(page, live):
    sign_in(page, live)
    assert page.evaluate(CARD_CONTACT) == ["s", "p", "y", None, None, "s", None]
