"""The device database migrates in numbered steps, and unsent work survives every one."""

import re
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from sync.client import mutation
from sync.hlc import format_hlc

from .helpers import idb_all, wait_synced, wait_until
from .test_first_sync import DAYS_FILLED

PWA = Path(__file__).resolve().parents[2] / "pwa"

# Version 1 of the device database, exactly as db.js's first step created it.
CREATE_VERSION_1 = """async ({ meta, entry }) => {
    const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open("genba", 1);
        open.onupgradeneeded = () => {
            const db = open.result;
            for (const name of ["users", "customers", "contacts", "visits", "requests", "deals", "quotes", "follows", "conflicts"]) {
                const store = db.createObjectStore(name, { keyPath: "id" });
                if (!["users", "customers", "conflicts"].includes(name)) store.createIndex("customer_id", "customer_id");
            }
            db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true }).createIndex("record", ["entity", "record_id"]);
            db.createObjectStore("meta");
            db.createObjectStore("recent", { keyPath: "customer_id" });
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
    });
    const tx = db.transaction(["meta", "outbox"], "readwrite");
    for (const [key, value] of Object.entries(meta)) tx.objectStore("meta").put(value, key);
    tx.objectStore("outbox").add(entry);
    await new Promise((resolve) => { tx.oncomplete = resolve; });
    db.close();
}"""


LATEST = int(re.search(r"export const DB_VERSION = (\d+);", (PWA / "js" / "db.js").read_text()).group(1))


def unsent(device_id, entity, record_id, changes):
    """An outbox entry as the app writes it, never sent."""
    now = int(time.time() * 1000)
    return {
        **mutation(entity, record_id, "upsert", None, changes, format_hlc(now, 0, device_id)),
        "rev": 1,
        "attempted": False,
        "status": "pending",
        "errors": None,
        "created_ms": now,
        "group": None,
        "before": {},
    }


def synced_meta(device_id, rep):
    """What an app signed in as ``rep`` on ``device_id`` keeps in "meta", pulled to ``rep``'s cursor."""
    return {
        "device_id": device_id,
        "token": rep.token,
        "user": rep.user,
        "login": "rep_a",
        "cursor": rep.cursor,
    }


def open_database(page):
    """The database's version and its stores, each with its index names."""
    version, stores = page.evaluate("""() => new Promise((resolve) => {
        const open = indexedDB.open("genba");
        open.onsuccess = () => {
            const db = open.result;
            const names = [...db.objectStoreNames];
            const tx = db.transaction(names);
            resolve([db.version, Object.fromEntries(names.map((n) => [n, [...tx.objectStore(n).indexNames]]))]);
            db.close();
        };
    })""")
    return version, stores


def test_an_outbox_written_by_version_1_of_the_database_survives_the_upgrade_and_is_sent(
    page, live, customers
):
    device_id = str(uuid.uuid4())
    rep = live.device("rep_a", device_id=device_id)
    visit_id = str(uuid.uuid4())
    entry = unsent(
        device_id,
        "visits",
        visit_id,
        {
            "customer_id": customers["yamada"]["id"],
            "kind": "aftercare",
            "visited_at": "2026-11-27T09:30:00+09:00",
            "purpose": "旧版で記録した訪問",
        },
    )
    page.goto(live.url + "/sw.js")  # any page of the origin, before the app has opened its database
    page.evaluate(
        CREATE_VERSION_1,
        {
            "meta": {"device_id": device_id, "token": rep.token, "user": rep.user, "login": "rep_a"},
            "entry": entry,
        },
    )
    page.goto(live.url + "/")
    wait_synced(page)
    version, stores = open_database(page)
    assert version == LATEST and "cache" in stores  # the latest version: every later step ran too
    visits = live.device("office").records("visits")
    assert visits[visit_id]["purpose"] == "旧版で記録した訪問"
    expect(page.get_by_test_id("customer-list")).to_contain_text("山田製作所")


# Version 2: version 1 plus the "cache" store, exactly as db.js's second step added it.
CREATE_VERSION_2 = CREATE_VERSION_1.replace(
    'indexedDB.open("genba", 1)', 'indexedDB.open("genba", 2)'
).replace(
    'db.createObjectStore("recent", { keyPath: "customer_id" });',
    'db.createObjectStore("recent", { keyPath: "customer_id" }); db.createObjectStore("cache");',
)


