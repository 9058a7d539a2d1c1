"""Fixtures: a migrated database per test (a real SQLite file, and PostgreSQL when
``TEST_DATABASE_URL`` names a server), the app on it, people, and a device helper."""

import os
import shutil
import sqlite3
import time
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sync.client import PUSH_PATH, FlaskTransport, pull_path

import hypothesis_profiles  # noqa: F401  (registers "ci" and "long" before pytest picks one)
from driver import WireDevice
from server import create_app
from server.core.db import db, writing_session
from server.core.users import create_user

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]
PEOPLE = {
    # login: (role, team, name)
    "rep_a": ("rep", "east", "佐藤 健太"),
    "rep_a2": ("rep", "east", "鈴木 一郎"),
    "rep_b": ("rep", "west", "田中 花子"),
    "tech": ("technician", "service", "高橋 修"),
    "office": ("office", "office", "伊藤 美咲"),
    "manager": ("manager", "east", "渡辺 誠"),
    "admin": ("admin", "office", "管理者"),
}
PASSWORD = "correct horse battery"
# Passwords are hashed at sign-up and checked at every sign-in: a cheap hash keeps tests fast.
CHEAP_HASH = "pbkdf2:sha256:1000"


def migrate(url, data_dir):
    """Migrate a template database and sign up ``PEOPLE``."""
    import flask_migrate

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "GENBA_DATA_DIR": str(data_dir), "PASSWORD_HASH_METHOD": CHEAP_HASH}
    )
    with app.app_context():
        flask_migrate.upgrade()
        session = writing_session()
        for login, (role, team, name) in PEOPLE.items():
            create_user(session, login, PASSWORD, role, team, name)
        session.commit()
        db.session.remove()
        db.engine.dispose()
    if url.startswith("sqlite"):
        settle(make_url(url).database)


def settle(path):
    """Copy what the WAL holds into the database file itself, so that a copy of the file alone
    (every test's database is one) holds every commit. The app's checkpoint thread does this
    too, but in its own time: a copy made first lacked the users, or was torn. While that
    thread's checkpoint runs, SQLite answers this one busy at once, without waiting: so it is
    tried again until it goes through."""
    deadline = time.monotonic() + 30
    with sqlite3.connect(path, timeout=30) as connection:
        while True:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert busy == 0, f"{path}: the WAL could not be copied into the database file"


DATABASE_FIXTURES = {"database_url", "shared_database_url", "sqlite_template", "pg_template", "empty_url"}


def pytest_collection_modifyitems(items):
    """Mark every test that uses a database ``db``: ``pytest -m "not db"`` runs the pure ones."""
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def admin_engine():
    return create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    path = folder / "genba.sqlite3"
    migrate(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def pg_template():
    if not PG_URL:
        yield None
        return
    name = f"genba_tmpl_{uuid.uuid4().hex[:10]}"
    engine = admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    migrate(make_url(PG_URL).set(database=name).render_as_string(hide_password=False), "/tmp")
    yield name
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def database_from_template(pg_template):
    """Yield the URL of a fresh PostgreSQL database cloned from the migrated template, then drop it."""
    if not PG_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (.ci/run sets it)")
    name = f"genba_test_{uuid.uuid4().hex[:12]}"
    engine = admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, sqlite_template, pg_template):
    """A freshly migrated, empty database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "genba.sqlite3"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    yield from database_from_template(pg_template)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_database_url(request, tmp_path_factory, sqlite_template, pg_template):
    """One migrated database of each backend for a whole module, for tables of requests that are
    all refused: nothing one case does can change what another is answered."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("shared") / "genba.sqlite3"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    yield from database_from_template(pg_template)


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    """An unmigrated database, for tests of a migration."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'genba.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    name = f"genba_test_{uuid.uuid4().hex[:12]}"
    with admin_engine().connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin_engine().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_database(pg_template):
    """A freshly migrated PostgreSQL database (skipped without TEST_DATABASE_URL)."""
    yield from database_from_template(pg_template)


@pytest.fixture
def storage_settings():
    """Where attachment bytes go (the data folder; modules override it to run on S3 too)."""
    return {}


def insert_office_user(session):
    """The office user as the tables of an old migration hold one (today's model has columns
    added later, so no ORM object); returns its id. For tests upgrading to a past revision."""
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from server.core.models import User

    user_id = str(uuid.uuid4())
    session.execute(
        insert(User.__table__).values(
            id=user_id,
            login="office",
            name="伊藤 美咲",
            role="office",
            team="office",
            password_hash=generate_password_hash(PASSWORD, CHEAP_HASH),
            active=True,
        )
    )
    return user_id


def make_app(database_url, data_dir, **settings):
    """An app for tests on ``database_url``: no rate limits, cheap password hashing."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "GENBA_DATA_DIR": str(data_dir),
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": CHEAP_HASH,
            **settings,
        }
    )


