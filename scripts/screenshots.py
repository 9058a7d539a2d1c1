#!/usr/bin/env python3
"""Take screenshots of the field app's main screens at tablet (1280x800) and phone (390x844) size.

Tablet shots keep their names (`02-customers.png`); the same screens on a phone are
`02-customers-phone.png` (screens shot at both sizes by design already say `-tablet`/`-phone`).

Loads the Japanese demo data into a throwaway SQLite database, serves it, drives Debian's
Chromium through the screens as rep1 (and office1 for a conflict, the inbox and the rules), and writes
docs/screenshots/*.png. Japanese text needs fonts-noto-cjk (`apt-get install fonts-noto-cjk`);
without it every kanji renders as a box, so the script stops and says so.

Run: `.venv/bin/python scripts/screenshots.py` (`--phone` or `--tablet`: one size only;
`... screenshots.py load`: only the factory's load; `--cards`: only exhibition mode, the card
review and the merge screen; `--admin`: only the admin's users, devices and audit screens;
`--import`: only the customer list's import)
"""

import logging
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/lib/chromium/chromium"
SIZE = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEW = {"size": SIZE, "suffix": ""}  # the size being shot: SIZE, or PHONE with "-phone" names


def check_tools():
    if not Path(CHROMIUM).exists():
        sys.exit("Chromium is missing: apt-get install -y chromium")
    fonts = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True).stdout
    if "Noto Sans CJK JP" not in fonts:
        sys.exit(
            "Japanese fonts are missing (kanji would render as boxes): apt-get install -y fonts-noto-cjk"
        )


def serve_demo(folder):
    """Migrate, load the demo data with `genba demo`, serve it; return (url, app, stop)."""
    from werkzeug.serving import make_server

    from server import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    url = f"sqlite:///{folder / 'genba.sqlite3'}"
    env = {"DATABASE_URL": url, "GENBA_INSTANCE_PATH": str(folder), "PATH": "/usr/bin:/bin"}
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "genba"), *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "GENBA_DATA_DIR": str(folder), "RATELIMIT_ENABLED": False}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", app, server.shutdown


def api_device(app, login, password):
    client = app.test_client()
    device_id = str(uuid.uuid4())
    token = client.post(
        "/api/v1/auth/token",
        json={"login": login, "password": password, "device": {"id": device_id, "name": "script"}},
    ).get_json()["token"]
    return client, device_id, {"Authorization": f"Bearer {token}"}


def office_retitles(app, request_id, title):
    """office1 changes a request's title from another device (makes rep1's offline edit lose)."""
    client, device_id, headers = api_device(app, "office1", "genba-office1")
    pulled, cursor = {}, None
    while True:
        body = client.get(
            "/api/v1/sync/pull",
            headers=headers,
            query_string={"limit": 2000, **({"cursor": cursor} if cursor else {})},
        ).get_json()
        pulled.update({c["record"]["id"]: c["record"] for c in body["changes"] if not c.get("evict")})
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    record = pulled[request_id]
    client.post(
        "/api/v1/sync/push",
        headers=headers,
        json={
            "device_id": device_id,
            "mutations": [
                {
                    "mutation_id": str(uuid.uuid4()),
                    "entity": "requests",
                    "record_id": request_id,
                    "op": "upsert",
                    "base_version": record["version"],
                    "changes": {"title": title},
                    "hlc": f"{int(time.time() * 1000):013d}:000000:{device_id}",
                }
            ],
        },
    )


def new_page(browser):
    """A fresh Japanese browser at the size being shot."""
    return browser.new_context(
        viewport=VIEW["size"], locale="ja-JP", timezone_id="Asia/Tokyo", device_scale_factor=1
    ).new_page()


def shoot(page, name, full_page=False):
    page.wait_for_timeout(150)  # let fonts and the last redraw settle; these are pictures, not tests
    if not name.endswith(("-phone", "-tablet")):
        name += VIEW["suffix"]
    # A whole long page on a phone: leave out the fixed tab bar, which would float mid-page.
    style = ".tabbar { display: none !important; }" if full_page and VIEW["size"] is PHONE else None
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full_page, style=style)
    print(f"wrote docs/screenshots/{name}.png")