def test_an_outbox_written_by_version_2_survives_the_history_store_and_history_is_backfilled(
    page, live, customers
):
    device_id = str(uuid.uuid4())
    tech = live.device("tech", device_id=device_id)
    old = tech.create(
        "requests", customer_id=customers["yamada"]["id"], kind="complaint", title="旧版の時の苦情"
    )
    office = live.device("office")  # only the office triages
    office.push(office.mutation("requests", old["id"], base_version=old["version"], status="triaged"))
    request_id = str(uuid.uuid4())
    entry = unsent(
        device_id,
        "requests",
        request_id,
        {"customer_id": customers["yamada"]["id"], "kind": "complaint", "title": "v2で記録した異音"},
    )
    page.goto(live.url + "/sw.js")
    page.evaluate(
        CREATE_VERSION_2,
        {
            "meta": {
                "device_id": device_id,
                "token": tech.token,
                "user": tech.user,
                "login": "tech",
                "cursor": "stale-but-valid-looking",
            },
            "entry": entry,
        },
    )
    page.goto(live.url + f"/#/requests/{old['id']}")
    wait_synced(page)
    version, stores = open_database(page)
    assert version == LATEST and "record_id" in stores["history"]
    requests = live.device("office").records("requests")
    assert requests[request_id]["title"] == "v2で記録した異音"
    expect(page.get_by_test_id("history")).to_contain_text("状況: 新規 → 振り分け済み")


# Version 3: version 2 plus the "history" store, exactly as db.js's third step added it.
CREATE_VERSION_3 = CREATE_VERSION_2.replace(
    'indexedDB.open("genba", 2)', 'indexedDB.open("genba", 3)'
).replace(
    'db.createObjectStore("cache");',
    'db.createObjectStore("cache"); db.createObjectStore("history", { keyPath: "id" }).createIndex("record_id", "record_id");',
)


def test_an_outbox_written_by_version_3_survives_the_photo_stores_and_is_sent(page, live, customers):
    device_id = str(uuid.uuid4())
    rep = live.device("rep_a", device_id=device_id)
    visit_id = str(uuid.uuid4())
    entry = unsent(
        device_id,
        "visits",
        visit_id,
        {
            "customer_id": customers["yamada"]["id"],
            "kind": "aftercare",
            "visited_at": "2026-11-27T09:30:00+09:00",
            "purpose": "v3で記録した訪問",
        },
    )
    page.goto(live.url + "/sw.js")
    page.evaluate(
        CREATE_VERSION_3,
        {
            "meta": {"device_id": device_id, "token": rep.token, "user": rep.user, "login": "rep_a"},
            "entry": entry,
        },
    )
    page.goto(live.url + f"/#/visits/{visit_id}")
    wait_synced(page)
    version, stores = open_database(page)
    assert version == LATEST and {"attachments", "photos"} <= set(stores)
    assert live.device("office").records("visits")[visit_id]["purpose"] == "v3で記録した訪問"
    expect(page.get_by_test_id("photo-grid")).to_contain_text("写真はまだありません")


# Version 4: version 3 plus the photo stores, exactly as db.js's fourth step added them.
CREATE_VERSION_4 = CREATE_VERSION_3.replace(
    'indexedDB.open("genba", 3)', 'indexedDB.open("genba", 4)'
).replace(
    'createIndex("record_id", "record_id");',
    'createIndex("record_id", "record_id"); '
    'db.createObjectStore("attachments", { keyPath: "id" }).createIndex("owner_id", "owner_id"); '
    'db.createObjectStore("photos", { keyPath: "id" });',
)


def test_an_outbox_written_by_version_4_survives_the_deal_event_store_and_events_are_fetched(
    page, live, customers
):
    device_id = str(uuid.uuid4())
    rep = live.device("rep_a", device_id=device_id)
    deal = rep.create("deals", customer_id=customers["yamada"]["id"], title="治具プレート年間契約")
    rep.create(
        "deal_events",
        customer_id=customers["yamada"]["id"],
        deal_id=deal["id"],
        kind="competitor",
        competitor_name="丸栄精機工業",
        competitor_price=980000,
    )
    rep.sync()  # the v4 app had pulled past the event, and skipped it: it had no store for it
    visit_id = str(uuid.uuid4())
    entry = unsent(
        device_id,
        "visits",
        visit_id,
        {
            "customer_id": customers["yamada"]["id"],
            "kind": "sales",
            "visited_at": "2026-11-27T09:30:00+09:00",
            "purpose": "v4で記録した訪問",
        },
    )
    page.goto(live.url + "/sw.js")
    page.evaluate(
        CREATE_VERSION_4,
        {
            "meta": synced_meta(device_id, rep),
            "entry": entry,
        },
    )
    page.goto(live.url + f"/#/deals/{deal['id']}")
    wait_synced(page)
    version, stores = open_database(page)
    assert version == LATEST and {"customer_id", "deal_id"} <= set(stores["deal_events"])
    assert live.device("office").records("visits")[visit_id]["purpose"] == "v4で記録した訪問"
    expect(page.get_by_test_id("deal-events")).to_contain_text("丸栄精機工業")


