"""Moving between screens: the screen shown is always the one the address names.

A screen reads IndexedDB before it draws. When those reads are slow (a pull writing the same
stores, a busy phone), the user may already have moved on: what the left screen draws late
must not cover the screen they went to.
"""

from playwright.sync_api import expect

from .helpers import sign_in, wait_synced

# Holds a readwrite transaction on one store of the app's database until released: the app's
# reads of that store wait behind it, as they do behind a pull's page.
HOLD = """(store) => new Promise((resolve, reject) => {
    const open = indexedDB.open("genba");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction(store, "readwrite");
        window.__released = false;
        const keep = () => {
            if (window.__released) return;
            tx.objectStore(store).get("-").onsuccess = keep;
        };
        keep();
        tx.oncomplete = () => db.close();
        resolve();
    };
})"""
RELEASE = "() => { window.__released = true; }"


def test_a_screen_still_drawing_when_left_does_not_cover_the_next(page, live, customers):
    # A request someone else recorded: opening it changes nothing stored, so nothing redraws
    # the screen the user went to after the late drawing.
    request = live.device("rep_a").create(
        "requests", customer_id=customers["yamada"]["id"], kind="request", title="操作パネルの表示が消える"
    )
    sign_in(page, live, "tech")
    page.evaluate(HOLD, "history")  # the request page reads its history; my requests do not
    page.goto(live.url + f"/#/requests/{request['id']}")
    page.wait_for_timeout(300)  # its reads are waiting
    page.goto(live.url + "/#/my-requests")
    expect(page.locator("#view h1")).to_have_text("自分の依頼")
    page.evaluate(RELEASE)
    page.wait_for_timeout(500)  # the request page's reads are answered
    expect(page.locator("#view h1")).to_have_text("自分の依頼")
    expect(page.get_by_test_id("request-heading")).to_have_count(0)


def test_a_redraw_under_way_when_a_screen_is_left_does_not_cover_the_next(page, live, customers):
    tech = live.device("tech")
    request = tech.create(
        "requests", customer_id=customers["yamada"]["id"], kind="request", title="操作パネルの表示が消える"
    )
    sign_in(page, live, "tech")
    page.goto(live.url + f"/#/requests/{request['id']}")
    expect(page.get_by_test_id("request-heading")).to_contain_text("操作パネルの表示が消える")
    page.evaluate(HOLD, "history")
    # Records changed (as another tab's save says): the request page draws itself again.
    page.evaluate("() => new BroadcastChannel('genba').postMessage({ type: 'data', what: {} })")
    page.wait_for_timeout(400)  # its redraw has begun and waits for the history
    page.goto(live.url + "/#/my-requests")
    expect(page.locator("#view h1")).to_have_text("自分の依頼")
    page.evaluate(RELEASE)
    page.wait_for_timeout(500)
    expect(page.locator("#view h1")).to_have_text("自分の依頼")
    expect(page.get_by_test_id("request-heading")).to_have_count(0)


def test_skip_to_content_moves_the_focus_and_stays_on_the_screen(page, live, customers):
    sign_in(page, live, "rep_a")
    page.goto(live.url + f"/#/customers/{customers['yamada']['id']}")
    expect(page.locator("#view h1")).to_contain_text("山田製作所")
    skip = page.get_by_role("link", name="本文へ移動")
    skip.focus()  # the first stop of the keyboard on a page just opened
    page.keyboard.press("Enter")
    expect(page.locator("#view")).to_be_focused()
    page.wait_for_timeout(300)  # a route change would have drawn by now
    assert page.url.endswith(f"#/customers/{customers['yamada']['id']}")
    expect(page.locator("#view h1")).to_contain_text("山田製作所")


# Stored records changed, as a sync's page says: the screen draws itself again.
DATA_CHANGED = """async () => {
    const base = document.querySelector("script[type=module]").src.replace("app.js", "");
    (await import(base + "store.js")).dataChanged();
}"""


def test_a_tap_on_a_link_as_the_screen_is_drawn_again_follows_the_link(page, live, customers):
    sign_in(page, live, "rep_a")
    page.goto(live.url + f"/#/customers/{customers['yamada']['id']}")
    wait_synced(page)  # no redraw but the one this test makes
    link = page.get_by_role("link", name="訪問を記録")
    expect(link).to_be_visible()  # its screen shown, not only drawn
    box = link.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.evaluate(DATA_CHANGED)
    page.wait_for_timeout(400)  # the redraw's delay has passed with the finger still down
    page.mouse.up()
    expect(page.locator("#view h1")).to_have_text("訪問を記録")
