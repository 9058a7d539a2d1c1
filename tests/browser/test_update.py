"""A new version of the app is offered, and activating it loses no unsent work."""

import re
import shutil

import pytest
from playwright.sync_api import expect

from server.core.pwa import shell_version

from .helpers import PWA_DIR, record_visit, serve, sign_in, wait_synced, wait_until


@pytest.fixture
def live_copy(tmp_path, sqlite_template):
    """A server whose pwa/ folder is a copy the test can release a new version into."""
    folder = tmp_path / "pwa"
    shutil.copytree(PWA_DIR, folder)
    for live in serve(tmp_path, sqlite_template, pwa_dir=folder):
        live.pwa = folder
        yield live


def release_next_version(folder):
    """Change a file of the app and hash the files again, as the restart after a deploy does."""
    old = shell_version(str(folder))
    with open(folder / "css" / "app.css", "a", encoding="utf-8") as css:
        css.write("\n/* the next release */\n")
    shell_version.cache_clear()
    version = shell_version(str(folder))
    assert version != old
    return version


def test_a_new_version_is_offered_and_activating_it_keeps_unsent_work(page, context, live_copy, customers):
    live = live_copy
    sign_in(page, live)
    context.route("**/api/v1/sync/push", lambda route: route.abort("internetdisconnected"))
    record_visit(page, re.compile("山田製作所"), purpose="更新をまたいで残る訪問")
    expect(page.get_by_test_id("pending-count")).to_have_text("1")

    version = release_next_version(live.pwa)
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    expect(page.get_by_text("新しいバージョンがあります")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("update-button").click()
    wait_until(page, f"""async () => JSON.stringify(await caches.keys()) === '["genba-shell-v{version}"]'""")
    assert page.evaluate("document.querySelector('script[type=module]').src").endswith(
        f"/app/v{version}/js/app.js"
    )
    expect(page.get_by_test_id("pending-count")).to_have_text("1")

    context.unroute("**/api/v1/sync/push")
    page.get_by_test_id("sync-now").click()
    wait_synced(page)
    assert [
        v["purpose"]
        for v in live.device("office").records("visits").values()
        if v["purpose"] == "更新をまたいで残る訪問"
    ] == ["更新をまたいで残る訪問"]


def test_a_newer_database_opened_in_another_tab_asks_this_one_to_reload(page, live):
    """Another tab running the next release upgrades the device's database: this tab lets it (it
    would otherwise block the upgrade) and asks to be reloaded; a database thrown away instead
    asks nothing (test_storage_full)."""
    sign_in(page, live)
    wait_synced(page)
    page.evaluate(
        """() => new Promise((resolve, reject) => {
        const request = indexedDB.open("genba", 1000);
        request.onsuccess = () => { request.result.close(); resolve(); };
        request.onerror = () => reject(request.error);
        request.onblocked = () => reject(new Error("blocked: the app kept its connection"));
    })"""
    )
    expect(
        page.get_by_text("別の画面で新しいバージョンが開かれました。再読み込みしてください。")
    ).to_be_visible()