def wait_synced(page):
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-testid=sync-status]');"
        " return s && s.dataset.syncing === 'false' && s.dataset.lastSync; }"
    )


def sign_in(page, base, login):
    """Open the app as a demo login (password genba-<login>) and wait for the first sync."""
    page.goto(base + "/")
    page.get_by_label("ログインID").fill(login)
    page.get_by_label("パスワード").fill(f"genba-{login}")
    page.get_by_role("button", name="ログイン").click()
    wait_synced(page)


def go_to(page, screen):
    """Open a screen from 「メニュー」."""
    page.get_by_test_id("menu-button").click()
    page.get_by_test_id(f"nav-{screen}").click()


def switch_language(page):
    """The header's language button on a tablet; on a phone it is in 「メニュー」."""
    if page.get_by_test_id("lang-toggle").is_visible():
        page.get_by_test_id("lang-toggle").click()
    else:
        page.get_by_test_id("menu-button").click()
        page.get_by_test_id("menu-lang").click()


def sync_now(page):
    """The header's sync button on a tablet; on a phone, the big one on the sync page."""
    if page.get_by_test_id("sync-now").is_visible():
        page.get_by_test_id("sync-now").click()
    else:
        back = page.url
        page.get_by_test_id("pending").click()
        page.get_by_test_id("sync-now-big").click()
        wait_synced(page)
        page.goto(back)


def shoot_deals(browser, base):
    """manager1's board in Japanese and English, a deal with competitors, and the competitors list."""
    from playwright.sync_api import expect

    manager = new_page(browser)
    sign_in(manager, base, "manager1")
    go_to(manager, "board")
    expect(manager.get_by_test_id("board")).to_be_visible()
    shoot(manager, "20-deal-board", full_page=True)
    manager.get_by_test_id("menu-button").click()  # every screen the manager has, by 「メニュー」
    shoot(manager, "47-menu")
    manager.keyboard.press("Escape")
    switch_language(manager)
    expect(manager.get_by_role("heading", level=1)).to_have_text("Deal board")
    manager.evaluate("window.scrollTo(0, document.getElementById('board-deals-h').offsetTop - 130)")
    shoot(manager, "21-deal-board-english")
    switch_language(manager)
    manager.goto(base + "/#/competitors")
    expect(manager.locator("section.competitor").first).to_be_visible()
    deal_link = manager.locator("section.competitor tbody a").first
    shoot(manager, "22-competitors")
    deal_link.click()
    expect(manager.get_by_test_id("deal-events")).to_be_visible()
    shoot(manager, "23-deal-page", full_page=True)


def shoot_quotes(page):
    """Past quotes on the rep's device: a folded search, a quote with its cost, make it again."""
    from playwright.sync_api import expect

    go_to(page, "quotes")
    page.get_by_test_id("quote-q").fill("ｓｕｓ 旋盤")
    results = page.get_by_test_id("quote-results").get_by_role("listitem")
    expect(results.first).to_be_visible()
    shoot(page, "24-quote-search")
    results.first.locator("a").first.click()
    expect(page.get_by_test_id("quote-facts")).to_be_visible()
    page.wait_for_timeout(500)  # similar quotes come from the server
    shoot(page, "25-quote-page", full_page=True)
    page.get_by_test_id("make-again").click()
    expect(page.get_by_test_id("save-quote")).to_be_visible()
    shoot(page, "26-quote-make-again")


