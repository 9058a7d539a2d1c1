"""Statements of the push's hot path run straight through the database driver.

A push of 100 runs a handful of reads and bulk writes. Through SQLAlchemy each costs more in
Python (the compiled statement's cache, expanding ``IN`` lists, result rows) than the database
takes for it; through the driver's own cursor it costs a call. The statements are written once
for each database, with ``?`` for parameters, and their errors come out as SQLAlchemy's, as a
statement's would: the push's retries (a deadlock, a lost connection) see no difference.
"""

import contextlib

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
