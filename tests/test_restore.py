"""A backup restores: a pg_dump of a database devices used comes back in a fresh database, and a
device converges on it (``scripts/restore-check.py``, the check docs/deploy.md tells operators
to run on their backups)."""

import subprocess

from sqlalchemy.engine import make_url

from conftest import PG_URL, Device
from live import BIN, ROOT
from server import create_app
from server.core.db import db


def test_a_dump_restored_into_a_fresh_database_gives_a_device_every_record(pg_database, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": pg_database,
            "GENBA_DATA_DIR": str(tmp_path),
            "RATELIMIT_ENABLED": False,
        }
    )
    rep = Device(app.test_client(), "rep_a")
    customer = rep.create("customers", name="バックアップ工業")
    rep.create("visits", customer_id=customer["id"], kind="sales", visited_at="2026-12-03T10:00:00+09:00")
    rep.push(rep.mutation("customers", customer["id"], op="delete", base_version=customer["version"]))
    rep.create("customers", name="残る製作所")
    dump = tmp_path / "genba.dump"
    with app.app_context():
        db.engine.dispose()
    source = make_url(pg_database).set(drivername="postgresql")
    subprocess.run(
        ["pg_dump", "-Fc", "-f", str(dump), source.render_as_string(hide_password=False)], check=True
    )

    checked = subprocess.run(
        [str(BIN / "python"), str(ROOT / "scripts" / "restore-check.py"), str(dump), "--server", PG_URL],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert checked.returncode == 0, checked.stderr
    assert "restored database converges" in checked.stdout


def test_after_a_restore_devices_that_saw_later_changes_pull_afresh(pg_database, tmp_path):
    import re

    from sqlalchemy import create_engine, text

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": pg_database,
            "GENBA_DATA_DIR": str(tmp_path),
            "RATELIMIT_ENABLED": False,
        }
    )
    rep = Device(app.test_client(), "rep_a")
    rep.create("customers", name="バックアップ前")
    dump = tmp_path / "genba.dump"
    subprocess.run(
        [
            "pg_dump",
            "-Fc",
            "-f",
            str(dump),
            make_url(pg_database).set(drivername="postgresql").render_as_string(hide_password=False),
        ],
        check=True,
    )
    rep.create("customers", name="バックアップ後")  # lost with the restore
    rep.sync()
    with app.app_context():
        db.engine.dispose()
    kept = subprocess.run(
        [
            str(BIN / "python"),
            str(ROOT / "scripts" / "restore-check.py"),
            str(dump),
            "--server",
            PG_URL,
            "--keep",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert kept.returncode == 0, kept.stderr
    name = re.search(r"kept the restored database (\S+)", kept.stdout).group(1)
    restored_url = make_url(pg_database).set(database=name).render_as_string(hide_password=False)
    try:
        restored = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": restored_url,
                "GENBA_DATA_DIR": str(tmp_path),
                "RATELIMIT_ENABLED": False,
            }
        )
        assert (
            "every device will pull afresh"
            in restored.test_cli_runner().invoke(args=["after-restore"]).output
        )
        rep.client = restored.test_client()
        Device(rep.client, "rep_b").create("customers", name="復元後")  # reuses the lost positions

        stale = rep.pull(rep.cursor)

        assert stale.status_code == 410 and stale.get_json()["reason"] == "cursor_expired"
        rep.cursor = None
        names = {c["record"]["name"] for c in rep.sync() if c["entity"] == "customers"}
        assert names == {"バックアップ前"}
        with restored.app_context():
            db.engine.dispose()
    finally:
        admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