QUOTE_WITH_HOURS = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open("genba");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const request = open.result.transaction("quotes").objectStore("quotes").getAll();
        request.onsuccess = () => {
            const quotes = request.result.filter((q) => q.process_hours && q.delivery_week && q.deal_id
                && q.status === "submitted" && Object.keys(q.process_hours).length >= 2);
            open.result.close();
            resolve(quotes.length ? { id: quotes[0].id, deal: quotes[0].deal_id } : null);
        };
    };
})"""


def shoot_load(browser, base):
    """The 山積み表 as office1 sees it and its editing screen, at tablet and phone size."""
    from playwright.sync_api import expect

    for name, viewport in (("33-load-tablet", SIZE), ("34-load-phone", PHONE)):
        page = browser.new_context(viewport=viewport, locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
        sign_in(page, base, "office1")
        page.goto(base + "/#/load")
        expect(page.get_by_test_id("load-group").first).to_be_visible()
        shoot(page, name)
        page.locator("[data-testid=load-weeks] details").nth(3 + 12).locator("summary").click()
        page.locator("[data-testid=load-weeks]").nth(1).scroll_into_view_if_needed()
        shoot(
            page,
            {"33-load-tablet": "35-load-breakdown-tablet", "34-load-phone": "36-load-breakdown-phone"}[name],
        )
        if viewport is SIZE:
            page.goto(base + "/#/load/settings")
            expect(page.get_by_test_id("groups")).to_be_visible()
            shoot(page, "37-load-settings")
        page.context.close()


def shoot_quote_load(browser, base):
    """A rep makes a submitted quote again with an overloaded week wished, offline: the lights."""
    from playwright.sync_api import expect

    for name, viewport in (("38-quote-load-tablet", SIZE), ("39-quote-load-phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale="ja-JP", timezone_id="Asia/Tokyo")
        page = context.new_page()
        sign_in(page, base, "rep1")
        found = page.evaluate(QUOTE_WITH_HOURS)
        context.set_offline(True)
        page.goto(f"{base}/#/quotes/new?from={found['id']}")
        week = page.get_by_test_id("quote-delivery-week")
        week.select_option(index=4)  # three weeks ahead, where 溶接 is over capacity
        expect(page.get_by_test_id("impact-fit")).to_be_visible()
        page.evaluate(
            "window.scrollTo(0, document.querySelector('[data-testid=load-impact]')"
            ".getBoundingClientRect().top + window.scrollY - 150)"
        )
        shoot(page, name)
        if viewport is SIZE:
            page.goto(f"{base}/#/deals/{found['deal']}")
            expect(page.get_by_test_id("deal-load")).to_be_visible()
            page.get_by_test_id("deal-load").scroll_into_view_if_needed()
            shoot(page, "40-deal-load")
        context.close()


def shoot_cards(browser, base, app, folder):
    """Exhibition mode with three cards, the card review after the worker read them, the merge."""
    sys.path.insert(0, str(ROOT / "tests"))
    from playwright.sync_api import expect

    from card_images import cards
    from server.jobs.worker import Worker

    page = new_page(browser)
    sign_in(page, base, "rep1")
    go_to(page, "exhibition")
    page.get_by_label("展示会・イベント名").fill("名古屋ものづくり展 2026")
    page.get_by_label("展示会・イベント名").blur()
    for index, (jpeg, _) in enumerate(cards(3, seed=15)):
        path = Path(folder) / f"card{index}.jpg"
        path.write_bytes(jpeg)
        page.get_by_test_id("exhibition-camera").set_input_files(str(path))
        expect(page.get_by_test_id("exhibition-count")).to_have_text(f"この展示会で {index + 1} 枚")
    shoot(page, "41-exhibition-mode")
    wait_synced(page)
    page.wait_for_timeout(3000)  # the photo queue sends the three cards
    Worker(app, "screenshots").run(until_idle=True)
    page.goto(base + "/#/customers")
    page.get_by_label("顧客を検索").fill("名刺 1")
    page.get_by_role("link", name=re.compile("名刺 1")).first.click()
    sync_now(page)
    wait_synced(page)
    page.reload()
    expect(page.get_by_test_id("card-suggestions")).to_be_visible()
    page.get_by_test_id("card-review").scroll_into_view_if_needed()
    shoot(page, "42-card-review")
    page.get_by_test_id("accept-company").click()
    wait_synced(page)
    customer_url = page.url
    client, device_id, headers = api_device(app, "rep1", "genba-rep1")
    client.post(
        "/api/v1/sync/push",
        headers=headers,
        json={
            "device_id": device_id,
            "mutations": [
                {
                    "mutation_id": str(uuid.uuid4()),
                    "entity": "customers",
                    "record_id": str(uuid.uuid4()),
                    "op": "upsert",
                    "base_version": None,
                    "hlc": f"{int(time.time() * 1000):013d}:000000:{device_id}",
                    "changes": {
                        "name": "中央機械（株）",
                        "phone": "052-825-6828",
                        "address": "静岡県浜松市中央区板屋町2-11-15",
                        "status": "active",
                    },
                }
            ],
        },
    )
    office = new_page(browser)
    sign_in(office, base, "office1")
    office.goto(customer_url.split("#")[0] + "#/customers/" + customer_url.rsplit("/", 1)[-1] + "/merge")
    office.get_by_test_id("merge-choose").first.click()
    expect(office.get_by_test_id("merge-compare")).to_contain_text("052-825-6828")
    shoot(office, "43-merge")


def main():
    check_tools()
    if "--cards" in sys.argv:
        return main_cards()
    if "--admin" in sys.argv:
        return main_admin()
    if "--import" in sys.argv:
        return main_admin(shoot_import)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    OUT.mkdir(parents=True, exist_ok=True)
    for size, suffix in chosen_sizes():
        VIEW.update(size=size, suffix=suffix)
        # A fresh demo per size: the walk-through changes data (a conflict, photos, a triage).
        with tempfile.TemporaryDirectory(prefix="genba-shots-") as folder, sync_playwright() as pw:
            base, app, stop = serve_demo(Path(folder))
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu", "--disable-quic"])
            if "load" in sys.argv[1:]:  # only the factory's load, while working on it
                shoot_load(browser, base)
                shoot_quote_load(browser, base)
                return
            shoot_all(browser, base, app, folder)
            browser.close()
            stop()


def shoot_all(browser, base, app, folder):
    """Walk through every main screen as rep1, office1, manager1 and tech1 at the size being shot."""
    from playwright.sync_api import expect

    page = new_page(browser)
    context = page.context
    page.goto(base + "/")
    expect(page.get_by_label("ログインID")).to_be_visible()
    page.get_by_label("ログインID").fill("rep1")
    shoot(page, "01-login")
    page.get_by_label("パスワード").fill("genba-rep1")
    page.get_by_role("button", name="ログイン").click()
    wait_synced(page)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    shoot(page, "02-customers")
    page.get_by_label("顧客を検索").fill("ﾔﾏﾀﾞ")
    shoot(page, "03-search-half-width-kana")
    page.get_by_role("link", name=re.compile("山田製作所")).first.click()
    expect(page.get_by_test_id("timeline")).to_be_visible()
    shoot(page, "04-customer-page")
    customer_url = page.url

    context.set_offline(True)
    page.get_by_test_id("new-visit").click()
    page.get_by_text("アフターサービス", exact=True).click()
    page.get_by_label("目的").fill("定期点検")
    page.get_by_label("話した内容・メモ").fill("工場長より、ローラー部から時々異音がするとの話あり。")
    page.get_by_label("実施した対応").fill("ローラー部のベアリングを点検し給油。摩耗は許容範囲内。")
    page.get_by_label("次のアクション", exact=True).fill("交換用ベアリングの見積を送付")
    shoot(page, "05-visit-form-offline")
    page.get_by_test_id("save-visit").click()
    page.get_by_test_id("new-request").click()
    page.get_by_text("クレーム", exact=True).click()
    page.get_by_label("件名").fill("ローラー部から異音がする")
    page.get_by_label("詳しい内容").fill("運転開始から30分ほどで異音。前回点検時はなかった。")
    page.get_by_text("高", exact=True).click()
    shoot(page, "06-complaint-form")
    page.get_by_test_id("save-request").click()
    expect(page.get_by_test_id("route")).to_have_text("同期後に決まります")
    shoot(page, "07-complaint-unsent")
    request_id = page.url.rsplit("/", 1)[-1]
    context.set_offline(False)
    expect(page.get_by_test_id("route")).to_have_text("製造")
    shoot(page, "08-complaint-routed")

    context.set_offline(True)
    page.get_by_test_id("edit-request").click()
    page.get_by_label("件名").fill("ローラー部から異音（ベアリング摩耗の疑い）")
    page.get_by_test_id("save-request").click()
    office_retitles(app, request_id, "ローラー部の異音（製造で原因調査中）")
    context.set_offline(False)
    page.get_by_test_id("conflicts-badge").click()
    expect(page.get_by_test_id("conflict")).to_have_count(1)
    shoot(page, "09-conflicts")

    page.goto(customer_url.split("#")[0] + "#/sync")
    expect(page.get_by_role("heading", name="同期", exact=True)).to_be_visible()
    shoot(page, "10-sync")
    page.goto(customer_url)
    switch_language(page)
    expect(page.get_by_test_id("timeline")).to_contain_text("Aftercare")
    shoot(page, "11-customer-page-english")
    switch_language(page)

    if VIEW["size"] is SIZE:  # a tablet held upright; the phone shots are upright anyway
        tablet = browser.new_context(
            viewport={"width": 800, "height": 1280}, locale="ja-JP", timezone_id="Asia/Tokyo"
        )
        portrait = tablet.new_page()
        sign_in(portrait, base, "tech1")
        portrait.goto(base + "/#/visits/new")
        expect(portrait.get_by_test_id("customer-picker")).to_be_visible()
        portrait.get_by_test_id("customer-picker").fill("さんじょう")
        shoot(portrait, "12-visit-form-portrait")

    office = new_page(browser)
    sign_in(office, base, "office1")
    go_to(office, "inbox")
    expect(office.locator(".inbox-item").first).to_be_visible()
    shoot(office, "13-inbox")
    office.locator("[data-team=manufacturing] .inbox-item", has_text="ローラー部").first.get_by_role(
        "link"
    ).click()
    office.get_by_test_id("triage-assignee_id").select_option(index=1)
    office.get_by_test_id("triage-response").fill("ベアリングを交換します。来週火曜に伺います。")
    office.get_by_test_id("triage-save").click()
    wait_synced(office)
    expect(office.get_by_test_id("history")).to_contain_text("が変更しました")
    office.wait_for_timeout(500)  # the page redraws once more after the sync; scroll the last drawing
    office.get_by_test_id("history").scroll_into_view_if_needed()
    shoot(office, "14-request-triage-history")
    go_to(office, "rules")
    expect(office.get_by_test_id("rules").locator("li").first).to_be_visible()
    shoot(office, "15-routing-rules")
    sync_now(page)
    wait_synced(page)
    page.goto(customer_url.split("#")[0] + "#/my-requests")
    expect(page.get_by_test_id("my-requests")).to_be_visible()
    shoot(page, "16-my-requests")
    go_to(page, "deals")
    expect(page.get_by_test_id("open-deals")).to_be_visible()
    shoot(page, "19-follow-up")
    shoot_deals(browser, base)
    if VIEW["size"] is SIZE:  # these two shoot both sizes themselves
        shoot_load(browser, base)
        shoot_quote_load(browser, base)
    shoot_photos(page, context, customer_url)
    shoot_quotes(page)
    shoot_cards(browser, base, app, folder)
    if VIEW["size"] is SIZE:  # it shoots both sizes itself
        shoot_admin(browser, base, app)


def shoot_admin(browser, base, app):
    """44-46: the admin's users list, a rep's page with a revocation asked, the audit trail,
    at tablet and phone size."""
    from playwright.sync_api import expect

    api_device(app, "rep1", "genba-rep1")  # a second device of rep1's, besides any browser
    client = app.test_client()
    client.post(  # a failed sign-in, for the audit trail
        "/api/v1/auth/token",
        json={"login": "rep1", "password": "wrong", "device": {"id": str(uuid.uuid4()), "name": "x"}},
    )
    for size, viewport in (("tablet", SIZE), ("phone", PHONE)):
        page = browser.new_context(viewport=viewport, locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
        sign_in(page, base, "admin")
        go_to(page, "admin")
        expect(page.get_by_test_id("admin-user").first).to_be_visible()
        shoot(page, f"44-admin-users-{size}")
        page.get_by_test_id("admin-users").get_by_role("link", name=re.compile("rep1")).click()
        expect(page.get_by_test_id("admin-devices").locator("li").first).to_be_visible()
        page.get_by_test_id("revoke-device").first.click()
        page.get_by_test_id("admin-devices").scroll_into_view_if_needed()
        shoot(page, f"45-admin-user-{size}", full_page=viewport is SIZE)
        page.get_by_test_id("admin-tab-audit").click()
        expect(page.get_by_test_id("audit-events").locator("li").first).to_be_visible()
        shoot(page, f"46-audit-{size}")
        page.context.close()


# A customer list as an office keeps it in Excel (saved as CSV in Shift_JIS): a company the demo
# has already, one with two people on two rows, one column the app has no field for.
CUSTOMER_LIST = (
    "会社名,フリガナ,電話番号,住所,営業担当,区分,担当者名,部署,役職,業種\r\n"
    "山田製作所,,,,,,山田 次郎,品質保証部,課長,\r\n"
    "株式会社ミナト精密,ﾐﾅﾄｾｲﾐﾂ,045-111-2222,神奈川県横浜市金沢区福浦1-5,佐藤 健太,取引中,港 一郎,製造部,工場長,精密部品\r\n"
    "株式会社ミナト精密,,045-111-2222,,,,港 花子,購買部,,\r\n"
    "北斗工業株式会社,ほくとこうぎょう,011-333-4444,北海道札幌市白石区,中西 亮介,見込,,,,産業機械\r\n"
)


# The same list a year on: cells filled in Excel, and a company moved to another rep (担当替え).
CUSTOMER_LIST_AGAIN = (
    "会社名,電話番号,郵便番号,住所,営業担当,担当者名,役職,携帯\r\n"
    "株式会社ミナト精密,045-111-2222,236-0004,神奈川県横浜市金沢区福浦2-1,中西 亮介,港 花子,主任,090-1234-5678\r\n"
    "北斗工業株式会社,011-333-4444,003-0001,,,,,\r\n"
)


# Past quotes as an office keeps them (見積台帳), for the demo's customers.
QUOTE_LIST = (
    "顧客名,見積番号,見積日,図番,品名,材質,寸法,数量,金額,状態,担当\r\n"
    '山田製作所,Q-2021-0042,令和3年6月14日,YS-2021-0042,駆動シャフト,S45C,φ60×450,4,"￥186,000",受注,佐藤\r\n'
    "山田製作所,Q-2021-0057,2021/8/2,YS-2021-0057,ベースプレート,SS400,t25×400×600,1,9万8千円,提出,佐藤\r\n"
)


def shoot_import(browser, base, app):
    """47: the office checks a customer list before importing it; 48: past quotes from a
    見積台帳 (with one row to correct); 49: the list imported again with cells filled and a
    customer moved to another rep; at tablet and phone size."""
    from playwright.sync_api import expect

    with tempfile.TemporaryDirectory(prefix="genba-list-") as folder:
        path = Path(folder) / "顧客台帳.csv"
        path.write_bytes(CUSTOMER_LIST.encode("cp932"))
        quotes = Path(folder) / "見積台帳.csv"
        quotes.write_bytes(QUOTE_LIST.encode("cp932"))
        for size, suffix in chosen_sizes():
            VIEW.update(size=size, suffix=suffix)
            page = new_page(browser)
            sign_in(page, base, "office1")
            go_to(page, "customer-import")
            page.get_by_test_id("customer-import-file").set_input_files(str(path))
            page.get_by_test_id("customer-import-check").click()
            preview = page.get_by_test_id("customer-import-preview")
            expect(preview).to_be_visible()
            if size is PHONE:  # the file chosen, then what it would do
                page.evaluate("document.querySelector('[data-testid=customer-import-file]').scrollIntoView()")
            shoot(page, "47-customer-import", full_page=size is SIZE)
            page.goto(base + "/#/quotes/import")
            page.get_by_test_id("quote-import-file").set_input_files(str(quotes))
            page.get_by_test_id("quote-import-check").click()
            expect(page.get_by_test_id("quote-import-errors")).to_be_visible()
            shoot(page, "48-quote-import-errors")
            page.context.close()
        # 49: the list imported, then the same companies with cells filled and another rep
        again = Path(folder) / "顧客台帳_2027年4月.csv"
        again.write_bytes(CUSTOMER_LIST_AGAIN.encode("cp932"))
        page = new_page(browser)
        sign_in(page, base, "office1")
        go_to(page, "customer-import")
        page.get_by_test_id("customer-import-file").set_input_files(str(path))
        page.get_by_test_id("customer-import-check").click()
        page.get_by_test_id("customer-import-run").click()
        expect(page.get_by_test_id("customer-import-done")).to_be_visible()
        page.context.close()
        for size, suffix in chosen_sizes():
            VIEW.update(size=size, suffix=suffix)
            page = new_page(browser)
            sign_in(page, base, "office1")
            go_to(page, "customer-import")
            page.get_by_test_id("customer-import-file").set_input_files(str(again))
            page.get_by_test_id("customer-import-reassign").check()
            page.get_by_test_id("customer-import-check").click()
            preview = page.get_by_test_id("customer-import-preview")
            expect(preview).to_be_visible()
            if size is PHONE:
                preview.scroll_into_view_if_needed()
            shoot(page, "49-customer-import-again", full_page=size is SIZE)
            page.context.close()


def chosen_sizes():
    """The sizes to shoot: tablet and phone, or the one ``--tablet`` / ``--phone`` names."""
    sizes = [(SIZE, ""), (PHONE, "-phone")]
    if "--phone" in sys.argv:
        return sizes[1:]
    if "--tablet" in sys.argv:
        return sizes[:1]
    return sizes


def main_admin(shots=None):
    """Only the admin's screens (``--admin``), or ``shots``."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    with tempfile.TemporaryDirectory(prefix="genba-shots-") as folder, sync_playwright() as pw:
        base, app, stop = serve_demo(Path(folder))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu", "--disable-quic"])
        (shots or shoot_admin)(browser, base, app)
        browser.close()
        stop()


