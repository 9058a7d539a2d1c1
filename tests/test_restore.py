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
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_database,
                      "GENBA_DATA_DIR": str(tmp_path), "RATELIMIT_ENABLED": False})
    rep = Device(app.test_client(), "rep_a")
    customer = rep.create("customers", name="バックアップ工業")
    rep.create("visits", customer_id=customer["id"], kind="sales", visited_at="2026-12-03T10:00:00+09:00")
    rep.push(rep.mutation("customers", customer["id"], op="delete", base_version=customer["version"]))
    rep.create("customers", name="残る製作所")
    dump = tmp_path / "genba.dump"
    with app.app_context():
        db.engine.dispose()
    source = make_url(pg_database).set(drivername="postgresql")
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), source.render_as_string(hide_password=False)],
                   check=True)

    checked = subprocess.run([str(BIN / "python"), str(ROOT / "scripts" / "restore-check.py"), str(dump),
                              "--server", PG_URL], capture_output=True, text=True, timeout=120)

    assert checked.returncode == 0, checked.stderr
    assert "restored database converges" in checked.stdout
