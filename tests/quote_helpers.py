"""A database per backend loaded once with ``quote_fixture``, shared by a test module."""

import shutil
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

import quote_fixture
from conftest import PG_URL, Device, admin_engine
from server import create_app
from server.core.db import db


class Loaded:
    """The app on a loaded database, a device per login, and quote ids by fixture key."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.devices = {}
        self.ids = {}
        self.keys = {}
        self.customers = {}

    def device(self, login):
        if login not in self.devices:
            self.devices[login] = Device(self.client, login)
        return self.devices[login]

    def load(self):
        office = self.device("office")
        people = {login: self.device(login).user["id"] for login in ("rep_a", "rep_b")}
        for key, (name, owner) in quote_fixture.CUSTOMERS.items():
            self.customers[key] = office.create("customers", name=name, owner_id=people[owner])["id"]
        for key, (customer, fields) in quote_fixture.QUOTES.items():
            quote = office.create("quotes", customer_id=self.customers[customer], **fields)
            self.ids[key], self.keys[quote["id"]] = quote["id"], key

    def search(self, login="office", **params):
        response = self.client.get(
            "/api/v1/quotes/search", query_string=params, headers=self.device(login).headers
        )
        return response

    def ranked(self, login="office", **params):
        response = self.search(login, **params)
        assert response.status_code == 200, response.get_json()
        return [self.keys[r["quote"]["id"]] for r in response.get_json()["results"]]

    def similar(self, key, login="office"):
        response = self.client.get(
            f"/api/v1/quotes/{self.ids[key]}/similar", headers=self.device(login).headers
        )
        assert response.status_code == 200, response.get_json()
        return [self.keys[r["quote"]["id"]] for r in response.get_json()["results"]]


def loaded_database(request, tmp_path_factory, sqlite_template, pg_template):
    """Yield a ``Loaded`` on a fresh database of the backend ``request.param``."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("quotes")
        shutil.copy(sqlite_template, folder / "genba.sqlite3")
        url, cleanup = f"sqlite:///{folder / 'genba.sqlite3'}", None
    else:
        if not PG_URL:
            pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
        name = f"genba_test_{uuid.uuid4().hex[:12]}"
        with admin_engine().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
        url, cleanup = make_url(PG_URL).set(database=name).render_as_string(hide_password=False), name
        folder = tmp_path_factory.mktemp("quotes")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "GENBA_DATA_DIR": str(folder),
            "RATELIMIT_ENABLED": False,
        }
    )
    loaded = Loaded(app)
    loaded.load()
    yield loaded
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if cleanup:
        with admin_engine().connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{cleanup}" WITH (FORCE)'))
