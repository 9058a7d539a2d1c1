"""The database handle, and SQLite set up to be safe with several writers."""

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event

from sync.models import Base

db = SQLAlchemy(model_class=Base)


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
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def writing_session():
    """Return the request's session in a fresh transaction begun for writing.

    Any read transaction still open (a token check, say) is ended first: on SQLite a write
    must not start from an older read snapshot.
    """
    session = db.session()
    if session.in_transaction():
        session.rollback()
    if db.engine.dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    return session
