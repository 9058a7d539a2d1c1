"""Visits are kept up to fifty of one customer's to an IndexedDB value (pwa/js/visit-groups.js),
and the app's "visits" store answers as a store of single visits would: every visit once,
where its customer says, whatever the order of the calls."""

import pytest

from .helpers import idb_all

# Runs an async function of the app's db.js module in the page and returns its result.
RUN = """async () => {
    const base = document.querySelector('script[type=module]').src;
    const db = await import(new URL("db.js", base));
    return await (%s)(db);
}"""

GROUPS = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open("genba");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const request = open.result.transaction("visit_groups").objectStore("visit_groups").getAll();
        request.onsuccess = () => {
            open.result.close();
            resolve(request.result.map((g) => ({ customer_id: g.customer_id, n: g.n, ids: g.ids })));
        };
    };
})"""


@pytest.fixture
def app(page, live):
    """The app's page, before sign-in: its modules are there to import."""
    page.goto(live.url + "/")
    page.wait_for_selector("script[type=module]", state="attached")
    return page


def run(page, body):
    return page.evaluate(RUN % body)


def groups(page):
    return page.evaluate(GROUPS)


def test_many_visits_of_one_customer_fill_groups_of_fifty_and_read_back_whole(app):
    got = run(
        app,
        """async (db) => {
        const none = await db.req((await db.transaction(["visits"])).objectStore("visits").count());
        const tx = await db.transaction(["visits"], "readwrite");
        const store = tx.objectStore("visits");
        for (let i = 0; i < 120; i++) {
            store.put({ id: "v" + String(i).padStart(3, "0"), customer_id: "A", purpose: "点検" + i });
        }
        await db.done(tx);
        const read = await db.transaction(["visits"]);
        const visits = read.objectStore("visits");
        const [all, keys, count, ofA, ofB, one] = await Promise.all([
            db.req(visits.getAll()), db.req(visits.getAllKeys()), db.req(visits.count()),
            db.req(visits.index("customer_id").getAll("A")), db.req(visits.index("customer_id").getAll("B")),
            db.req(visits.get("v077")),
        ]);
        return { none, all: all.map((v) => v.id), keys, count, ofA: ofA.length, ofB, one };
    }""",
    )
    ids = [f"v{i:03d}" for i in range(120)]
    assert got["none"] == 0 and got["all"] == ids and got["keys"] == ids and got["count"] == 120
    assert got["ofA"] == 120 and got["ofB"] == []
    assert got["one"] == {"id": "v077", "customer_id": "A", "purpose": "点検77"}
    assert sorted((g["customer_id"], g["n"], len(g["ids"])) for g in groups(app)) == [
        ("A", 0, 50),
        ("A", 1, 50),
        ("A", 2, 20),
    ]


def test_a_visit_moved_deleted_or_changed_is_where_its_last_call_put_it_once(app):
    got = run(
        app,
        """async (db) => {
        let tx = await db.transaction(["visits"], "readwrite");
        for (const [id, customer] of [["v1", "A"], ["v2", "A"], ["v3", "A"], ["v4", "B"]]) {
            tx.objectStore("visits").put({ id, customer_id: customer, notes: "初回" });
        }
        await db.done(tx);
        // In one transaction: reads see the calls made before them, in call order.
        tx = await db.transaction(["visits"], "readwrite");
        const store = tx.objectStore("visits");
        const record = { id: "v1", customer_id: "B", notes: "山田から北辰へ" };
        store.put(record);
        record.notes = "put() の後の変更"; // not stored: put() keeps the record as it was
        const moved = db.req(store.get("v1"));
        store.delete("v2");
        const gone = db.req(store.get("v2"));
        store.put({ id: "v2", customer_id: "C", notes: "消してから作り直し" });
        const inA = db.req(store.index("customer_id").getAll("A"));
        const result = { moved: await moved, gone: (await gone) ?? null, inA: (await inA).map((v) => v.id) };
        await db.done(tx);
        // In the next transaction a visit is found by its id, wherever it is.
        tx = await db.transaction(["visits"], "readwrite");
        tx.objectStore("visits").put({ id: "v4", customer_id: "A", notes: "北辰から山田へ" });
        tx.objectStore("visits").delete("v3");
        await db.done(tx);
        const read = await db.transaction(["visits"]);
        result.count = await db.req(read.objectStore("visits").count());
        result.all = await db.req(read.objectStore("visits").getAll());
        return result;
    }""",
    )
    assert got["moved"] == {"id": "v1", "customer_id": "B", "notes": "山田から北辰へ"}
    assert got["gone"] is None and got["inA"] == ["v3"] and got["count"] == 3
    assert got["all"] == [
        {"id": "v1", "customer_id": "B", "notes": "山田から北辰へ"},
        {"id": "v2", "customer_id": "C", "notes": "消してから作り直し"},
        {"id": "v4", "customer_id": "A", "notes": "北辰から山田へ"},
    ]
    stored = sorted((g["customer_id"], tuple(g["ids"])) for g in groups(app))
    assert stored == [("A", ("v4",)), ("B", ("v1",)), ("C", ("v2",))]  # emptied groups are gone
    assert sorted(v["id"] for v in idb_all(app, "visits")) == ["v1", "v2", "v4"]


