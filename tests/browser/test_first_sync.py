"""A new tablet's first sync, cut off in the middle, goes on from the last page it kept."""

import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from .helpers import PASSWORD, idb_all, wait_synced

PAGE = 20  # records a page here (the app asks for 2,000): a first sync of several pages


def smaller_pages(url):
    parts = urlsplit(url)
    query = {**parse_qs(parts.query), "limit": [str(PAGE)]}
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


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

    page.route(re.compile(r"/api/v1/sync/pull\?"), pull)
    page.goto(live.url + "/")
    page.get_by_label("ログインID").fill("rep_a")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    deadline = time.monotonic() + 15
    while len(cursors) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)  # the page before the cut is written
    kept = len(idb_all(page, "customers"))
    assert len(cursors) == 3 and 0 < kept < 70, (cursors, kept)  # two pages kept, then the cut

    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    assert cursors[3] == cursors[2] is not None  # it asks again for the page it did not get
    assert cursors.count(None) == 1 and cursors.count(cursors[1]) == 1  # never for those it has
    assert sorted(c["name"] for c in idb_all(page, "customers")) == [f"顧客{n:03d}" for n in range(70)]
