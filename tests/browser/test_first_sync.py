"""A new tablet's first sync: its customers listed and searchable before the history is in, and,
cut off in the middle, going on from the last page it kept."""

import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from playwright.sync_api import expect

from .helpers import PASSWORD, idb_all, record_visit, sign_in, wait_synced, wait_until

PAGE = 20  # records a page here (the app asks for 2,000): a first sync of several pages


def smaller_pages(url):
    parts = urlsplit(url)
    query = {**parse_qs(parts.query), "limit": [str(PAGE)]}
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


def sign_in_pulling_through(page, live, pull):
    """Sign in as rep_a with every pull request going through ``pull`` (a route handler)."""
    page.route(re.compile(r"/api/v1/sync/pull\?"), pull)
    page.goto(live.url + "/")
    page.get_by_label("ログインID").fill("rep_a")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def wait_for_the_cut(page, asked, at=3):
    """Wait until the pull asked for page ``at`` (which the route cuts) and the one before is written."""
    deadline = time.monotonic() + 15
    while len(asked) < at and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)


def test_a_first_sync_cut_at_a_page_resumes_there_without_downloading_again(page, live):
    rep = live.device("rep_a")
    rep.push(
        *[rep.mutation("customers", name=f"顧客{n:03d}", name_kana=f"コキャク{n:03d}") for n in range(70)]
    )
    cursors, cut = [], {"at": 3}

    def pull(route):
        cursor = parse_qs(urlsplit(route.request.url).query).get("cursor", [None])[0]
        cursors.append(cursor)
        if len(cursors) == cut["at"]:
            route.abort("connectionreset")  # the connection drops while the third page is asked for
        else:
            route.continue_(url=smaller_pages(route.request.url))

    sign_in_pulling_through(page, live, pull)
    wait_for_the_cut(page, cursors)
    kept = len(idb_all(page, "customers"))
    assert len(cursors) == 3 and 0 < kept < 70, (cursors, kept)  # two pages kept, then the cut

    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    assert cursors[3] == cursors[2] is not None  # it asks again for the page it did not get
    assert cursors.count(None) == 1 and cursors.count(cursors[1]) == 1  # never for those it has
    assert sorted(c["name"] for c in idb_all(page, "customers")) == [f"顧客{n:03d}" for n in range(70)]


def test_customers_are_listed_and_searchable_while_contacts_and_history_still_stream_in(page, live):
    rep = live.device("rep_a")
    customers = [
        rep.mutation("customers", name=f"顧客{n:02d}", name_kana=f"コキャク{n:02d}") for n in range(12)
    ]
    rep.push(*customers)
    rep.push(
        *[
            rep.mutation("contacts", customer_id=c["record_id"], name=f"担当{n}")
            for c in customers
            for n in range(4)
        ]
    )
    rep.push(
        *[
            rep.mutation(
                "visits",
                customer_id=c["record_id"],
                kind="sales",
                visited_at=f"2026-11-{day:02d}T10:00:00+09:00",
                notes=f"訪問{day}",
            )
            for c in customers
            for day in range(1, 6)
        ]
    )
    held, state = [], {"past_customers": False, "released": False}

    def pull(route):
        if state["past_customers"] and not state["released"]:
            held.append(route)  # the rest stops coming: the network is that slow
            return
        response = route.fetch(url=smaller_pages(route.request.url))
        entities = {change["entity"] for change in response.json()["changes"]}
        state["past_customers"] = bool(entities - {"users", "customers"})
        route.fulfill(response=response)

    sign_in_pulling_through(page, live, pull)
    page.goto(live.url + "/#/customers")
    page.get_by_test_id("customer-search").fill("こきゃく07")
    expect(page.get_by_test_id("customer-list").locator("li")).to_have_text(re.compile("顧客07"))
    assert held, "the pull was already complete: nothing streamed after the customers"
    # The list works while contacts are still coming and no visit is in yet.
    assert len(idb_all(page, "contacts")) < 48 and idb_all(page, "visits") == []
    assert len(idb_all(page, "customers")) == 12

    state["released"] = True
    for route in held:
        route.continue_(url=smaller_pages(route.request.url))
    wait_synced(page)
    assert len(idb_all(page, "contacts")) == 48
    assert len(idb_all(page, "visits")) == 60


@pytest.mark.parametrize("worker", [True, False], ids=["in-the-pull-worker", "in-the-page"])
def test_the_status_bar_counts_the_records_a_first_sync_has_stored(page, live, worker):
    if not worker:
        page.add_init_script("delete window.Worker")  # a browser without module workers
    rep = live.device("rep_a")
    rep.push(
        *[rep.mutation("customers", name=f"顧客{n:03d}", name_kana=f"コキャク{n:03d}") for n in range(70)]
    )
    held, state = [], {"asked": 0, "released": False}

    def pull(route):
        state["asked"] += 1
        if state["asked"] == 3 and not state["released"]:
            held.append(route)  # the third page is slow to come
            return
        route.continue_(url=smaller_pages(route.request.url))

    sign_in_pulling_through(page, live, pull)
    status = page.get_by_test_id("last-sync")
    # Two pages of 20 are stored; the bar says so while the third is awaited.
    expect(status).to_contain_text("同期中… 40件受信")
    state["released"] = True
    for route in held:
        route.continue_(url=smaller_pages(route.request.url))
    wait_synced(page)
    expect(status).to_contain_text("最終同期")


