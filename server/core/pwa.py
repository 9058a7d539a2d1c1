"""Serve the field app from ``pwa/``: the shell at ``/``, the service worker at ``/sw.js`` and
the shell's files under ``/app/v<N>/``, where ``N`` is the ``VERSION`` in ``pwa/sw.js``.

A file's URL changes with every version, so the current version's files are cached for a year
(``immutable``); the shell page and the worker are revalidated on every load (``no-cache``), which
is how a device learns of a new version.
"""
import os
import re

from flask import Blueprint, Response, abort, current_app, send_from_directory

PWA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "pwa")
VERSION_PATTERN = re.compile(r"^const VERSION = (\d+);", re.MULTILINE)
APP_PLACEHOLDER = "{{APP}}"
YEAR = 365 * 24 * 3600
# The shell runs only its own scripts and styles; user text can never become markup or code.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data: blob:; connect-src 'self'; manifest-src 'self'; "
                           "worker-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")
TYPES = {".js": "text/javascript", ".webmanifest": "application/manifest+json",
         ".css": "text/css", ".png": "image/png", ".html": "text/html"}

bp = Blueprint("pwa", __name__)


def pwa_dir():
    return current_app.config.get("PWA_DIR", PWA_DIR)


def shell_version(folder):
    """The ``VERSION`` the service worker in ``folder`` declares."""
    with open(os.path.join(folder, "sw.js"), encoding="utf-8") as worker:
        match = VERSION_PATTERN.search(worker.read())
    if match is None:
        raise RuntimeError("pwa/sw.js must declare `const VERSION = <integer>;`")
    return int(match.group(1))


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
    response = send_from_directory(pwa_dir(), "sw.js", mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/app/v<int:version>/<path:filename>")
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
