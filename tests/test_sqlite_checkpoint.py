"""On SQLite, what the app commits is copied from the WAL into the database file by a thread of
the committing process, not inside a writer's COMMIT: the WAL stays small while devices push,
and the database file alone soon holds every commit."""

import fcntl
import logging
import os
import shutil
import sqlite3
import threading
import time

from conftest import Device
from live import HttpDevice, start_gunicorn
from server.core.db import Checkpointer

PUSHES, VISITS = 60, 40
# 60 pushes of 40 visits write about 3,200 WAL pages; SQLite's own checkpoint is held back to
# 10,000 pages, so without the thread the WAL is never started again and grows to 9 MB. With it,
# the WAL starts again from its beginning every few pushes (9-15 times in 60 here, 0.6-2.8 MB at
# most, beside six processes writing and syncing). How far the thread trails depends on the
# machine's load; past 1,000 pages (4 MB) it takes the writers' turn to catch up (before it did,
# the WAL once reached 6.6 MB in a CI run beside the browser tests). A restart, which SQLite's
# own checkpoint would not make below 10,000 pages, shows the thread at work, and the size bound
# that the WAL stays well short of what it would reach without it. How many restarts come is
# the machine's: 4-13 here with six busy loops and a disk kept syncing beside the test, and one
# in a CI run whose disk and cores the browser tests and PostgreSQL shared, so one is asked for.
WAL_BOUND = 6_500_000
LEAST_RESTARTS = 1


class WalWatch:
    """The WAL's largest size, and how many times it was started again from its beginning: each
    restart adds one to salt-1 of the WAL header (bytes 16-19), which every process shares."""

    def __init__(self, database):
        self.wal = database.with_name(database.name + "-wal")
        self.largest, self.restarts, self.salt = 0, 0, None

    def look(self):
        with self.wal.open("rb") as wal:
            salt = wal.read(20)[16:]
        self.restarts += self.salt is not None and salt != self.salt
        self.salt, self.largest = salt, max(self.largest, self.wal.stat().st_size)

    def assert_kept_small(self):
        seen = f"the WAL started again {self.restarts} times and grew to {self.largest} bytes"
        assert self.restarts >= LEAST_RESTARTS, seen
        assert self.largest < WAL_BOUND, seen


def visits(rep, customer, n):
    return [
        rep.mutation(
            "visits",
            customer_id=customer["id"],
            kind="phone",
            visited_at="2026-12-04T10:00:00+09:00",
            notes=f"点検 {n}-{i} ／ 油圧ユニットの異音を確認" * 4,
        )
        for i in range(VISITS)
    ]


def visits_in_file_alone(path, copy):
    """The visits a copy of the database file holds without its WAL (what a copy of the file
    by itself would restore). A copy made while a checkpoint writes the file can be torn, as any
    copy of a live database file: None then, and the caller looks again."""
    shutil.copy(path, copy)
    try:
        with sqlite3.connect(copy) as connection:
            if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                return None
            return connection.execute("SELECT count(*) FROM records WHERE entity = 'visits'").fetchone()[0]
    except sqlite3.DatabaseError:
        return None