# Random calls, in random transactions, against the app's visits store and a Map of the same
# visits: every read answers as the Map does, and at the end the groups hold each visit once.
RANDOM_CALLS = """async (db) => {
    let state = 1;
    const random = (n) => { state = (state * 48271) % 2147483647; return state % n; };
    const customers = ["A", "B", "C", ""];
    const authors = ["u1", "u2"];
    // Instants and the company's day of each (Asia/Tokyo: 15:30 UTC is the next day there).
    const days = [["2026-11-20T10:00:00+09:00", "2026-11-20"], ["2026-11-20T23:30:00+09:00", "2026-11-20"],
        ["2026-11-20T15:30:00Z", "2026-11-21"], ["2026-11-21T08:00:00+09:00", "2026-11-21"]];
    const base = document.querySelector('script[type=module]').src;
    const { dayKey } = await import(new URL("visit-groups.js", base));
    const mismatches = [];
    for (let seed = 1; seed <= 40; seed++) {
        state = seed;
        await db.wipe();
        const model = new Map();
        for (let round = 0; round < 6; round++) {
            const tx = await db.transaction(["visits"], "readwrite");
            const store = tx.objectStore("visits");
            const checks = [];
            for (let call = 0; call < 25; call++) {
                const id = "v" + random(30);
                const choice = random(11);
                if (choice < 5) {
                    const [at] = days[random(4)];
                    const visit = { id, customer_id: customers[random(4)], author_id: authors[random(2)], visited_at: at,
                        n: seed * 1000 + round * 100 + call };
                    store.put(visit);
                    model.set(id, { ...visit });
                } else if (choice < 7) {
                    store.delete(id);
                    model.delete(id);
                } else if (choice < 8) {
                    const want = model.get(id) ?? null;
                    checks.push(db.req(store.get(id)).then((got) => [`get ${id}`, got ?? null, want]));
                } else if (choice < 9) {
                    const [author, day] = [authors[random(2)], days[random(4)][1]];
                    // One day, or the days from the first to this one (a group with both comes once).
                    const first = random(2) ? day : "2026-11-20";
                    const want = [...model.values()].filter((v) => v.author_id === author
                        && days.find(([at]) => at === v.visited_at)[1] >= first
                        && days.find(([at]) => at === v.visited_at)[1] <= day).sort((a, b) => (a.id < b.id ? -1 : 1));
                    const key = first === day ? dayKey(author, day) : IDBKeyRange.bound(dayKey(author, first), dayKey(author, day));
                    checks.push(db.req(store.index("days").getAll(key)).then((got) => [`days ${author} ${first}-${day}`, got, want]));
                } else if (choice < 10) {
                    const customer = customers[random(4)];
                    const want = [...model.values()].filter((v) => v.customer_id === customer)
                        .sort((a, b) => (a.id < b.id ? -1 : 1));
                    checks.push(db.req(store.index("customer_id").getAll(customer)).then((got) => [`of ${customer}`, got, want]));
                } else {
                    const want = [...model.keys()].sort();
                    checks.push(db.req(store.getAllKeys()).then((got) => ["keys", got, want]));
                    checks.push(db.req(store.count()).then((got) => ["count", got, want.length]));
                }
            }
            for (const [what, got, want] of await Promise.all(checks)) {
                if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push({ seed, round, what, got, want });
            }
            await db.done(tx);
        }
        const read = await db.transaction(["visits"]);
        const all = await db.req(read.objectStore("visits").getAll());
        const want = [...model.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
        if (JSON.stringify(all) !== JSON.stringify(want)) mismatches.push({ seed, what: "all", got: all, want });
    }
    return mismatches.slice(0, 3);
}"""


def test_random_calls_in_random_transactions_answer_as_a_plain_store_would(app):
    assert run(app, RANDOM_CALLS) == []
    ids = [i for group in groups(app) for i in group["ids"]]
    assert len(ids) == len(set(ids)), "a visit kept in two groups"


def test_a_call_that_fails_aborts_its_transaction_and_keeps_what_was_there(app):
    got = run(
        app,
        """async (db) => {
        let tx = await db.transaction(["visits", "meta"], "readwrite");
        tx.objectStore("visits").put({ id: "v1", customer_id: "A", notes: "保存済み" });
        await db.done(tx);
        tx = await db.transaction(["visits", "meta"], "readwrite");
        const store = tx.objectStore("visits");
        store.fresh = true; // as for a pull's page: its records are kept as given, not cloned first
        store.put({ id: "v1", customer_id: "A", notes: "上書き" });
        store.put({ id: "v2", customer_id: "A", notes: "保存できない値", keep: () => 1 });
        const probed = db.req(tx.objectStore("meta").put("書いた", "probe")).then(() => "written", (e) => e.name);
        const outcome = await db.done(tx).then(() => "committed", (e) => e.name);
        const read = await db.transaction(["visits", "meta"]);
        const probe = await db.req(read.objectStore("meta").get("probe"));
        return { outcome, probed: await probed, visits: await db.req(read.objectStore("visits").getAll()),
            probe: probe ?? null };
    }""",
    )
    # Aborted, and what went down with the failed call says why, not only 「aborted」.
    assert (got["outcome"], got["probed"]) == ("DataCloneError", "DataCloneError")
    assert got["visits"] == [{"id": "v1", "customer_id": "A", "notes": "保存済み"}] and got["probe"] is None
