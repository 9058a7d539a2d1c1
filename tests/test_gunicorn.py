"""The wire contract end to end over HTTP, through real gunicorn with two workers."""

import contextlib
import os
import sqlite3
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import PASSWORD
from live import (
    BIN,
    ROOT,
    HttpDevice,
    free_port,
    occurrences,
    run_cli,
    server_env,
    start_gunicorn,
    stop,
    wait_until_serving,
)
from server.gunicorn_config import default_workers


@pytest.fixture
def server(database_url):
    with start_gunicorn(database_url, workers=2) as (base_url, _process):
        yield base_url


def visit_batch(device, name):
    customer = device.mutation("customers", name=name)
    visit = device.mutation(
        "visits",
        customer_id=customer["record_id"],
        kind="sales",
        visited_at="2026-11-27T10:00:00+09:00",
        purpose="新型治具の紹介",
    )
    return customer, visit


def test_a_visit_pushed_by_a_rep_reaches_the_office(server):
    rep, office = HttpDevice(server, "rep_a"), HttpDevice(server, "office")
    customer, visit = visit_batch(rep, "山田製作所")
    assert [r["status"] for r in rep.push(customer, visit)] == ["applied", "applied"]
    records = {c["record"]["id"]: c["record"] for c in office.sync()}
    assert records[customer["record_id"]]["name"] == "山田製作所"
    assert records[visit["record_id"]]["customer_id"] == customer["record_id"]
    assert records[visit["record_id"]]["author_id"] == rep.user["id"]


def test_a_push_retried_five_times_answers_duplicate_and_is_stored_once(server):
    rep, office = HttpDevice(server, "rep_a"), HttpDevice(server, "office")
    batch = visit_batch(rep, "一回だけ工業")
    first = rep.push(*batch)
    for _ in range(5):
        again = rep.push(*batch)
        assert [(r["status"], r["original_status"]) for r in again] == [("duplicate", "applied")] * 2
        assert [r["record"] for r in again] == [r["record"] for r in first]
    changes = office.sync()
    for mutation, result in zip(batch, first, strict=True):
        assert occurrences(changes, mutation["record_id"]) == 1
        [stored] = [c["record"] for c in changes if c["record"]["id"] == mutation["record_id"]]
        assert stored["version"] == result["record"]["version"] == 1


def test_one_push_sent_on_four_connections_at_once_is_applied_once(server):
    # A device that lost its connection may send a push again while the server still applies
    # the first: each try first takes it that nothing was sent before, the unique keys check it.
    rep, office = HttpDevice(server, "rep_a"), HttpDevice(server, "office")
    customer, _ = visit_batch(rep, "同時送信工業")
    visits = [
        rep.mutation(
            "visits",
            customer_id=customer["record_id"],
            kind="sales",
            visited_at="2026-12-05T09:00:00+09:00",
            purpose=f"同時{n}",
        )
        for n in range(30)
    ]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: rep.push(customer, *visits), range(4)))
    applied = [a for a in answers if {r["status"] for r in a} == {"applied"}]
    assert len(applied) == 1, [[r["status"] for r in a] for a in answers]
    for answer in answers:
        if answer is not applied[0]:
            assert {(r["status"], r["original_status"]) for r in answer} == {("duplicate", "applied")}
            assert [r["record"] for r in answer] == [r["record"] for r in applied[0]]
    changes = office.sync()
    for mutation in [customer, *visits]:
        assert occurrences(changes, mutation["record_id"]) == 1


def test_a_batch_with_one_invalid_mutation_applies_the_rest(server):
    rep, office = HttpDevice(server, "rep_a"), HttpDevice(server, "office")
    customer, _ = visit_batch(rep, "有効株式会社")
    invalid = rep.mutation(
        "visits", customer_id=customer["record_id"], kind="teleport", visited_at="2026-11-27T10:00:00"
    )
    contact = rep.mutation("contacts", customer_id=customer["record_id"], name="山本 太郎")
    results = rep.push(customer, invalid, contact)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert set(results[1]["errors"]) == {"kind", "visited_at"} and "record" not in results[1]
    stored = {c["record"]["id"] for c in office.sync()}
    assert {customer["record_id"], contact["record_id"]} <= stored
    assert invalid["record_id"] not in stored


