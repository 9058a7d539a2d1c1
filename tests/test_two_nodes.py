"""Two gunicorn nodes on one PostgreSQL, one Redis and one S3 bucket behave as one server.

Failed sign-ins sent to alternating nodes are throttled as if by one. Devices send each request
to either node at random: pushes, pulls and photo uploads in parts. Then node A is SIGKILLed
(master and workers) while a push and an upload are in flight on it: the push, sent again to node B, is applied once, and
the upload continues on node B from the bytes the bucket kept. Afterwards every device's replica
equals a fresh pull, every record exists once with the versions its edits made, and every photo
is complete.
"""

import contextlib
import hashlib
import http.client
import os
import random
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from sync.models import DeadLetter, Record, SeenMutation

from card_images import cards
from conftest import PG_URL
from live import BIN, HttpDevice, NoAnswer, request, server_env, start_gunicorn
from test_kill import workers_of

pytestmark = pytest.mark.skipif(not PG_URL, reason="two nodes share one PostgreSQL: set TEST_DATABASE_URL")
# A database of its own for each pytest-xdist worker (gw0: 11, gw1: 12, …).
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{11 + WORKER}")
ACTIVITY_S = 6
ANSWER_WITHIN_S = 30
FAILURES_ALLOWED = 5


@pytest.fixture
def redis_url():
    """A Redis database of its own (flushed before and after; no other is touched)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"the two-node test needs Redis at {REDIS_URL} (.ci/run starts it)")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


class Cluster:
    """The nodes by name; requests go to a live one at random."""

    def __init__(self, nodes):
        self.nodes = nodes  # name -> (base_url, master process)
        self.alive = list(nodes)
        self.rng = random.Random(7)
        self.lock = threading.Lock()

    def url(self, name=None):
        with self.lock:
            return self.nodes[name or self.rng.choice(self.alive)][0]

    def kill(self, name):
        """SIGKILL a node: its master and every worker, at once."""
        master = self.nodes[name][1]
        with self.lock:
            self.alive.remove(name)
        for pid in [*workers_of(master.pid), master.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        master.wait()


@pytest.fixture
def cluster(pg_database, redis_url, s3_settings):
    env = {
        "REDIS_URL": redis_url,
        "RATELIMIT_ENABLED": "1",
        "LOGIN_RATE_LIMIT": "10 per minute",
        **s3_settings,
    }
    with (
        start_gunicorn(pg_database, workers=2, env={**env, "SERVER_NODE": "node-a"}) as a,
        start_gunicorn(pg_database, workers=2, env={**env, "SERVER_NODE": "node-b"}) as b,
        background_worker(pg_database, {**env, "SERVER_NODE": "worker"}),
    ):
        yield Cluster({"a": a, "b": b}), pg_database


@contextlib.contextmanager
def background_worker(database_url, env):
    """``genba worker``, the Procfile's worker process, on the same database and bucket."""
    with tempfile.TemporaryDirectory(prefix="genba-worker-") as folder:
        with open(os.path.join(folder, "worker.log"), "wb") as log:
            process = subprocess.Popen(
                [str(BIN / "genba"), "worker"],
                env=server_env(database_url, folder, env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            yield process
        finally:
            process.kill()
            process.wait()


def card_read_through(device, customer_id, deadline_s=90):
    """Upload a business card to a node at random; the worker reads it from the bucket and the
    suggestions come back by pull. Return the attachment as pulled."""
    data, _ = cards(1, seed=15)[0]
    card = device.mutation(
        "attachments",
        customer_id=customer_id,
        owner_entity="customers",
        owner_id=customer_id,
        purpose="business_card",
        content_type="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    device.push_until_applied(card)
    send_photo(device, card["record_id"], data, random.Random(7))
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        device.pull_into_replica()
        if device.replica[card["record_id"]].get("card_status") in ("done", "failed"):
            return device.replica[card["record_id"]]
        time.sleep(0.5)
    raise AssertionError(f"the worker did not read the card within {deadline_s} s")


class RoamingDevice(HttpDevice):
    """A device whose every request goes to a node picked at random, retried until answered."""

    def __init__(self, cluster, login):
        self.cluster = cluster
        self.replica = {}
        super().__init__(cluster.url(), login)

    def call(self, method, path, body=None):
        self.base_url = self.cluster.url()
        return super().call(method, path, body)

    def until_answered(self, call):
        deadline = time.monotonic() + ANSWER_WITHIN_S
        while True:
            try:
                return call()
            except (NoAnswer, OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def push_until_applied(self, *mutations):
        results = self.until_answered(lambda: self.try_push(*mutations))
        assert {(r["status"], r.get("original_status", "applied")) for r in results} <= {
            ("applied", "applied"),
            ("duplicate", "applied"),
        }, results
        return results

    def pull_into_replica(self):
        def pull():
            status, body = self.pull(self.cursor)
            if status != 200:
                raise NoAnswer(f"{status}: {body}")
            return body

        while True:
            body = self.until_answered(pull)
            for change in body["changes"]:
                if change.get("evict"):
                    self.replica.pop(change["id"], None)
                else:
                    self.replica[change["record"]["id"]] = change["record"]
            self.cursor = body["cursor"]
            if not body["has_more"]:
                return

    def upload(self, attachment_id, data, start, end, url=None):
        """PUT bytes ``start..end-1`` to a node; return ``(status, Upload-Offset)``."""
        return put_bytes(url or self.cluster.url(), self.token, attachment_id, data, start, end)


def put_bytes(base_url, token, attachment_id, data, start, end):
    """PUT ``data[start:end]`` of a file of ``len(data)`` bytes; with ``start`` None, an empty
    part (``bytes */size``, ``end`` the size) that asks the node to finish the file."""
    parsed = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        connection.request(
            "PUT",
            f"/api/v1/attachments/{attachment_id}/content",
            body=data[start:end] if start is not None else b"",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {start}-{end - 1}/{len(data)}"
                if start is not None
                else f"bytes */{end}",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status, int(response.headers.get("Upload-Offset", -1))
    finally:
        connection.close()


def get_bytes(device, attachment_id):
    parsed = urllib.parse.urlsplit(device.cluster.url())
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        connection.request(
            "GET",
            f"/api/v1/attachments/{attachment_id}/content",
            headers={"Authorization": f"Bearer {device.token}"},
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def upload_offset(device, attachment_id):
    return upload_state(device, attachment_id)[0]


def upload_state(device, attachment_id):
    """``(Upload-Offset, Upload-Complete)`` as a node answers ``HEAD``."""
    parsed = urllib.parse.urlsplit(device.cluster.url())
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        connection.request(
            "HEAD",
            f"/api/v1/attachments/{attachment_id}/content",
            headers={"Authorization": f"Bearer {device.token}"},
        )
        response = connection.getresponse()
        return int(response.headers["Upload-Offset"]), response.headers.get("Upload-Complete") == "?1"
    finally:
        connection.close()


def photo_bytes(rng, size):
    """Bytes the server takes as a JPEG (its magic bytes, then noise)."""
    return b"\xff\xd8\xff\xe0" + rng.randbytes(size - 4)


class Activity:
    """One device's random pushes, pulls and uploads, and what the server must hold afterwards."""

    def __init__(self, device, seed):
        self.device, self.rng = device, random.Random(seed)
        self.expected = {}  # record id -> (entity, version, notes)
        self.photos = {}  # attachment id -> bytes
        self.sent = []

    def step(self):
        roll = self.rng.random()
        own = [rid for rid, (entity, _, _) in self.expected.items() if entity == "customers"]
        if roll < 0.5 or not own:
            self.push_batch(own)
        elif roll < 0.75:
            self.device.pull_into_replica()
        else:
            self.add_photo(self.rng.choice(own))

    def push_batch(self, own):
        mutations = []
        for n in range(self.rng.randint(1, 3)):
            if own and self.rng.random() < 0.5:
                rid = self.rng.choice(own)
                entity, version, _ = self.expected[rid]
                notes = f"{self.device.login} {len(self.sent)} {n}"
                mutations.append(self.device.mutation("customers", rid, base_version=version, notes=notes))
                self.expected[rid] = (entity, version + 1, notes)
            else:
                mutation = self.device.mutation(
                    "customers", name=f"{self.device.login} 顧客 {len(self.sent)}"
                )
                mutations.append(mutation)
                self.expected[mutation["record_id"]] = ("customers", 1, None)
        self.sent += [m["mutation_id"] for m in mutations]
        self.device.push_until_applied(*mutations)

    def add_photo(self, customer_id):
        data = photo_bytes(self.rng, self.rng.randint(20_000, 200_000))
        visit, mutation = photo_mutations(self.device, customer_id, data)
        self.sent += [visit["mutation_id"], mutation["mutation_id"]]
        self.expected[visit["record_id"]] = ("visits", 1, None)
        self.device.push_until_applied(visit, mutation)
        self.photos[mutation["record_id"]] = data
        send_photo(self.device, mutation["record_id"], data, self.rng)

    def run(self, until, errors):
        try:
            while time.monotonic() < until:
                self.step()
        except Exception as err:  # noqa: BLE001 - reported by the test
            errors.append(err)


def photo_mutations(device, customer_id, data):
    """A visit and a photo of it."""
    visit = device.mutation(
        "visits", customer_id=customer_id, kind="aftercare", visited_at="2026-12-03T10:00:00+09:00"
    )
    return visit, device.mutation(
        "attachments",
        customer_id=customer_id,
        owner_entity="visits",
        owner_id=visit["record_id"],
        filename="写真.jpg",
        content_type="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def send_photo(device, attachment_id, data, rng):
    """Send a photo in parts, each to a node at random, resuming from the offset it reports."""
    deadline = time.monotonic() + ANSWER_WITHIN_S
    while time.monotonic() < deadline:
        try:
            start, complete = upload_state(device, attachment_id)
            if complete:
                return
            if start >= len(data):
                # Every byte is stored, but the node that took the last part died before it
                # marked the file uploaded: the app then sends an empty part to finish it.
                put_bytes(device.cluster.url(), device.token, attachment_id, b"", None, len(data))
                continue
            end = min(len(data), start + rng.randint(len(data) // 3, len(data)))
            device.upload(attachment_id, data, start, end)
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)
    raise AssertionError(f"photo {attachment_id} was not complete within {ANSWER_WITHIN_S} s")


def start_request(base_url, head, body_part):
    """Send a request's head and the first part of its body; leave the connection open."""
    parsed = urllib.parse.urlsplit(base_url)
    sock = socket.create_connection((parsed.hostname, parsed.port))
    sock.sendall(head + body_part)
    return sock


def request_head(method, path, token, length, **headers):
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: Bearer {token}",
        f"Content-Length: {length}",
        *[f"{k.replace('_', '-')}: {v}" for k, v in headers.items()],
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def failed_sign_ins_alternating_nodes(nodes, count):
    return [
        request(
            nodes.url("ab"[attempt % 2]),
            "POST",
            "/api/v1/auth/token",
            {"login": "ghost", "password": "wrong", "device": {"id": str(uuid.uuid4()), "name": "x"}},
        )[0]
        for attempt in range(count)
    ]


def test_devices_roaming_between_two_nodes_converge_when_one_is_killed_mid_push_and_mid_upload(cluster):
    import json

    nodes, database_url = cluster
    roamers = [RoamingDevice(nodes, login) for login in ("rep_a2", "rep_b", "office")]
    activities = [Activity(device, seed) for seed, device in enumerate(roamers)]
    witness = RoamingDevice(nodes, "rep_a")
    fresh = {device.login: RoamingDevice(nodes, device.login) for device in [*roamers, witness]}
    # Sign-in throttling (10 a minute here) counts across both nodes, in Redis.
    assert failed_sign_ins_alternating_nodes(nodes, 12) == [401] * 10 + [429, 429]
    errors = []
    until = time.monotonic() + ACTIVITY_S
    threads = [threading.Thread(target=a.run, args=(until, errors)) for a in activities]
    for thread in threads:
        thread.start()

    # In flight on node A when it dies: a push (whole request sent, answer never read) and the
    # second part of a photo (half its body sent).
    time.sleep(ACTIVITY_S / 2)
    customer = witness.mutation("customers", name="落ちたノードの顧客")
    photo = photo_bytes(random.Random(99), 3_000_000)
    visit, attachment = photo_mutations(witness, customer["record_id"], photo)
    witness.push_until_applied(customer, visit, attachment)
    first = 1_000_000
    assert witness.upload(attachment["record_id"], photo, 0, first, nodes.url("a")) == (200, first)
    edit = witness.mutation("customers", customer["record_id"], base_version=1, notes="最後の編集")
    push_body = json.dumps({"device_id": witness.id, "mutations": [edit]}).encode()
    in_flight = [
        start_request(
            nodes.url("a"),
            request_head(
                "POST", "/api/v1/sync/push", witness.token, len(push_body), Content_Type="application/json"
            ),
            push_body,
        ),
        start_request(
            nodes.url("a"),
            request_head(
                "PUT",
                f"/api/v1/attachments/{attachment['record_id']}/content",
                witness.token,
                len(photo) - first,
                Content_Type="application/octet-stream",
                Content_Range=f"bytes {first}-{len(photo) - 1}/{len(photo)}",
            ),
            photo[first:2_000_000],
        ),
    ]
    time.sleep(0.3)
    nodes.kill("a")
    for sock in in_flight:
        sock.close()

    [resent] = witness.push_until_applied(edit)
    assert resent["record"]["version"] == 2 and resent["record"]["notes"] == "最後の編集"
    resume_at = upload_offset(witness, attachment["record_id"])
    assert resume_at == first  # what the bucket kept; the half part died with node A
    assert witness.upload(attachment["record_id"], photo, resume_at, len(photo)) == (200, len(photo))
    for thread in threads:
        thread.join(timeout=ACTIVITY_S + 2 * ANSWER_WITHIN_S)
    assert errors == []

    # Every replica equals a fresh pull of the same user.
    for device in [*roamers, witness]:
        device.pull_into_replica()
        fresh[device.login].pull_into_replica()
        assert device.replica == fresh[device.login].replica, device.login
    office = roamers[2].replica
    for activity in activities:
        for rid, (_entity, version, notes) in activity.expected.items():
            assert office[rid]["version"] == version, rid
            if notes is not None:
                assert office[rid]["notes"] == notes, rid
        for attachment_id, data in activity.photos.items():
            assert office[attachment_id]["uploaded"], attachment_id
            assert get_bytes(roamers[2], attachment_id) == (200, data)
    assert get_bytes(witness, attachment["record_id"]) == (200, photo)
    assert office[attachment["record_id"]]["uploaded"]

    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            seen = session.execute(select(SeenMutation.mutation_id)).scalars().all()
            twice = (
                session.execute(select(Record.id).group_by(Record.id).having(func.count() > 1))
                .scalars()
                .all()
            )
            dead = session.execute(select(func.count()).select_from(DeadLetter)).scalar()
    finally:
        engine.dispose()
    sent = [m for a in activities for m in a.sent] + [
        m["mutation_id"] for m in (customer, visit, attachment, edit)
    ]
    assert sorted(seen) == sorted(sent) and twice == [] and dead == 0
    print(
        f"\n{sum(len(a.sent) for a in activities)} mutations and "
        f"{sum(len(a.photos) for a in activities)} photos through two nodes"
    )

    # The worker process reads a card uploaded through the node that is left, from the bucket.
    read = card_read_through(witness, customer["record_id"])
    assert read["card_status"] == "done" and read["card"]["phone"], read
