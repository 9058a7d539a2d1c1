#!/usr/bin/env python3
"""Check a backup: restore a pg_dump into a fresh database and check a device converges on it.

Restores the dump (``pg_dump -Fc``) into a new scratch database on the server, applies the
migrations (a dump from an older release comes up to this one), signs in a throwaway admin
device, pulls everything to the end and compares what the device holds with the records the
database says it may read, then pulls again from its cursor and expects nothing new. The
scratch database is dropped unless ``--keep``.

Run: ``.venv/bin/python scripts/restore-check.py backup.dump [--server postgresql+psycopg://...]``
"""

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, false, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def options():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dump", help="a pg_dump in the custom format (-Fc)")
    p.add_argument(
        "--server",
        default=os.environ.get("RESTORE_CHECK_SERVER", DEFAULT_SERVER),
        help="a PostgreSQL server URL (its database is only used to create the scratch one)",
    )
    p.add_argument("--keep", action="store_true", help="keep the restored database")
    return p.parse_args()


def restore(server, dump):
    """Create a scratch database, restore the dump into it; return its SQLAlchemy URL."""
    name = f"genba_restore_check_{secrets.token_hex(5)}"
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server).set(database=name)
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run(
        ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "-d", libpq, dump],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"pg_restore failed:\n{done.stderr}")
    return url.render_as_string(hide_password=False), name


def drop(server, name):
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def pull_all(client, headers, cursor=None):
    """Pull to the end; return ``({(entity, id): version}, cursor, changes seen)``."""
    held, seen = {}, 0
    while True:
        response = client.get(
            "/api/v1/sync/pull", query_string={"cursor": cursor} if cursor else {}, headers=headers
        )
        if response.status_code != 200:
            raise SystemExit(f"pull answered {response.status_code}: {response.get_json()}")
        body = response.get_json()
        for change in body["changes"]:
            seen += 1
            if change.get("evict"):
                held.pop((change["entity"], change["id"]), None)
            else:
                record = change["record"]
                key = (change["entity"], record["id"])
                if record.get("deleted"):
                    held.pop(key, None)
                else:
                    held[key] = record["version"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return held, cursor, seen


def check(url):
    """Sign in a throwaway admin device on ``url`` and check it converges; return a summary."""
    import flask_migrate

    from sync.models import Record
    from sync.read import readable

    from server import create_app
    from server.core.db import db, writing_session
    from server.core.engine import ENGINE, actor
    from server.core.users import create_user

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "GENBA_DATA_DIR": folder, "RATELIMIT_ENABLED": False}
        )
        login, password = f"restore-check-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
        with app.app_context():
            flask_migrate.upgrade()
            session = writing_session()
            user = create_user(session, login, password, "admin", "office", "restore check")
            session.commit()
            user_id = user.id
        client = app.test_client()
        device_id = str(uuid.uuid4())
        signed_in = client.post(
            "/api/v1/auth/token",
            json={"login": login, "password": password, "device": {"id": device_id, "name": "restore check"}},
        )
        if signed_in.status_code != 200:
            raise SystemExit(f"sign-in on the restored database failed: {signed_in.get_json()}")
        headers = {"Authorization": f"Bearer {signed_in.get_json()['token']}"}
        held, cursor, seen = pull_all(client, headers)
        again, _, more = pull_all(client, headers, cursor)
        with app.app_context():
            reader = actor(user_id, "admin", "office", device_id)
            stored = {
                (entity, rid): version
                for entity, rid, version in db.session.execute(
                    select(Record.entity, Record.id, Record.version).where(
                        Record.deleted == false(), Record.compacted == false(), readable(ENGINE, reader)
                    )
                )
            }
            db.session.remove()
            db.engine.dispose()
    if held != stored:
        missing = sorted(set(stored) - set(held))[:5]
        extra = sorted(set(held) - set(stored))[:5]
        raise SystemExit(f"the device did not converge: missing {missing}, not in the database {extra}")
    if more:
        raise SystemExit(f"a pull from the device's cursor brought {more} changes more")
    return f"restored database converges: a device holds all {len(held)} live records ({seen} changes pulled)"


def main():
    a = options()
    url, name = restore(a.server, a.dump)
    try:
        print(check(url))
    finally:
        if a.keep:
            print(f"kept the restored database {name}")
        else:
            drop(a.server, name)


if __name__ == "__main__":
    main()