# Version 7: version 4 plus the deal events (5), the factory's load (6) and daily reports (7), as
# db.js's steps added them; it also stores the given records and latest visits ("recent").
CREATE_VERSION_7 = (
    CREATE_VERSION_4.replace('indexedDB.open("genba", 4)', 'indexedDB.open("genba", 7)')
    .replace(
        'db.createObjectStore("photos", { keyPath: "id" });',
        'db.createObjectStore("photos", { keyPath: "id" }); '
        'const events = db.createObjectStore("deal_events", { keyPath: "id" }); '
        'events.createIndex("customer_id", "customer_id"); events.createIndex("deal_id", "deal_id"); '
        'db.createObjectStore("resource_groups", { keyPath: "id" }); '
        'db.createObjectStore("company_holidays", { keyPath: "id" }); '
        'db.createObjectStore("load_entries", { keyPath: "id" }).createIndex("week", "week"); '
        'db.createObjectStore("daily_reports", { keyPath: "id" }).createIndex("date", "date");',
    )
    .replace("async ({ meta, entry })", "async ({ meta, entry, customers, recent })")
    .replace('db.transaction(["meta", "outbox"]', 'db.transaction(["meta", "outbox", "customers", "recent"]')
    .replace(
        'tx.objectStore("outbox").add(entry);',
        'tx.objectStore("outbox").add(entry); '
        'for (const c of customers) tx.objectStore("customers").put(c); '
        'for (const r of recent) tx.objectStore("recent").put(r);',
    )
)


def test_the_latest_visits_kept_by_version_7_still_order_the_customer_list(page, live, customers):
    device_id = str(uuid.uuid4())
    rep = live.device("rep_a", device_id=device_id)
    rep.sync()  # the v7 app had pulled everything: no pull brings the order back
    visit_id = str(uuid.uuid4())
    entry = unsent(device_id, "visits", visit_id, {"customer_id": customers["sanjo"]["id"], "kind": "sales"})
    page.goto(live.url + "/sw.js")
    page.evaluate(
        CREATE_VERSION_7,
        {
            "meta": synced_meta(device_id, rep),
            "entry": entry,
            "customers": list(rep.records("customers").values()),
            "recent": [
                {"customer_id": customers["yamada"]["id"], "at": 1764291600000},  # 2025-11-28
                {"customer_id": customers["hokushin"]["id"], "at": 1764032400000},  # 2025-11-25
            ],
        },
    )
    page.goto(live.url + "/#/customers")
    wait_synced(page)
    assert open_database(page)[0] == LATEST
    # Visited latest first (山田, 北辰), then by kana; by kana alone 三条 would come first.
    expect(page.get_by_test_id("customer-list").locator("li")).to_have_text(
        [re.compile("山田製作所"), re.compile("北辰"), re.compile("三条精工")]
    )


# Version 8: version 7 with the latest visits in sixteen buckets (db.js's eighth step); it also
# stores the given visits, one value each, as every version before 9 kept them.
CREATE_VERSION_8 = (
    CREATE_VERSION_7.replace('indexedDB.open("genba", 7)', 'indexedDB.open("genba", 8)')
    .replace('db.createObjectStore("recent", { keyPath: "customer_id" });', 'db.createObjectStore("recent");')
    .replace(
        "async ({ meta, entry, customers, recent })", "async ({ meta, entry, customers, recent, visits })"
    )
    .replace('"customers", "recent"]', '"customers", "recent", "visits"]')
    .replace(
        'for (const r of recent) tx.objectStore("recent").put(r);',
        'for (const v of visits) tx.objectStore("visits").put(v);',
    )
)


