"""Serve the field app from ``pwa/``: the shell at ``/``, the service worker at ``/sw.js`` and
the shell's files under ``/app/v<version>/``, where the version is a hash of the files in ``pwa/``.

A file's URL changes with every version, so the current version's files are cached for a year
(``immutable``); the shell page and the worker are revalidated on every load (``no-cache``), which
is how a device learns of a new version.
"""

import functools
import hashlib
import os
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_from_directory

PWA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "pwa")
VERSION_PLACEHOLDER = "__GENBA_VERSION__"  # in sw.js, replaced by the version when served
APP_PLACEHOLDER = "{{APP}}"
YEAR = 365 * 24 * 3600
# The shell runs only its own scripts and styles; user text can never become markup or code.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob:; connect-src 'self'; manifest-src 'self'; "
    "worker-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
TYPES = {
    ".js": "text/javascript",
    ".webmanifest": "application/manifest+json",
    ".css": "text/css",
    ".png": "image/png",
    ".html": "text/html",
}

bp = Blueprint("pwa", __name__)


def pwa_dir():
    return current_app.config.get("PWA_DIR", PWA_DIR)


@functools.cache
def shell_version(folder):
    """Hash every file in ``folder`` (sorted paths, then bytes) into the app's version.

    It changes exactly when a file does, so nobody bumps a number by hand. Computed once per
    process (at start-up, below): a deploy restarts the server, and every worker of one deploy
    gets the same version because it depends on the content alone.
    """
    root = Path(folder)
    files = sorted((path.relative_to(root).as_posix(), path) for path in root.rglob("*") if path.is_file())
    digest = hashlib.sha256()
    for name, path in files:
        data = path.read_bytes()
        digest.update(b"%s\0%d\0" % (name.encode(), len(data)))
        digest.update(data)
    return digest.hexdigest()[:12]


# Hashed when the app is made, so no request waits for it.
bp.record_once(lambda state: shell_version(state.app.config.get("PWA_DIR", PWA_DIR)))


def app_prefix(version):
    return f"/app/v{version}"


@bp.get("/")
def index():
    folder = pwa_dir()
    with open(os.path.join(folder, "index.html"), encoding="utf-8") as page:
        html = page.read().replace(APP_PLACEHOLDER, app_prefix(shell_version(folder)))
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/sw.js")
def service_worker():
    """The worker with the version filled in: its bytes change whenever any file of the app does."""
    folder = pwa_dir()
    version = shell_version(folder)
    with open(os.path.join(folder, "sw.js"), encoding="utf-8") as worker:
        source = worker.read().replace(VERSION_PLACEHOLDER, version)
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(version)
    return response.make_conditional(request)


@bp.get("/app/v<version>/<path:filename>")
def asset(version, filename):
    """A file of the shell; long-cached when it belongs to the current version."""
    folder = pwa_dir()
    if filename in ("sw.js", "index.html"):
        abort(404)
    mimetype = TYPES.get(os.path.splitext(filename)[1])
    response = send_from_directory(folder, filename, mimetype=mimetype)
    if version == shell_version(folder):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        # An old page asking for its files after a deploy gets today's, which must not stick.
        response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
