"""An accessibility audit of every main screen with axe-core, on a phone and a tablet, for each
role, over the demo data: no serious or critical violation (contrast, names, labels, landmarks).

axe-core comes from npm into tests/browser/axe (scripts/setup --test); it is injected into the
page by the test and never served with the app.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import serve, sign_in
from .layout import PHONE, TABLET

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"

AUDIT = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}"""

# A stored record's id for a screen's address: the first one this user's device holds.
FIRST_ID = """async (store) => new Promise((resolve, reject) => {
  const open = indexedDB.open("genba");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const name = store === "visits" ? "visit_groups" : store; // visits are kept in groups
    const request = open.result.transaction(name).objectStore(name).openCursor();
    request.onsuccess = () => {
      open.result.close();
      const value = request.result?.value;
      resolve((store === "visits" ? value?.visits[0] : value)?.id ?? null);
    };
  };
})"""

SCREENS = {
    "tech1": [
        "/customers",
        "/customers/{customers}",
        "/visits/new",
        "/visits/{visits}",
        "/requests/new?customer={customers}",
        "/today",
        "/my-requests",
        "/sync",
    ],
    "rep1": [
        "/deals",
        "/deals/{deals}",
        "/deals/new",
        "/quotes",
        "/quotes/new",
        "/quotes/{quotes}",
        "/exhibition",
        "/follow-requests",
        "/customers/new",
        "/contacts/new?customer={customers}",
        "/contacts/{contacts}/edit",
    ],
    "office1": [
        "/inbox",
        "/requests/{requests}",
        "/rules",
        "/load/settings",
        "/conflicts",
        "/customers/import",
        "/quotes/import",
    ],
    "manager1": ["/board", "/reports", "/load", "/competitors"],
    "admin": ["/admin/users", "/admin/audit"],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, sqlite_template):
    """A live server with the Japanese demo data (users tech1, rep1, office1, manager1, admin, …).

    One for the module: the audits only open screens, each test as a different user.
    """
    for live in serve(tmp_path_factory.mktemp("demo"), sqlite_template):
        result = live.app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        yield live


def audit(page):
    page.wait_for_timeout(300)  # the screen's second draw (after IndexedDB reads) included
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluate is not subject to the CSP
    return page.evaluate(AUDIT)


def test_the_login_screen_has_no_serious_violations(page, demo):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run scripts/setup --test")
    for size in (PHONE, TABLET):
        page.set_viewport_size(size)
        page.goto(demo.url + "/#/login")
        expect(page.get_by_label("パスワード")).to_be_visible()
        assert audit(page) == [], size


@pytest.mark.parametrize("login", list(SCREENS))
def test_every_main_screen_has_no_serious_violations_on_a_phone_and_a_tablet(page, demo, login):
    sign_in(page, demo, login, password=f"genba-{login}")
    ids = {
        store: page.evaluate(FIRST_ID, store)
        for store in ("customers", "contacts", "visits", "deals", "quotes", "requests")
    }
    found = {}
    for size, name in ((PHONE, "phone"), (TABLET, "tablet")):
        page.set_viewport_size(size)
        for screen in SCREENS[login]:
            page.goto(f"{demo.url}/#{screen.format(**ids)}")
            expect(page.locator("#view h1")).to_be_visible()
            violations = audit(page)
            if violations:
                found[f"{name} {screen}"] = violations
        page.get_by_test_id("menu-button").click()  # the open menu too
        if violations := audit(page):
            found[f"{name} menu"] = violations
        page.keyboard.press("Escape")
    assert found == {}
