"""The database handle, SQLite set up to be safe with several writers, and a request's
transactions kept few (each costs round trips on PostgreSQL)."""

import errno
import fcntl
import logging
import os
import sqlite3
import threading
import time
from functools import wraps
from pathlib import Path

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event, exc

from sync.models import Base

db = SQLAlchemy(model_class=Base)
# A pooled connection unused this long is pinged before it is handed out again; a busy one
# is not (a ping per checkout was a round trip per transaction). One broken while in use (a
# database restart) fails its request with a 503 and takes the pool's other connections
# with it, so the next request reconnects.
PING_AFTER_IDLE_SECONDS = 10
WRITE, SNAPSHOT = "write", "snapshot"


def configure_sqlite(engine, busy_timeout_ms):
    """Take over pysqlite's transactions: WAL, fsync on commit, and BEGIN IMMEDIATE for writers.

    Python's sqlite3 begins transactions lazily; a read-merge-write in such a transaction can
    lose a concurrent update or fail at once with "database is locked". A session that will
    write asks for ``execution_options(sqlite_begin="IMMEDIATE")`` and holds the write lock
    from its first read; readers begin DEFERRED and never block writers under WAL.
    """

    lock = WriterLock.beside(engine.url.database)
    checkpointer = Checkpointer(engine.url.database, lock.path) if lock is not None else None

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        if lock is not None:
            lock.open(dbapi_connection)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        if checkpointer is not None:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {Checkpointer.FALLBACK_PAGES}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # 16 MB of pages per connection rather than 2: a push inserts into several indexes at
        # random places (UUID keys), and past 2 MB each insert read its page back from the OS.
        cursor.execute("PRAGMA cache_size = -16000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == "IMMEDIATE":
            begin_writing(connection, busy_timeout_ms, lock)
        else:
            connection.exec_driver_sql(f"BEGIN {mode}")

    if lock is not None:
        lock.release_after(engine, checkpointer)


WRITER_POLL_SECONDS = 0.0005


def begin_writing(connection, busy_timeout_ms, lock=None):
    """``BEGIN IMMEDIATE``, once this process's turn among the app's writers has come.

    The app's writers (every worker, thread, CLI and job runner on this database) queue on
    ``lock``, a file lock beside the database: a writer waiting for it sleeps in the kernel and
    wakes when the holder commits. Waiting in SQLite instead was slow twice over. Its busy
    handler sleeps 1, 2, 5, 10, 15, 20, 25 ms between tries, so the lock sat idle between
    writers; trying again every half millisecond kept it busy but spent the waiting worker's
    CPU on failed ``BEGIN IMMEDIATE`` statements, on a machine whose cores the holder needs.

    Anyone else writing to the file (the sqlite3 shell, a backup) is still waited for, polled
    every half millisecond for at most ``busy_timeout_ms``; only this statement waits so, every
    other one keeps SQLite's busy timeout.
    """
    deadline = time.monotonic() + busy_timeout_ms / 1000
    driver = connection.connection.driver_connection
    if lock is not None:
        lock.acquire(driver, deadline)
    cursor = driver.cursor()
    cursor.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except exc.OperationalError as err:
                if "locked" not in str(err.orig) or time.monotonic() >= deadline:
                    if lock is not None:
                        lock.release(driver)
                    raise
            time.sleep(WRITER_POLL_SECONDS)
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.close()


class WriterLock:
    """The app's writers' turn on one SQLite file: an exclusive ``flock`` on a file beside it.

    Each connection opens the file itself (a lock held through one open file is not shared with
    the process's other threads), takes the lock before ``BEGIN IMMEDIATE`` and lets it go once
    its COMMIT or ROLLBACK has returned. A process that dies lets go with its files.
    """

    def __init__(self, path):
        self.path = path
        self.files: dict[int, int] = {}  # id of the driver's connection -> its lock file
        self.held: set[int] = set()

    @classmethod
    def beside(cls, database):
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return cls(database + "-writer.lock")

    def open(self, driver):
        self.files[id(driver)] = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def acquire(self, driver, deadline):
        """Wait for the lock until ``deadline`` (``time.monotonic()``); raise SQLite's "database
        is locked" past it, as a busy timeout would."""
        descriptor = self.files[id(driver)]
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held.add(id(driver))
                return
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:
                raise exc.OperationalError(
                    "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
                )
            # Blocking here would wait past the deadline; a tenth of a millisecond's sleep
            # costs the waiter one system call a try, and the lock is idle at most that long.
            time.sleep(WRITER_TURN_POLL_SECONDS)

    def release(self, driver):
        if id(driver) in self.held:
            self.held.discard(id(driver))
            fcntl.flock(self.files[id(driver)], fcntl.LOCK_UN)

    def close(self, driver):
        self.release(driver)
        descriptor = self.files.pop(id(driver), None)
        if descriptor is not None:
            os.close(descriptor)

    def release_after(self, engine, checkpointer=None):
        """Let go of the lock after every COMMIT and ROLLBACK of the engine's connections,
        whoever ends the transaction (the session, the pool's reset on check-in); after a
        COMMIT, wake ``checkpointer``."""
        dialect = engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(connection):
            try:
                commit(connection)
            finally:
                self.release_when_done(connection)
            if checkpointer is not None:
                checkpointer.committed()

        def do_rollback(connection):
            try:
                rollback(connection)
            finally:
                self.release_when_done(connection)

        dialect.do_commit, dialect.do_rollback = do_commit, do_rollback

        @event.listens_for(engine.pool, "close")
        @event.listens_for(engine.pool, "close_detached")
        def on_close(dbapi_connection, *_):
            self.close(dbapi_connection)

    def release_when_done(self, connection):
        driver = getattr(connection, "driver_connection", connection)
        if not driver.in_transaction:
            self.release(driver)


WRITER_TURN_POLL_SECONDS = 0.0001


class Checkpointer:
    """Copies committed pages from the WAL back into the database file, off the writers' path.

    SQLite's own checkpoint runs inside the COMMIT that takes the WAL past 1,000 pages: about
    every tenth push of 100 visits, whose COMMIT then took 9 ms more (copying the pages and
    the database file's fsync) while the app's writer lock was held. Here, each COMMIT wakes a
    thread of the committing process, which runs a PASSIVE checkpoint on a connection of its
    own: it waits for no reader or writer and copies what it can, and the next writer starts
    the WAL from its beginning once all of it is copied. Writers meanwhile append to the WAL
    as before; what they commit is durable in the WAL whatever the checkpoint does.

    The thread gathers commits before it copies: it waits up to ``GATHER_SECONDS`` after the
    first, or until ``GATHER_COMMITS`` have come, so that one checkpoint copies each page the
    commits share (the indexes' inner pages, the feed's row) once and syncs the database file
    once for all of them. Checkpointing after every commit took a fifth of the worker's samples
    (py-spy) and its fsync per push competed with the commits' own; gathered, pushes of 100
    were 0.2-0.6 ms faster each in five paired runs (push_ab.py), and 8 devices pushing at once
    10-17 % faster in three of them (within the noise in two later, noisier ones). The WAL
    meanwhile holds at most a few pushes more than before.

    A checkpoint that writers outpace never ends with all of the WAL copied, and the WAL is then
    never started again: pushing back to back while the disk was slow to sync (a CI run beside
    the browser tests), the WAL grew to 6.6 MB. So when a checkpoint ends short of the end of a
    WAL past ``CATCH_UP_PAGES``, the thread takes the writers' turn (``lock_path``) for one
    more checkpoint, which copies the rest while no one appends, and the next writer
    starts the WAL again. Writers wait for it only when the thread has fallen behind.

    SQLite's own checkpoint stays on, at ``FALLBACK_PAGES``, for a WAL this thread does not
    keep small (a process that exits right after its commit, say). The thread ends after
    ``IDLE_SECONDS`` without a commit and starts again with the next one, in whichever
    process (a forked worker starts its own).
    """

    FALLBACK_PAGES = 10_000
    IDLE_SECONDS = 10.0
    GATHER_COMMITS = 4
    GATHER_SECONDS = 0.1
    CATCH_UP_PAGES = 1_000

    def __init__(self, path, lock_path=None):
        self.path, self.lock_path = path, lock_path
        self.guard = threading.Lock()
        self.wake = threading.Event()
        self.running_in: int | None = None  # the process whose thread is running
        self.gathered = threading.Event()  # set once GATHER_COMMITS wait for a checkpoint
        self.pending = 0  # commits since the last checkpoint began

    def committed(self):
        with self.guard:
            if self.running_in != os.getpid():
                self.running_in = os.getpid()
                self.wake, self.gathered, self.pending = threading.Event(), threading.Event(), 0
                threading.Thread(target=self.run, name=f"checkpoint {self.path}", daemon=True).start()
            self.pending += 1
            if self.pending >= self.GATHER_COMMITS:
                self.gathered.set()
            self.wake.set()

    def run(self):
        connection = None
        try:
            # mode=rw: a database that is gone is not made again, empty, by this thread
            where = Path(os.path.abspath(self.path)).as_uri() + "?mode=rw"
            connection = sqlite3.connect(where, uri=True, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA synchronous = FULL")
            while True:
                if not self.wake.wait(self.IDLE_SECONDS):
                    with self.guard:
                        if not self.wake.is_set():
                            self.running_in = None
                            return
                self.gathered.wait(self.GATHER_SECONDS)
                with self.guard:
                    self.wake.clear()
                    self.gathered.clear()
                    self.pending = 0
                [(_busy, pages, copied)] = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                if pages > self.CATCH_UP_PAGES and copied < pages and self.lock_path is not None:
                    self.catch_up(connection)
        except (sqlite3.Error, OSError):
            logging.getLogger(__name__).exception("WAL checkpoint of %s failed", self.path)
            with self.guard:
                self.running_in = None
        finally:
            if connection is not None:
                connection.close()

    def catch_up(self, connection):
        descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)  # a writer's turn: waits for the one writing
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            os.close(descriptor)  # lets go of the lock


def ping_when_idle(engine, idle_seconds=PING_AFTER_IDLE_SECONDS):
    """Ping a pooled connection at checkout only when it sat unused ``idle_seconds``."""

    @event.listens_for(engine.pool, "connect")
    @event.listens_for(engine.pool, "checkin")
    def note_use(_dbapi_connection, record):
        if record is not None:
            record.info["used_at"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get("used_at", 0) < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as err:
            raise exc.DisconnectionError() from err  # the pool connects afresh and tries again


def one_transaction(kind):
    """Begin the request's transaction for ``kind`` (``WRITE`` or ``SNAPSHOT``) before the
    token check, so the check and the view share it: one BEGIN and one end, not two.

    Put it above ``token_required``. On PostgreSQL only: a token check is one indexed read
    there, in whatever transaction; SQLite's writer holds the database's one write lock,
    which a token check must not take.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if db.engine.dialect.name == "postgresql":
                session = db.session()
                if session.in_transaction():
                    session.rollback()
                if kind == SNAPSHOT:
                    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                else:
                    session.begin()
                session.info["shared"] = (kind, session.get_transaction())
            return view(*args, **kwargs)

        return wrapper

    return decorator


def shared_transaction(session, kind):
    """Whether the session is still in the transaction ``one_transaction`` began for ``kind``."""
    kind_begun, transaction = session.info.get("shared", (None, None))
    return kind_begun == kind and transaction is not None and transaction is session.get_transaction()


def writing_session():
    """Return the request's session in a fresh transaction begun for writing.

    Any read transaction still open (a token check, say) is ended first: on SQLite a write
    must not start from an older read snapshot. The transaction ``one_transaction(WRITE)``
    began is kept: on PostgreSQL each statement reads afresh.
    """
    session = db.session()
    if shared_transaction(session, WRITE):
        return session
    if session.in_transaction():
        session.rollback()
    if db.engine.dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    return session
