"""Exhibition mode: three cards photographed offline become prospects, contacts, event visits
and 名刺交換 deals with the card photos, on the server and on a teammate's device."""

import sys
from pathlib import Path

from playwright.sync_api import expect

from .helpers import go_to, outbox, sign_in, wait_synced

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
    page.wait_for_function(
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