def test_the_visits_kept_one_by_one_by_version_8_move_into_groups_with_nothing_lost(page, live, customers):
    device_id = str(uuid.uuid4())
    rep = live.device("rep_a", device_id=device_id)
    for customer, purpose in (
        ("yamada", "v8の頃の訪問"),
        ("hokushin", "v8の頃の打合せ"),
        ("yamada", "v8の頃の点検"),
    ):
        at = "2026-11-20T10:00:00+09:00"
        rep.create(
            "visits", customer_id=customers[customer]["id"], kind="sales", visited_at=at, purpose=purpose
        )
    rep.sync()  # the v8 app had pulled everything: what the screens show now comes from the upgrade
    held = list(rep.records("visits").values())
    assert len(held) >= 3
    visit_id = str(uuid.uuid4())
    new = {
        "customer_id": customers["sanjo"]["id"],
        "kind": "sales",
        "visited_at": "2026-11-27T09:30:00+09:00",
        "purpose": "v8で記録した訪問",
    }
    entry = unsent(device_id, "visits", visit_id, new)
    mine = {"id": visit_id, "version": 0, "deleted": False, **new}  # saved on the device, not yet sent
    page.goto(live.url + "/sw.js")
    page.evaluate(
        CREATE_VERSION_8,
        {
            "meta": synced_meta(device_id, rep),
            "entry": entry,
            "customers": list(rep.records("customers").values()),
            "recent": [],
            "visits": [*held, mine],
        },
    )
    page.goto(live.url + "/#/customers")
    wait_synced(page)
    version, stores = open_database(page)
    assert version == LATEST and "visits" not in stores and stores["visit_groups"] == ["days", "dues", "ids"]
    kept = {v["id"]: v for v in idb_all(page, "visits")}
    assert set(kept) == {v["id"] for v in held} | {visit_id}
    assert all(kept[v["id"]]["purpose"] == v.get("purpose") for v in held)
    assert live.device("office").records("visits")[visit_id]["purpose"] == "v8で記録した訪問"
    page.goto(live.url + f"/#/customers/{customers['yamada']['id']}")
    expect(page.locator("#view")).to_contain_text("v8の頃の訪問")
    expect(page.locator("#view")).to_contain_text("v8の頃の点検")
    # The groups step 9 writes get their days from step 11, in the same upgrade.
    page.goto(live.url + "/#/today?date=2026-11-20")
    for visit in held:
        expect(page.get_by_test_id("day-visits").locator(f'a[href="#/visits/{visit["id"]}"]')).to_be_visible()


# Version 10: version 8 with the visits in groups of one customer's (step 9), without the days
# step 11 adds, and the read marks' store (step 10); it stores the given groups.
CREATE_VERSION_10 = (
    CREATE_VERSION_8.replace('indexedDB.open("genba", 8)', 'indexedDB.open("genba", 10)')
    .replace(
        'db.createObjectStore("recent");',
        'db.createObjectStore("recent"); db.deleteObjectStore("visits"); '
        'db.createObjectStore("visit_groups", { keyPath: ["customer_id", "n"] })'
        '.createIndex("ids", "ids", { multiEntry: true }); '
        'db.createObjectStore("request_reads", { keyPath: "id" });',
    )
    .replace(
        "async ({ meta, entry, customers, recent, visits })",
        "async ({ meta, entry, customers, recent, groups })",
    )
    .replace('"customers", "recent", "visits"]', '"customers", "recent", "visit_groups"]')
    .replace(
        'for (const v of visits) tx.objectStore("visits").put(v);',
        'for (const g of groups) tx.objectStore("visit_groups").put(g);',
    )
)


