"""Statements of the push's hot path run straight through the database driver.

A push of 100 runs a handful of reads and bulk writes. Through SQLAlchemy each costs more in
Python (the compiled statement's cache, expanding ``IN`` lists, result rows) than the database
takes for it; through the driver's own cursor it costs a call. The statements are written once
for each database, with ``?`` for parameters, and their errors come out as SQLAlchemy's, as a
statement's would: the push's retries (a deadlock, a lost connection) see no difference.
"""

import contextlib
from collections import namedtuple

from sqlalchemy.exc import DBAPIError

MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def rows(connection, sql, params):
    """Run a query written with ``?`` marks in the connection's transaction; return its rows
    as tuples."""
    return run(connection, sql, params, fetch=True)


def run(connection, sql, params, fetch=False, many=False):
    """Run a statement written with ``?`` marks in the connection's transaction, once or (with
    ``many``) once for each parameter tuple; return its rows if ``fetch``."""
    mark = MARKS[connection.dialect.paramstyle]
    if mark != "?":
        sql = sql.replace("?", mark)
    with errors_as_sqlalchemy(connection, sql):
        cursor = connection.connection.driver_connection.cursor()
        try:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
            return cursor.fetchall() if fetch else None
        finally:
            cursor.close()


@contextlib.contextmanager
def errors_as_sqlalchemy(connection, sql):
    """Raise the driver's errors as SQLAlchemy's ``DBAPIError`` family, invalidating the
    connection when it was lost (the pool then connects afresh)."""
    dbapi = connection.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as err:
        raw = connection.connection.driver_connection
        lost = connection.dialect.is_disconnect(err, raw, None)
        if lost:
            connection.invalidate(err)
        raise DBAPIError.instance(sql, None, err, dbapi.Error, connection_invalidated=lost) from err


class Query:
    """A Core ``select`` whose first row is read straight through psycopg on PostgreSQL.

    Through SQLAlchemy, each execution also builds the result's metadata from the cursor's
    description, which psycopg builds afresh each time: for the token check's fifteen columns,
    about 60 of its 205 us in process. psycopg already gives these columns their Python types
    (aware datetimes, booleans, integers, text), so its tuple, named by the select's columns,
    is the row SQLAlchemy gives. That holds for plain columns only: a select of a type that
    SQLAlchemy converts on the way out (JSON, an enum, a ``TypeDecorator``) must not use this.
    Elsewhere (SQLite's driver hands back datetimes as text) the statement goes through
    SQLAlchemy as before.
    """

    def __init__(self, statement):
        self.statement = statement
        self.row = namedtuple("Row", [column.key for column in statement.selected_columns])  # type: ignore[misc]
        self.compiled: tuple[str, dict] | None = None  # psycopg's SQL and the bound defaults

    def first(self, connection, params):
        """The first row for ``params`` in the connection's transaction, or None."""
        dialect = connection.dialect
        if dialect.name != "postgresql":
            return connection.execute(self.statement, params).first()
        if self.compiled is None:
            compiled = self.statement.compile(dialect=dialect)
            self.compiled = (compiled.string, dict(compiled.params))
        sql, defaults = self.compiled
        with errors_as_sqlalchemy(connection, sql):
            cursor = connection.connection.driver_connection.cursor()
            try:
                cursor.execute(sql, {**defaults, **params})
                found = cursor.fetchone()
            finally:
                cursor.close()
        return None if found is None else self.row(*found)
