"""Serve the field app from ``pwa/``: the shell, its files, and the service worker at root."""
import os

from flask import Blueprint, send_from_directory

PWA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pwa")
bp = Blueprint("pwa", __name__)


@bp.get("/")
def index():
    response = send_from_directory(PWA_DIR, "index.html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    response = send_from_directory(PWA_DIR, "sw.js", mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/app/<path:filename>")
def asset(filename):
    return send_from_directory(PWA_DIR, filename)