def test_the_visit_groups_kept_by_version_10_find_a_persons_day_by_the_new_index(page, live, customers):
    """今日 reads a person's visits of a day by the groups' index "days": groups stored before it
    existed are written again with their days, and the day shows every visit of its own."""
    device_id = str(uuid.uuid4())
    rep = live.device("rep_a", device_id=device_id)
    for day in ("2026-11-20", "2026-11-21"):
        rep.create(
            "visits",
            customer_id=customers["hokushin"]["id"],
            kind="sales",
            visited_at=f"{day}T23:30:00+09:00",  # 14:30 UTC: the company's day, not UTC's, counts
        )
    rep.sync()
    held = [v for v in rep.records("visits").values() if v["customer_id"] == customers["hokushin"]["id"]]
    assert len(held) == 2
    entry = unsent(
        device_id, "visits", str(uuid.uuid4()), {"customer_id": customers["sanjo"]["id"], "kind": "sales"}
    )
    page.goto(live.url + "/sw.js")
    page.evaluate(
        CREATE_VERSION_10,
        {
            "meta": synced_meta(device_id, rep),
            "entry": entry,
            "customers": list(rep.records("customers").values()),
            "recent": [],
            "groups": [
                {
                    "customer_id": customers["hokushin"]["id"],
                    "n": 0,
                    "ids": [v["id"] for v in held],
                    "visits": held,
                }
            ],
        },
    )
    page.goto(live.url + "/#/today?date=2026-11-20")
    wait_synced(page)
    version, stores = open_database(page)
    assert version == LATEST and stores["visit_groups"] == ["days", "dues", "ids"]
    wait_until(page, DAYS_FILLED)  # the groups kept are filed by day after the pull
    page.reload()
    first, second = sorted(held, key=lambda v: v["visited_at"])

    def shown(visit):
        return page.get_by_test_id("day-visits").locator(f'a[href="#/visits/{visit["id"]}"]')

    expect(shown(first)).to_be_visible()
    expect(shown(second)).to_have_count(0)
    page.get_by_test_id("day-next").click()
    expect(shown(second)).to_be_visible()
    expect(shown(first)).to_have_count(0)


# Version 11: version 10 with the groups' index of authors and days (step 11), not yet of due dates.
CREATE_VERSION_11 = CREATE_VERSION_10.replace(
    'indexedDB.open("genba", 10)', 'indexedDB.open("genba", 11)'
).replace(
    '.createIndex("ids", "ids", { multiEntry: true }); ',
    '.createIndex("ids", "ids", { multiEntry: true }); '
    'open.transaction.objectStore("visit_groups").createIndex("days", "days", { multiEntry: true }); ',
)


def test_the_visit_groups_kept_by_version_11_list_a_next_action_set_months_ago_by_its_due_date(
    page, live, customers
):
    """今日 finds a person's next actions by the groups' index "dues" (step 12), not in the last
    30 days of visits: groups stored with their days but no dues get them after the next pull,
    and the 定期点検 set half a year ago is listed in the week it falls due."""
    device_id = str(uuid.uuid4())
    rep = live.device("rep_a", device_id=device_id)
    tokyo = datetime.now(ZoneInfo("Asia/Tokyo"))
    visited = (tokyo - timedelta(days=180)).replace(hour=10, minute=0, second=0, microsecond=0)
    rep.create(
        "visits",
        customer_id=customers["sanjo"]["id"],
        kind="aftercare",
        visited_at=visited.isoformat(),
        next_action="半年点検の日程を連絡",
        next_action_due=(tokyo + timedelta(days=2)).strftime("%Y-%m-%d"),
    )
    rep.sync()
    held = [v for v in rep.records("visits").values() if v["customer_id"] == customers["sanjo"]["id"]]
    assert len(held) == 1
    days = [f"{v['author_id']} {visited.strftime('%Y-%m-%d')}" for v in held]  # as version 11 filed it
    page.goto(live.url + "/sw.js")
    page.evaluate(
        CREATE_VERSION_11,
        {
            "meta": synced_meta(device_id, rep),
            "entry": unsent(
                device_id,
                "visits",
                str(uuid.uuid4()),
                {"customer_id": customers["yamada"]["id"], "kind": "sales"},
            ),
            "customers": list(rep.records("customers").values()),
            "recent": [],
            "groups": [
                {
                    "customer_id": customers["sanjo"]["id"],
                    "n": 0,
                    "ids": [v["id"] for v in held],
                    "visits": held,
                    "days": days,
                }
            ],
        },
    )
    page.goto(live.url + "/#/today")
    wait_synced(page)
    version, stores = open_database(page)
    assert version == LATEST and stores["visit_groups"] == ["days", "dues", "ids"]
    wait_until(page, DAYS_FILLED)  # the groups kept get their dues after the pull
    page.reload()
    due = page.get_by_test_id("next-actions").get_by_role("listitem")
    expect(due).to_have_count(1)
    expect(due).to_contain_text("半年点検の日程を連絡")
    expect(due).to_contain_text("有限会社三条精工")
