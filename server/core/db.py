"""The database handle, SQLite set up to be safe with several writers, and a request's
transactions kept few (each costs round trips on PostgreSQL)."""

import time
from functools import wraps

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

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # 16 MB of pages per connection rather than 2: a push inserts into several indexes at
        # random places (UUID keys), and past 2 MB each insert read its page back from the OS.
        cursor.execute("PRAGMA cache_size = -16000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == "IMMEDIATE":
            begin_writing(connection, busy_timeout_ms)
        else:
            connection.exec_driver_sql(f"BEGIN {mode}")


WRITER_POLL_SECONDS = 0.0005


def begin_writing(connection, busy_timeout_ms):
    """``BEGIN IMMEDIATE``, trying again every half millisecond while another writer holds the
    lock, for at most ``busy_timeout_ms``.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25 ms between tries: a writer that
    comes while another holds the lock for 15 ms tries again only at 18 ms, and by then the
    other worker has often begun its next write. Writers queued so had the lock idle between
    them; eight devices pushing at once to two workers went a fifth slower than the lock
    allows. Only this statement waits so: every other one keeps SQLite's busy timeout.
    """
    cursor = connection.connection.driver_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 0")
    try:
        deadline = time.monotonic() + busy_timeout_ms / 1000
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except exc.OperationalError as err:
                if "locked" not in str(err.orig) or time.monotonic() >= deadline:
                    raise
            time.sleep(WRITER_POLL_SECONDS)
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.close()


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
