"""Real processes for tests: gunicorn serving the app, and a device speaking HTTP to it."""

import contextlib
import http.client
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

from sync.client import PUSH_PATH, pull_path

from conftest import CHEAP_HASH, PASSWORD
from driver import WireDevice

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
GUNICORN = BIN / "gunicorn"
BOOT_TIMEOUT_S = 30


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url, folder, env=None):
    """The environment of a server process: its database, its own data folder, no rate limits."""
    out = dict(os.environ)
    out.update(
        {
            "DATABASE_URL": database_url,
            "GENBA_INSTANCE_PATH": str(folder),
            "GENBA_DATA_DIR": str(folder),
            "RATELIMIT_ENABLED": "0",
            "PASSWORD_HASH_METHOD": CHEAP_HASH,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    out.update(env or {})
    return out


@contextlib.contextmanager
def start_gunicorn(database_url, workers=2, env=None, app="server:create_app()", args=()):
    """Serve ``app`` with gunicorn on a free port; yield ``(base_url, process)``.

    The database must already be migrated: every worker calls ``create_app()``.
    """
    with tempfile.TemporaryDirectory(prefix="genba-gunicorn-") as folder:
        port = free_port()
        log_path = Path(folder) / "gunicorn.log"
        command = [
            str(GUNICORN),
            "--config",
            "python:server.gunicorn_config",
            "--no-control-socket",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "3",
            *args,
            app,
        ]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=server_env(database_url, folder, env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base_url, process, log_path)
            process.log_path = log_path
            yield base_url, process
        finally:
            stop(process)


def wait_until_serving(base_url, process, log_path):
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            status, _ = request(base_url, "GET", "/api/v1/openapi.json", timeout=2)
            if status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"gunicorn did not answer within {BOOT_TIMEOUT_S} s:\n{log_path.read_text()}")


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_cli(*args, database_url, folder, env=None):
    """Run the ``genba`` command; return the finished process (output in ``stdout``)."""
    return subprocess.run(
        [str(BIN / "genba"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=server_env(database_url, folder, env),
        timeout=60,
    )


def request(base_url, method, path, body=None, headers=None, timeout=60):
    """Send one request on a fresh connection; return ``(status, decoded JSON or text)``.

    A connection that closes without an answer raises ``ConnectionError`` or
    ``http.client.HTTPException``.
    """
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json"} if payload is not None else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw.decode(errors="replace")


class NoAnswer(Exception):
    """The server closed the connection or failed without a contract answer."""


class LiveTransport:
    """The reference client's transport over ``request``: answers as they came, text or JSON."""

    def __init__(self, base_url):
        self.base_url = base_url

    def request(self, method, path, body=None, token=None):
        return request(
            self.base_url, method, path, body, {"Authorization": f"Bearer {token}"} if token else {}
        )


class HttpDevice(WireDevice):
    """A device of one user, speaking the wire contract over real HTTP."""

    def __init__(self, base_url, login, password=PASSWORD, device_id=None):
        self.base_url = base_url
        super().__init__(LiveTransport(base_url), login, password, device_id, name="live test")

    def call(self, method, path, body=None):
        self.wire.transport.base_url = self.base_url  # a device may roam between servers
        return self.wire.transport.request(method, path, body, self.token)

    def push_raw(self, mutations):
        return self.call("POST", PUSH_PATH, self.wire.envelope(mutations))

    def push(self, *mutations):
        status, body = self.push_raw(mutations)
        assert status == 200, body
        return body["results"]

    def try_push(self, *mutations):
        """Push, raising ``NoAnswer`` when the connection dies or the answer is not a 200."""
        try:
            status, body = self.push_raw(mutations)
        except (OSError, http.client.HTTPException) as err:
            raise NoAnswer(repr(err)) from err
        if status != 200:
            raise NoAnswer(f"{status}: {body}")
        return body["results"]

    def pull(self, cursor=None):
        return self.call("GET", pull_path(cursor))


def occurrences(changes, record_id):
    """How many times a record comes in a list of changes."""
    return sum(1 for c in changes if not c.get("evict") and c["record"]["id"] == record_id)