@pytest.mark.parametrize("worker", [True, False], ids=["in-the-pull-worker", "in-the-page"])
def test_a_page_that_cannot_be_written_is_asked_for_again_and_the_one_after_it_is_not_kept(
    page, live, worker
):
    if not worker:
        page.add_init_script("delete window.Worker")  # a browser without module workers
    rep = live.device("rep_a")
    rep.push(
        *[rep.mutation("customers", name=f"顧客{n:03d}", name_kana=f"コキャク{n:03d}") for n in range(70)]
    )
    cursors, state = [], {"broken": True}

    def pull(route):
        cursors.append(parse_qs(urlsplit(route.request.url).query).get("cursor", [None])[0])
        response = route.fetch(url=smaller_pages(route.request.url))
        body = response.json()
        if state["broken"] and len(cursors) == 2:
            del body["changes"][0]["record"]["id"]  # IndexedDB refuses a record without its key
        route.fulfill(response=response, json=body)

    sign_in_pulling_through(page, live, pull)
    expect(page.get_by_test_id("storage-error")).to_be_visible()
    # The third page was on its way while the second failed: it must not be kept either, or the
    # stored cursor would skip the second page's records.
    kept = len(idb_all(page, "customers"))
    assert 0 < kept < 70 and len(cursors) >= 3, (kept, cursors)

    state["broken"] = False
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    assert cursors[len(cursors) - cursors[::-1].index(cursors[1]) - 1] == cursors[1]
    assert cursors.count(cursors[1]) == 2  # the second page was asked for again
    assert sorted(c["name"] for c in idb_all(page, "customers")) == [f"顧客{n:03d}" for n in range(70)]


def visited_customers(rep):
    """Six customers, three of them visited over several pages of a first sync (an older visit
    of the latest-visited one coming last); returns the list order the app must show."""
    customers = [rep.mutation("customers", name=f"顧客{n}", name_kana=f"コキャク{n}") for n in range(6)]
    rep.push(*customers)

    def visit(n, day):
        return rep.mutation(
            "visits", customer_id=customers[n]["record_id"], kind="sales", visited_at=f"{day}T10:00:00+09:00"
        )

    rep.push(visit(3, "2026-11-20"), *[visit(0, f"2026-10-{d:02d}") for d in range(1, 31)])
    rep.push(visit(3, "2026-11-01"), visit(1, "2026-11-10"))
    return ["顧客3", "顧客1", "顧客0", "顧客2", "顧客4", "顧客5"]  # latest visit first, then by kana


def small_pages_cut_at(cut):
    """A pull route of small pages whose request number ``cut`` (if any) loses its connection;
    returns the URLs asked for and the route handler."""
    asked = []

    def pull(route):
        asked.append(route.request.url)
        if len(asked) == cut:
            route.abort("connectionreset")
        else:
            route.continue_(url=smaller_pages(route.request.url))

    return asked, pull


def expect_customer_order(page, names):
    page.goto(page.url.split("#")[0] + "#/customers")
    expect(page.get_by_test_id("customer-list").locator("li")).to_have_text(
        [re.compile(name) for name in names]
    )


def test_after_a_first_sync_of_many_pages_the_latest_visited_customers_come_first(page, live):
    rep = live.device("rep_a")
    order = visited_customers(rep)
    asked, pull = small_pages_cut_at(None)
    sign_in_pulling_through(page, live, pull)
    wait_synced(page)
    assert len(asked) >= 3  # the visits came over several pages
    expect_customer_order(page, order)


def test_a_first_sync_cut_among_the_visits_still_puts_the_latest_visited_first_once_resumed(page, live):
    rep = live.device("rep_a")
    order = visited_customers(rep)
    asked, pull = small_pages_cut_at(3)  # two pages kept, the visits begun
    sign_in_pulling_through(page, live, pull)
    wait_for_the_cut(page, asked)
    assert 0 < len(idb_all(page, "visits")) < 33

    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    assert len(idb_all(page, "visits")) == 33
    expect_customer_order(page, order)


# Whether every group of visits has its days and dues and nothing waits for them (records.js fillDays).
DAYS_FILLED = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open("genba");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const tx = open.result.transaction(["visit_groups", "meta"]);
        const groups = tx.objectStore("visit_groups").getAll();
        const pending = tx.objectStore("meta").get("days_pending");
        tx.oncomplete = () => {
            open.result.close();
            resolve(pending.result === undefined && groups.result.length > 0
                && groups.result.every((g) => Array.isArray(g.days) && g.days.length > 0 && Array.isArray(g.dues)));
        };
    };
})"""


def test_a_first_sync_cut_among_the_visits_files_every_visit_by_its_day_once_done(page, live):
    """A first pull stores its visits without filing them by author and day (that index costs a
    first sync a fifth of its time); the pull worker files them once the sync is done, and 今日
    finds each day's visits before and after."""
    rep = live.device("rep_a")
    visited_customers(rep)
    asked, pull = small_pages_cut_at(3)
    sign_in_pulling_through(page, live, pull)
    wait_for_the_cut(page, asked)
    page.goto(page.url.split("#")[0] + "#/today?date=2026-10-05")
    expect(page.get_by_test_id("day-visits").locator("li")).to_have_count(1)  # read from every visit
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    wait_until(page, DAYS_FILLED)
    for day, count in (("2026-10-05", 1), ("2026-10-30", 1), ("2026-11-20", 1), ("2026-11-21", 0)):
        page.goto(page.url.split("#")[0] + f"#/today?date={day}")
        expect(page.get_by_test_id("day-current")).to_contain_text(day[-2:].lstrip("0"))
        expect(page.get_by_test_id("day-visits").locator("li")).to_have_count(count)


def test_a_visit_saved_offline_brings_its_customer_to_the_top(page, context, live):
    rep = live.device("rep_a")
    order = visited_customers(rep)
    sign_in(page, live)
    context.set_offline(True)
    record_visit(page, re.compile("顧客5"), notes="飛び込みで訪問")
    expect_customer_order(page, ["顧客5", *[name for name in order if name != "顧客5"]])
