"""The app with two crash faults, for gunicorn in tests only (``tests.faulty_app:app``).

Each fault fires once, on a push, when its marker file exists, and deletes the marker first so
the retry goes through:

- ``GENBA_FAULT_KILL_BEFORE_COMMIT`` names a marker: the worker is killed when the push's
  transaction is about to commit, every statement sent but nothing committed;
- ``GENBA_FAULT_KILL_AFTER_COMMIT`` names a marker: the worker is killed after the push
  committed and its answer is ready, before a byte of the answer is sent.
"""

import os
import signal

from flask import has_request_context, request
from sqlalchemy import event

from server import create_app
from server.core.db import db

PUSH_PATH = "/api/v1/sync/push"


def take_marker(variable):
    """Delete the marker file named by ``variable``; return whether it was there."""
    path = os.environ.get(variable)
    if not path:
        return False
    try:
        os.remove(path)
    except FileNotFoundError:
        return False
    return True


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def kill_before_commit(_connection):
    if has_request_context() and request.path == PUSH_PATH and take_marker("GENBA_FAULT_KILL_BEFORE_COMMIT"):
        die()


def kill_after_commit(wsgi_app):
    """Wrap a WSGI app: hold the push's answer and die instead of sending it, once."""

    def middleware(environ, start_response):
        if environ.get("PATH_INFO") != PUSH_PATH:
            return wsgi_app(environ, start_response)
        started = []
        body = wsgi_app(
            environ, lambda status, headers, exc_info=None: started.append((status, headers, exc_info))
        )
        try:
            chunks = list(body)
        finally:
            getattr(body, "close", lambda: None)()
        if take_marker("GENBA_FAULT_KILL_AFTER_COMMIT"):
            die()
        start_response(*started[-1])
        return chunks

    return middleware


app = create_app()
with app.app_context():
    event.listen(db.engine, "commit", kill_before_commit)
app.wsgi_app = kill_after_commit(app.wsgi_app)