@pytest.fixture
def sqlite_app(tmp_path, sqlite_template):
    """Build apps on one SQLite file of the test's own: ``build(**settings)`` -> (app, path)."""

    def build(**settings):
        path = tmp_path / "genba.sqlite3"
        if not path.exists():
            path.write_bytes(sqlite_template.read_bytes())
        app = make_app(f"sqlite:///{path}", tmp_path, **settings)
        built.append(app)
        return app, path

    built: list = []
    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(database_url, tmp_path, storage_settings):
    app = make_app(database_url, tmp_path, **storage_settings)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def bare_app(tmp_path_factory):
    """An app on a database it never opens, for tests that read no data (they run once)."""
    folder = tmp_path_factory.mktemp("bare")
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'unused.sqlite3'}",
            "GENBA_DATA_DIR": str(folder),
        }
    )


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3-protocol server on loopback (moto's standalone server) for the whole run."""
    import logging
    import socket

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 call otherwise
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "genba-test",
    "AWS_SECRET_ACCESS_KEY": "genba-test-secret",
    "AWS_DEFAULT_REGION": "ap-northeast-1",
}


@pytest.fixture
def s3_settings(s3_endpoint):
    """Settings putting attachment bytes in a fresh bucket of the loopback S3 server."""
    import boto3

    bucket = f"genba-test-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=S3_CREDENTIALS["AWS_DEFAULT_REGION"],
        aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    ).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_CREDENTIALS["AWS_DEFAULT_REGION"]}
    )
    return {"ATTACHMENT_STORAGE": f"s3://{bucket}/genba", "S3_ENDPOINT_URL": s3_endpoint, **S3_CREDENTIALS}


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def shared_client(shared_database_url, tmp_path_factory):
    """A client of one app per backend for the module, for tables of requests that are all
    refused (see ``shared_database_url``); sign in with ``Device(shared_client, login)``."""
    app = make_app(shared_database_url, tmp_path_factory.mktemp("shared"))
    yield app.test_client()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def people(app):
    """One user per role and team (made in the template database); login -> user id."""
    from sqlalchemy import select

    from server.core.models import User

    with app.app_context():
        ids = dict(db.session.execute(select(User.login, User.id)).all())
        db.session.remove()
    return ids


class Device(WireDevice):
    """A device of one user through a test client; raw answers are the test client's responses.

    Its clock is the wall clock plus ``clock_offset_ms``, which a test may set back; its pushes
    carry no ``client_time`` unless given.
    """

    def __init__(self, client, login, password=PASSWORD, device_id=None):
        self.clock_offset_ms = 0
        super().__init__(
            FlaskTransport(client),
            login,
            password,
            device_id,
            unsteady_clock=True,
            clock=lambda: int(time.time() * 1000) + self.clock_offset_ms,
        )

    @property
    def client(self):
        return self.wire.transport.client

    @client.setter
    def client(self, client):
        """Point the device at another app (a test may restore the server under it)."""
        self.wire.transport.client = client

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def push_raw(self, body):
        return self.wire.transport.open("POST", PUSH_PATH, body, self.token)

    def push(self, *mutations, **extra):
        response = self.push_raw({**self.wire.envelope(mutations, client_time=False), **extra})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["results"]

    def create(self, entity, **changes):
        """Create a record and return it as the server stored it."""
        result = self.push(self.mutation(entity, **changes))[0]
        assert result["status"] == "applied", result
        return result["record"]

    def update(self, entity, record, **changes):
        result = self.push(self.mutation(entity, record["id"], base_version=record["version"], **changes))[0]
        return result

    def pull(self, cursor=None, limit=None):
        """One page from ``cursor``, as the test client's response."""
        return self.wire.transport.open("GET", pull_path(cursor, limit), token=self.token)


def records_by_id(changes):
    """Fold a list of changes into the latest record per id (evictions remove)."""
    out = {}
    for change in changes:
        if change.get("evict"):
            out.pop(change["id"], None)
        else:
            record = change["record"]
            if record["id"] not in out or out[record["id"]]["version"] <= record["version"]:
                out[record["id"]] = record
    return out


@pytest.fixture
def device(client, people):
    """Make a signed-in device: ``device("rep_a")``."""
    return lambda login, **kwargs: Device(client, login, **kwargs)
