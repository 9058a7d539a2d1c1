"""Helpers for the browser tests: a live server, another device on the API, and driving the app."""

import os
import re
import shutil
import sqlite3
import threading
import time
from pathlib import Path

from playwright.sync_api import expect
from werkzeug.serving import make_server

from conftest import CHEAP_HASH, PASSWORD, Device
from server import create_app
from server.core.db import db

CHROMIUM = os.environ.get("GENBA_CHROMIUM", "/usr/lib/chromium/chromium")
PWA_DIR = Path(__file__).resolve().parents[2] / "pwa"
NOT_TEXT = re.compile(r"null|undefined|NaN|\[object Object\]")


class Live:
    """A running server: its URL, the app object (for API checks) and its database file."""

    def __init__(self, app, url, db_path):
        self.app, self.url, self.db_path = app, url, db_path

    def device(self, login, **kwargs):
        return ApiDevice(self.app.test_client(), login, **kwargs)

    def sql(self, statement, *args):
        with sqlite3.connect(self.db_path, timeout=30) as conn:
            rows = conn.execute(statement, args).fetchall()
        return rows


def serve(folder, sqlite_template, pwa_dir=None, config=None):
    path = folder / "genba.sqlite3"
    shutil.copy(sqlite_template, path)
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "GENBA_DATA_DIR": str(folder),
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": CHEAP_HASH,  # users made by a test (the demo, the admin screen) too
        **(config or {}),
    }
    if pwa_dir:
        settings["PWA_DIR"] = str(pwa_dir)
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll: shutting down waits for the loop to look, 0.5 s by default, at every test's end.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Live(app, f"http://127.0.0.1:{server.server_port}", path)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


class ApiDevice(Device):
    """Another device of a user, speaking the wire contract to the same app."""

    def records(self, entity):
        """Every live record of ``entity`` in the user's scope now (a fresh pull)."""
        out, cursor = {}, None
        while True:
            query = {"limit": 2000, **({"cursor": cursor} if cursor else {})}
            response = self.client.get("/api/v1/sync/pull", query_string=query, headers=self.headers)
            assert response.status_code == 200, response.get_json()
            body = response.get_json()
            for change in body["changes"]:
                if change["entity"] == entity and not change.get("evict"):
                    out[change["record"]["id"]] = change["record"]
            cursor = body["cursor"]
            if not body["has_more"]:
                return out

    def revoke(self, device_id):
        return self.client.post(f"/api/v1/admin/devices/{device_id}/revoke", headers=self.headers)


def sign_in(page, live, login="rep_a", password=PASSWORD):
    """Open the app, sign in, and wait for the first sync and the service worker's control."""
    page.goto(live.url + "/")
    page.get_by_label("ログインID").fill(login)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    wait_synced(page)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def wait_synced(page, pending=0):
    """Wait until a sync has finished and ``pending`` changes are left."""
    status = page.get_by_test_id("sync-status")
    expect(status).to_have_attribute("data-syncing", "false")
    expect(status).not_to_have_attribute("data-last-sync", "")
    expect(page.get_by_test_id("pending-count")).to_have_text(str(pending))
    page.wait_for_timeout(150)  # let the screens redraw with what the sync brought
    expect(page.locator("body")).not_to_contain_text(NOT_TEXT)  # no missing value shown as text


def sync_in_background(page):
    """A sync as the timer or the network's return starts one, the focus left where it is."""
    status = page.get_by_test_id("sync-status")
    before = status.get_attribute("data-last-sync")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).not_to_have_attribute("data-last-sync", before or "")
    expect(status).to_have_attribute("data-syncing", "false")
    page.wait_for_timeout(300)  # past the screens' redraw delay


def local_storage_full(prefix=""):
    """An init script after which ``window.refuse = true`` makes localStorage refuse to keep the
    keys that start with ``prefix`` (all of them by default), as a full one does."""
    return f"""(() => {{
  const set = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {{
    if (window.refuse && String(key).startsWith({prefix!r})) throw new DOMException("full", "QuotaExceededError");
    return set.call(this, key, value);
  }};
}})();"""