def main_cards():
    """Only the business-card screens (``--cards``), at both sizes unless one is named."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    for size, suffix in chosen_sizes():
        VIEW.update(size=size, suffix=suffix)
        with tempfile.TemporaryDirectory(prefix="genba-shots-") as folder, sync_playwright() as pw:
            base, app, stop = serve_demo(Path(folder))
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu", "--disable-quic"])
            shoot_cards(browser, base, app, folder)
            browser.close()
            stop()


def sample_photo(seed):
    """A made-up shop-floor picture (Pillow), as a file chooser payload."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (96 + seed * 20, 104, 112))
    draw = ImageDraw.Draw(image)
    draw.rectangle((300, 380, 1300, 900), fill=(170, 176, 184), outline=(40, 44, 52), width=12)
    for x in (520, 800, 1080):
        draw.ellipse((x - 110, 530, x + 110, 750), fill=(60, 64, 72), outline=(20, 20, 24), width=10)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return {"name": f"IMG_20261127_{seed:04d}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def shoot_photos(page, context, customer_url):
    """17: a visit with one photo sent and one waiting (offline); 18: the queue and the space."""
    from playwright.sync_api import expect

    page.goto(customer_url)
    page.locator(".timeline .item.visits a").first.click()
    expect(page.get_by_test_id("photo-grid")).to_be_visible()
    with page.expect_file_chooser() as chooser:
        page.get_by_text("写真・ファイルを選ぶ").click()
    chooser.value.set_files([sample_photo(1)])
    expect(page.get_by_test_id("photo-state")).to_have_text(["送信済み"])
    context.set_offline(True)
    with page.expect_file_chooser() as chooser:
        page.get_by_text("写真・ファイルを選ぶ").click()
    chooser.value.set_files([sample_photo(2)])
    expect(page.get_by_test_id("photo-state")).to_have_text(["送信済み", "待機中"])
    page.get_by_test_id("photo-grid").scroll_into_view_if_needed()
    shoot(page, "17-visit-photos")
    page.goto(customer_url.split("#")[0] + "#/sync")
    page.get_by_test_id("photo-queue").scroll_into_view_if_needed()
    shoot(page, "18-photo-queue")
    context.set_offline(False)


if __name__ == "__main__":
    main()