def wait_for(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def waiting_for(lock_path):
    """Whether someone waits for the flock on ``lock_path`` (a "->" line of /proc/locks names
    the file's device and inode)."""
    stat = os.stat(lock_path)
    inode = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    with open("/proc/locks") as locks:
        return any("->" in line and "FLOCK" in line and inode in line.split() for line in locks)


def checkpoint_threads(path):
    return [t for t in threading.enumerate() if t.name == f"checkpoint {path}"]


def test_pushes_keep_the_wal_small_and_reach_the_database_file(sqlite_app, tmp_path):
    app, path = sqlite_app()
    rep = Device(app.test_client(), "rep_a")
    customer = rep.create("customers", name="株式会社チェック")
    watch = WalWatch(path)
    for n in range(PUSHES):
        results = rep.push(*visits(rep, customer, n))
        assert {r["status"] for r in results} == {"applied"}
        watch.look()
    watch.assert_kept_small()
    assert wait_for(lambda: visits_in_file_alone(path, tmp_path / "copy.sqlite3") == PUSHES * VISITS)


def test_a_thread_outpaced_by_writers_takes_their_turn_to_catch_up(tmp_path):
    """A reader's snapshot stops the checkpoint short of the WAL's end, as writers appending
    during it would: the thread then waits for the writers' turn (an app's writer holds it
    here), copies the rest, and the next writer starts the WAL again."""
    path, lock_path = tmp_path / "genba.sqlite3", tmp_path / "genba.sqlite3-writer.lock"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE records (entity TEXT, body BLOB)")
    writer.executemany("INSERT INTO records VALUES ('visits', randomblob(3000))", [()] * 1_200)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM records").fetchone() == (1_200,)
    writer.execute("INSERT INTO records VALUES ('visits', randomblob(3000))")
    watch = WalWatch(path)
    watch.look()
    writers_turn = os.open(lock_path, os.O_RDWR | os.O_CREAT)

    def write_in_turn():
        fcntl.flock(writers_turn, fcntl.LOCK_EX)
        writer.execute("INSERT INTO records VALUES ('visits', randomblob(10))")
        watch.look()
        fcntl.flock(writers_turn, fcntl.LOCK_UN)
        return watch.restarts > 0

    fcntl.flock(writers_turn, fcntl.LOCK_EX)  # a writer's turn, held
    Checkpointer(str(path), str(lock_path)).committed()
    # the first checkpoint stops at the snapshot, and the thread waits for the turn
    assert wait_for(lambda: waiting_for(lock_path))
    reader.close()
    time.sleep(0.2)
    writer.execute("INSERT INTO records VALUES ('visits', randomblob(10))")
    watch.look()
    assert not watch.restarts  # the thread waits for the turn
    fcntl.flock(writers_turn, fcntl.LOCK_UN)
    assert wait_for(write_in_turn, 5)
    os.close(writers_turn)
    writer.close()


def test_the_thread_ends_when_idle_and_starts_with_the_next_commit(sqlite_app, monkeypatch, tmp_path):
    monkeypatch.setattr(Checkpointer, "IDLE_SECONDS", 0.5)  # long enough to be seen running on a busy machine
    app, path = sqlite_app()
    rep = Device(app.test_client(), "rep_a")
    customer = rep.create("customers", name="株式会社アイドル")
    assert checkpoint_threads(path)
    assert wait_for(lambda: not checkpoint_threads(path), 5)
    rep.push(*visits(rep, customer, 0))
    assert checkpoint_threads(path)
    assert wait_for(lambda: visits_in_file_alone(path, tmp_path / "copy.sqlite3") == VISITS)


def test_a_checkpoint_that_fails_is_logged_and_tried_again_with_the_next_commit(tmp_path, caplog):
    checkpointer = Checkpointer(str(tmp_path / "no such folder" / "genba.sqlite3"))
    with caplog.at_level(logging.ERROR, logger="server.core.db"):
        checkpointer.committed()
        assert wait_for(lambda: checkpointer.running_in is None, 5)
    assert "WAL checkpoint of" in caplog.text and "no such folder" in caplog.text
    (tmp_path / "no such folder").mkdir()
    sqlite3.connect(tmp_path / "no such folder" / "genba.sqlite3").close()
    caplog.clear()
    checkpointer.committed()  # the next commit starts a thread again, which now succeeds
    assert checkpointer.running_in is not None
    time.sleep(0.3)
    assert checkpointer.running_in is not None and not caplog.text


def test_behind_gunicorn_each_worker_keeps_the_wal_small(sqlite_template, tmp_path):
    path = tmp_path / "genba.sqlite3"
    shutil.copy(sqlite_template, path)
    watch = WalWatch(path)
    with start_gunicorn(f"sqlite:///{path}", workers=2) as (base_url, _process):
        reps = [HttpDevice(base_url, "rep_a"), HttpDevice(base_url, "rep_b")]
        customers = [
            rep.push(rep.mutation("customers", name=f"{n}号工業"))[0]["record"] for n, rep in enumerate(reps)
        ]
        for n in range(PUSHES):
            rep, customer = reps[n % 2], customers[n % 2]
            assert {r["status"] for r in rep.push(*visits(rep, customer, n))} == {"applied"}
            watch.look()
        watch.assert_kept_small()
        assert wait_for(lambda: visits_in_file_alone(path, tmp_path / "copy.sqlite3") == PUSHES * VISITS)
        with sqlite3.connect(path) as connection:  # the database itself, read as the app reads it
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
