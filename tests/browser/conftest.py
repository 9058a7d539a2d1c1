"""Browser tests: Debian's Chromium, driven by Playwright, against a live Genba server.

Each test gets its own server (werkzeug in a thread, port 0) over its own copy of the migrated
SQLite template, so tests never see each other's devices or data; one browser serves them all.
(The accessibility audits, which only open screens, share one server with the demo data.)
Checks on the server side go through the wire API (``ApiDevice``) or read the database file.
"""

import os

import pytest
from playwright.sync_api import expect

from .helpers import CHROMIUM, serve

expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (scripts/setup --test does)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--disable-gpu", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "timezone_id": "Asia/Tokyo",
        "viewport": {"width": 1280, "height": 800},
    }


@pytest.fixture(scope="session")
def base_url():
    """Every test serves its own live server, so there is no shared base URL."""
    return None


@pytest.fixture(scope="session")
def device(pytestconfig):
    """pytest-playwright's ``--device`` emulation (tests/conftest.py's ``device`` is for API tests)."""
    return pytestconfig.getoption("--device")


@pytest.fixture(scope="session", autouse=True)
def log_browser_version(browser, pytestconfig):
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"browser tests on Chromium {browser.version} ({CHROMIUM})")


@pytest.fixture
def live(request, tmp_path, sqlite_template):
    """The server; ``@pytest.mark.server_config(KEY=value)`` changes its configuration."""
    marker = request.node.get_closest_marker("server_config")
    yield from serve(tmp_path, sqlite_template, config=marker.kwargs if marker else None)


def pytest_configure(config):
    config.addinivalue_line("markers", "server_config(**settings): configuration of the live server")


@pytest.fixture
def customers(live):
    """山田製作所 and two other customers of rep_a (team east), with a contact and a visit."""
    rep = live.device("rep_a")
    yamada = rep.create(
        "customers",
        name="山田製作所",
        name_kana="ヤマダセイサクショ",
        phone="048-123-4567",
        address="埼玉県川口市",
    )
    hokushin = rep.create(
        "customers",
        name="株式会社北辰フードマシナリー",
        name_kana="ホクシンフードマシナリー",
        phone="0256-11-2222",
    )
    sanjo = rep.create("customers", name="有限会社三条精工", name_kana="サンジョウセイコウ")
    contact = rep.create("contacts", customer_id=yamada["id"], name="山田 太郎", department="製造部")
    rep.create(
        "visits",
        customer_id=yamada["id"],
        kind="sales",
        visited_at="2026-11-20T10:00:00+09:00",
        contact_ids=[contact["id"]],
        purpose="新製品の紹介",
    )
    return {"yamada": yamada, "hokushin": hokushin, "sanjo": sanjo, "contact": contact}