@pytest.mark.db
def test_genba_db_upgrade_creates_the_schema_gunicorn_serves(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    url = f"sqlite:///{path}"
    upgrade = run_cli("db", "upgrade", database_url=url, folder=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    with contextlib.closing(sqlite3.connect(path)) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "records",
        "feed",
        "seen_mutations",
        "dead_letters",
        "users",
        "devices",
        "tokens",
        "scope_events",
        "alembic_version",
    } <= tables
    made = run_cli(
        "create-user",
        "sato",
        "--password",
        PASSWORD,
        "--role",
        "rep",
        "--team",
        "east",
        database_url=url,
        folder=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    with start_gunicorn(url, workers=2) as (base_url, _process):
        rep = HttpDevice(base_url, "sato")
        [result] = rep.push(rep.mutation("customers", name="新規顧客"))
        assert result["status"] == "applied"
        assert [c["record"]["name"] for c in rep.sync() if c["entity"] == "customers"] == ["新規顧客"]


def procfile_web(database_url, folder, env=None):
    """Start the Procfile's ``web`` line as a platform would: through a shell, with PORT set."""
    (line,) = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")]
    port = free_port()
    environment = server_env(database_url, folder)
    environment.pop("WEB_CONCURRENCY", None)
    environment.update({"PORT": str(port), "PATH": f"{BIN}:{environment['PATH']}", **(env or {})})
    log_path = Path(folder) / "web.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            ["bash", "-c", "exec " + line.removeprefix("web:").strip()],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}", log_path


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return f.read().split()


def test_the_procfile_starts_one_worker_per_core_on_sqlite_and_two_on_postgresql(database_url):
    cores = os.cpu_count() or 1
    expected = 2 * cores if database_url.startswith("postgresql") else cores
    with tempfile.TemporaryDirectory() as folder:
        process, base_url, log_path = procfile_web(database_url, folder)
        try:
            wait_until_serving(base_url, process, log_path)
            deadline = time.monotonic() + 30
            while len(children(process.pid)) != expected and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(children(process.pid)) == expected, log_path.read_text()
            rep = HttpDevice(base_url, "rep_a")
            [result] = rep.push(rep.mutation("customers", name="プロック工業"))
            assert result["status"] == "applied"
        finally:
            stop(process)


def test_a_bad_web_concurrency_is_named_and_no_server_starts(tmp_path):
    process, _, log_path = procfile_web(
        f"sqlite:///{tmp_path / 'genba.sqlite3'}", tmp_path, {"WEB_CONCURRENCY": "0"}
    )
    assert process.wait(timeout=30) != 0
    assert "WEB_CONCURRENCY must be a number of workers (1 or more), not '0'" in log_path.read_text()


@pytest.mark.parametrize("value", ["0", "３", "-1", "2.5"])
def test_web_concurrency_is_a_whole_number_of_workers(value):
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be a number of workers"):
        default_workers({"WEB_CONCURRENCY": value})


def test_web_concurrency_sets_the_workers_on_either_database():
    for url in ("sqlite:////tmp/x.sqlite3", "postgresql+psycopg://db/genba"):
        assert default_workers({"WEB_CONCURRENCY": " 3 ", "DATABASE_URL": url}, cores=2) == 3
    assert default_workers({"DATABASE_URL": "postgresql+psycopg://db/genba"}, cores=8) == 16
    assert default_workers({}, cores=8) == 8


def test_the_default_workers_on_postgresql_stay_within_its_connections():
    """Two per core would be 128 workers on a 64-core machine, past PostgreSQL's default
    max_connections of 100 from one node: new connections would be refused mid-request."""
    postgresql = {"DATABASE_URL": "postgresql+psycopg://db/genba"}
    assert [default_workers(postgresql, cores=n) for n in (1, 2, 8, 9, 64)] == [2, 4, 16, 16, 16]
    assert default_workers({**postgresql, "WEB_CONCURRENCY": "40"}, cores=64) == 40
    assert default_workers({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, cores=64) == 64