# Whether the spare copy (pwa/js/spare.js) holds {count} unsent photos in Cache Storage.
SPARE_PHOTOS = "async () => (await (await caches.open('genba-spare-photos')).keys()).length === {count}"


def wait_until(page, check, timeout=15_000):
    """Wait until ``check`` (a function, async or not) answers truthy in the page.

    ``page.wait_for_function`` takes the Promise an async function answers as truthy at once, so
    it does not wait on a check that reads IndexedDB or Cache Storage: this evaluates the check
    again every 100 ms."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(check):
        if time.monotonic() > deadline:
            raise AssertionError(f"not so after {timeout} ms: {check}")
        page.wait_for_timeout(100)


# An exhibition card's placeholder name ends with the minute it was taken: 「名刺 1（展示会・佐藤・10:42）」.
CARD_TAKEN_AT = re.compile(r"・(\d{2}:\d{2})）$")


def card_name(name):
    """A card's placeholder name without the minute it was taken, which it must give."""
    assert CARD_TAKEN_AT.search(name), f"no minute taken in {name!r}"
    return CARD_TAKEN_AT.sub("）", name)


def idb_all(page, store):
    """Every value in one object store of the app's IndexedDB (``visits``: every visit, as kept
    in the groups of one customer's visits, pwa/js/visit-groups.js)."""
    return page.evaluate(
        """(store) => new Promise((resolve, reject) => {
        const open = indexedDB.open("genba");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const db = open.result;
            const groups = store === "visits";
            const name = groups ? "visit_groups" : store;
            const request = db.transaction(name).objectStore(name).getAll();
            request.onsuccess = () => {
                db.close();
                resolve(groups ? request.result.flatMap((group) => group.visits) : request.result);
            };
            request.onerror = () => { db.close(); reject(request.error); };
        };
    })""",
        store,
    )


def idb_write(page, store, body, arg=None):
    """Run ``body`` (JavaScript given ``store``, the object store, and ``arg``) in one readwrite
    transaction of the app's IndexedDB: a test's way to damage what the device holds."""
    page.evaluate(
        """([name, arg]) => new Promise((resolve, reject) => {
        const open = indexedDB.open("genba");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(name, "readwrite");
            const store = tx.objectStore(name);
            %s
            tx.oncomplete = () => { db.close(); resolve(); };
            tx.onerror = () => { db.close(); reject(tx.error); };
        };
    })"""
        % body,
        [store, arg],
    )


def outbox(page):
    return idb_all(page, "outbox")


def idb_get(page, store, key):
    """One value of the app's IndexedDB (``meta`` keys: device_id, token, cursor, hlc, ...;
    ``visits``: the visit, found in its group)."""
    if store == "visits":
        return next((visit for visit in idb_all(page, "visits") if visit["id"] == key), None)
    return page.evaluate(
        """([store, key]) => new Promise((resolve, reject) => {
        const open = indexedDB.open("genba");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const db = open.result;
            const request = db.transaction(store).objectStore(store).get(key);
            request.onsuccess = () => { db.close(); resolve(request.result ?? null); };
            request.onerror = () => { db.close(); reject(request.error); };
        };
    })""",
        [store, key],
    )


def record_visit(page, customer_name, *, kind="営業訪問", purpose="", notes="", handling="", photo=None):
    """From the customer list, record a visit to ``customer_name`` (with the photo file ``photo``);
    end on the visit's page."""
    page.goto(page.url.split("#")[0] + "#/customers")
    page.get_by_role("link", name=customer_name).first.click()
    page.get_by_test_id("new-visit").click()
    page.get_by_text(kind, exact=True).click()
    if purpose:
        page.get_by_label("目的").fill(purpose)
    if notes:
        page.get_by_label("話した内容・メモ").fill(notes)
    if handling:
        page.get_by_label("実施した対応").fill(handling)
    if photo:
        page.get_by_test_id("photo-camera").set_input_files(str(photo))
        expect(page.get_by_test_id("draft-photo-field").locator("img")).to_have_count(1)
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-facts")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(NOT_TEXT)


def go_to(page, screen):
    """Open ``screen`` (customers, inbox, board, sync, ...) from 「メニュー」, as a user would."""
    page.get_by_test_id("menu-button").click()
    page.get_by_test_id(f"nav-{screen}").click()
