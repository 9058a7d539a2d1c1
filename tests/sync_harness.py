"""The world the sync properties run in: a server with a clock of its own, devices signed in
once, a network with faults, and an oracle of what the server applied and the devices heard."""

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select, update

from sync import clockstore
from sync.client import Client, FlaskTransport
from sync.compact import compact_tombstones
from sync.models import DeadLetter, Feed, Record, ScopeEvent, SeenMutation

from conftest import PASSWORD
from server.core.db import db, writing_session
from server.core.engine import ENGINE
from server.core.models import Device as SignedDevice, User

PUSH_PATH = "/api/v1/sync/push"
ROOT, SCOPE_FIELD, REDIRECT_FIELD = "customers", "customer_id", "merged_into"
FOLLOWS = {(ROOT, "team"): "owner_id"}  # a new owner brings their team unless the change names one
APPLIED = {"applied", "merged"}
REQUESTS_PER_STEP = 400  # a step's sync that takes more has looped (a 410 on every page, say)


def now_ms():
    return int(time.time() * 1000)


class Crashed(Exception):
    """The app died after the server answered: what it had not taken in is gone."""


# --- the world of one test: a server (one backend) and signed-in devices --------------------


class World:
    """The server of one test, its clock, and the devices signed in on it once for all examples."""

    def __init__(self, app, client, people):
        self.app, self.transport, self.people = app, FlaskTransport(client), people
        self.signed = {}  # (login, slot) -> (device_id, token, user): signing in is slow on purpose
        with app.app_context():
            feed = db.session.get(Feed, 1)
            self.feed = {"seq": feed.seq, "hlc": feed.hlc, "compacted_seq": feed.compacted_seq}
            # An example may change people's roles and teams: the next one starts from these.
            self.directory = [
                dict(r._mapping)
                for r in db.session.execute(select(Record.__table__).where(Record.entity == "users"))
            ]
            self.roles = {u.id: (u.role, u.team) for u in db.session.execute(select(User)).scalars()}
            db.session.remove()
        self.clock_ms = now_ms()
        self.stats = Counter()

    def now(self):
        return self.clock_ms

    def reset(self):
        """Forget every synced record but the user directory, as right after migration."""
        self.clock_ms = now_ms()
        with self.app.app_context():
            db.session.remove()
            with db.engine.begin() as conn:
                conn.execute(delete(Record))
                conn.execute(insert(Record.__table__), self.directory)
                for user_id, (role, team) in self.roles.items():
                    conn.execute(update(User).where(User.id == user_id).values(role=role, team=team))
                for table in (ScopeEvent, SeenMutation, DeadLetter):
                    conn.execute(delete(table))
                conn.execute(update(SignedDevice).values(pulled_seq=0))
                conn.execute(update(Feed).where(Feed.id == 1).values(**self.feed))

    def client(self, transport, login, slot, clock=None, batch_size=500):
        """A client object of a device signed in once per test (its token, as an app keeps it)."""
        if (login, slot) not in self.signed:
            first = Client(self.transport, login, PASSWORD)
            first.sign_in()
            self.signed[login, slot] = (first.device_id, first.token, first.user)
        device_id, token, user = self.signed[login, slot]
        client = Client(transport, login, PASSWORD, device_id=device_id, clock=clock, batch_size=batch_size)
        client.token, client.user = token, user
        return client

    def admin(self, method, path, body=None):
        """A request of the admin, online."""
        return self.transport.request(method, path, body, self.client(self.transport, "admin", 0).token)

    def time(self):
        """``time.time`` on the server's clock, for the server code that reads it."""
        return self.clock_ms / 1000

    def compact(self):
        """Compact every tombstone (their ids are kept)."""
        return compact(self.app, datetime.fromtimestamp(self.clock_ms / 1000, UTC))

    def records(self):
        """Every record the server stores, tombstones included: (entity, id) -> record."""
        with self.app.app_context():
            rows = db.session.execute(select(Record.entity, Record.id, Record.data, Record.compacted)).all()
            twice = (
                db.session.execute(select(Record.id).group_by(Record.id).having(func.count() > 1))
                .scalars()
                .all()
            )
            db.session.remove()
        assert twice == [], f"record ids stored twice: {twice}"
        return {  # a compacted tombstone keeps a few fields at most (a merged root's survivor)
            (entity, rid): {**json.loads(data or "{}"), "deleted": True, "compacted": True}
            if compacted
            else json.loads(data)
            for entity, rid, data, compacted in rows
        }

    def clocks(self, key):
        """A record's stored per-field clocks, ``{field: [hlc, version, device, user]}``."""
        with self.app.app_context():
            text = db.session.execute(
                select(Record.clocks).where(Record.entity == key[0], Record.id == key[1])
            ).scalar()
            db.session.remove()
        return clockstore.unpack(text) if text else {}


# --- what the server did, and what the devices heard ------------------------------------------


@dataclass
class Application:
    """The first time the server applied a mutation (every later send answers ``duplicate``)."""

    device_id: str
    mutation: dict
    status: str
    version: int | None  # the record's version right after it (None: not handed back)
    landed: tuple  # the record it was applied to: a merged customer's survivor, or the one named
    # Applied without a new version: every value it wrote was the record's already (a
    # reassignment to the owner a customer has). A later write that saw that version and
    # replaced the value replaced what this one wrote too, and no conflict is due.
    unchanged: bool = False

    @property
    def named(self):
        return (self.mutation["entity"], self.mutation["record_id"])


def version_written(clocks, m, device_id):
    """The version an applied write that was not handed back (its device had just lost the
    record's scope) gave the record, read from the field clocks its push left: the highest on a
    field it wrote that its device wrote last. Too high if the same device wrote the field
    again in the same push, which makes fewer later writes count as having seen it: the check
    is then stricter, never looser. None if another device's write holds every such field."""
    names = ["deleted"] if m["op"] == "delete" else list(m["changes"])
    versions = [clocks[n][1] for n in names if n in clocks and clocks[n][2] == device_id]
    return max(versions, default=None)


@dataclass
class Oracle:
    first: dict = field(default_factory=dict)  # (device_id, mutation_id) -> Application
    acknowledged: list = field(default_factory=list)  # (device_id, mutation as the device sent it)
    rejected: list = field(default_factory=list)  # (login, mutation, errors)
    merged: dict = field(default_factory=dict)  # merged root id -> the root it was merged into
    versions: dict = field(default_factory=dict)  # record -> the highest version answered for it

    def answered(self, login, body, answer, clocks=None):
        """The server answered a push, whether or not the device hears the answer; ``clocks``
        reads a record's stored field clocks as the push left them."""
        assert len(answer["results"]) == len(body["mutations"])
        for m, result in zip(body["mutations"], answer["results"], strict=True):
            assert result["mutation_id"] == m["mutation_id"], (m, result)
            key = (body["device_id"], m["mutation_id"])
            if result["status"] == "duplicate":
                assert key in self.first, f"duplicate of a mutation never applied: {m}"
                assert result["original_status"] == self.first[key].status, (m, result)
                continue
            assert key not in self.first, f"mutation applied twice: {m} -> {result}"
            record = result.get("record")
            named = (m["entity"], m["record_id"])
            landed = (m["entity"], record["id"]) if record else named
            before = self.versions.get(landed)
            version = record["version"] if record else None
            if version is None and result["status"] in APPLIED and clocks is not None:
                version = version_written(clocks(landed), m, body["device_id"])
            self.first[key] = Application(
                body["device_id"],
                m,
                result["status"],
                version,
                landed,
                unchanged=result["status"] == "applied"
                and record is not None
                and record["version"] == before,
            )
            if record is not None:
                self.versions[landed] = max(record["version"], before or 0)
            if result["status"] == "rejected":
                self.rejected.append((login, m, result["errors"]))

    def heard(self, device_id, mutations, results):
        """The device took these answers in: what it sent is acknowledged unless rejected."""
        for m, result in zip(mutations, results, strict=False):  # an app that died took in only these
            if result.get("original_status", result["status"]) in APPLIED:
                self.acknowledged.append((device_id, m))

    def deletes(self):
        return sum(1 for a in self.first.values() if a.mutation["op"] == "delete" and a.version)

    def upserts_of(self, key):
        """Applied upserts that named ``key`` and were applied to it (not redirected)."""
        return [
            a
            for a in self.first.values()
            if a.status in APPLIED and a.mutation["op"] == "upsert" and a.named == a.landed == key
        ]

    def lost(self, server):
        """Acknowledged writes the final state neither holds nor explains."""
        conflicts = [r for (entity, _), r in server.items() if entity == "conflicts"]
        out = []
        for device_id, m in self.acknowledged:
            first = self.first[device_id, m["mutation_id"]]
            key = (m["entity"], m["record_id"])
            if key not in server:  # a create the server applied to the record it stands for
                key = first.landed
            # Versions count on the record the write landed on: a merged customer's survivor.
            seen_by = [
                a
                for a in self.upserts_of(first.landed)
                if first.version is not None and (a.mutation["base_version"] or 0) >= first.version
            ]
            if m["op"] == "delete":
                if first.version is not None and not server[key]["deleted"] and not seen_by:
                    out.append(("delete undone", key, m["mutation_id"]))
                continue
            if server[key].get("compacted"):
                continue  # deleted long ago: what it held is gone by design, and it stays gone
            if first.unchanged:
                continue
            lands_on = self.lands_on(key)
            for name, value in m["changes"].items():
                if any(self.kept(server, conflicts, k, name, value) for k in lands_on if k in server):
                    continue
                later_own = [  # a redirected write is no device's own on the survivor
                    a
                    for a in self.upserts_of(first.landed)
                    if a.device_id == device_id
                    and a.mutation["hlc"] > m["hlc"]
                    and first.named == first.landed
                ]
                if any(writes(a.mutation, name) for a in later_own + seen_by):
                    continue
                out.append(
                    ("write lost", key, name, value, m["mutation_id"], "server has", server[key].get(name))
                )
        return out

    def survivors(self, root_id):
        """A root and every root it was merged into since, in order."""
        chain = [root_id]
        while chain[-1] in self.merged and len(chain) < 16:
            chain.append(self.merged[chain[-1]])
        return chain

    def lands_on(self, key):
        """The records a write to ``key`` may have landed on: a merged root's go to its survivor."""
        if key[0] != ROOT:
            return [key]
        return [(ROOT, root_id) for root_id in self.survivors(key[1])]

    def kept(self, server, conflicts, key, name, value):
        """Whether the record ``key`` holds ``value`` in ``name``, or a conflict kept it."""
        held = server[key].get(name)
        if held == value or (
            name == SCOPE_FIELD and isinstance(value, str) and held in self.survivors(value)
        ):
            return True
        return any(
            c["entity"] == key[0]
            and c["record_id"] == key[1]
            and (
                (c["field"] == name and c["lost_value"] == value)
                or (
                    c["field"] == "deleted"
                    and isinstance(c["lost_value"], dict)
                    and c["lost_value"].get(name) == value
                )
            )
            for c in conflicts
        )


def writes(mutation, name):
    """Whether a mutation writes a field, itself or as one that follows another it names."""
    follows = FOLLOWS.get((mutation["entity"], name))
    return name in mutation["changes"] or (follows is not None and follows in mutation["changes"])


class Network:
    """The wire between one device and the server, with the faults field networks have."""

    def __init__(self, world, oracle, device):
        self.world, self.oracle, self.device = world, oracle, device
        self.fault, self.keep = None, 0
        self.late = []  # pushes whose answer was lost, or that were lost on the way: (body, token)
        self.crashed = False
        self.budget = REQUESTS_PER_STEP

    def request(self, method, path, body=None, token=None):
        if self.crashed:
            raise Crashed()
        self.budget -= 1
        assert self.budget >= 0, f"{method} {path}: a sync that never ends (the server keeps answering)"
        fault, self.fault = self.fault, None
        if path != PUSH_PATH:
            status, answer = self.world.transport.request(method, path, body, token)
            if fault == "lost_response":
                raise ConnectionResetError("the answer to a pull was lost")
            return status, answer
        if fault == "lost_request":
            self.late.append((body, token))
            raise ConnectionResetError("the push was lost on the way")
        status, answer = self.send(body, token)
        if fault == "duplicate" and status == 200:
            status, answer = self.send(body, token)
            assert {r["status"] for r in answer["results"]} == {"duplicate"}, answer
        elif fault == "lost_response":
            self.late.append((body, token))
            raise ConnectionResetError("the answer to a push was lost")
        elif fault == "crash" and status == 200:
            self.crashed = True  # the app takes in the first ``keep`` answers, then dies
            answer = {**answer, "results": answer["results"][: self.keep]}
        if status == 200:
            self.oracle.heard(body["device_id"], body["mutations"], answer["results"])
        return status, answer

    def send(self, body, token):
        status, answer = self.world.transport.request("POST", PUSH_PATH, body, token)
        assert status in (200, 409), (status, answer)
        if status == 200:
            self.oracle.answered(self.device.login, body, answer, self.world.clocks)
        return status, answer


@dataclass(repr=False)
class Device:
    world: World
    login: str
    slot: int
    skew_ms: int
    batch_size: int
    network: Network = None
    client: Client = None

    def clock(self):
        return self.world.now() + self.skew_ms

    def shows(self, *entities):
        """Live records as the user sees them (unanswered edits laid over), by (entity, id)."""
        replica = self.client.replica
        keys = set(replica.records) | {(e.entity, e.record_id) for e in replica.outbox}
        out = {}
        for key in sorted(keys):
            if key[0] in entities:
                record = self.client.view(*key)
                if record and not record.get("deleted"):
                    out[key] = record
        return out

    def unsent(self):
        return [e.wire() for e in self.client.replica.outbox if e.sent_revision is None]

    def __repr__(self):
        return f"{self.login}#{self.slot}"


def conflict_order(device, key):
    """Conflict ids derive from random mutation ids: order conflicts by what they are about."""
    c = device.client.view(*key)
    return (c["entity"], c["record_id"], c["field"], json.dumps(c["lost_value"], sort_keys=True))


def live_records(client):
    return {k: r for k, r in client.replica.records.items() if not r.get("deleted")}


def differences(mine, theirs, server):
    out = []
    for key in sorted(set(mine) | set(theirs)):
        a, b = mine.get(key), theirs.get(key)
        if a is None or b is None:
            out.append(
                (
                    key,
                    "only on the device" if b is None else "missing on the device",
                    "device has",
                    a or b,
                    "server has",
                    server.get(key),
                )
            )
        elif a != b:
            out.append((key, {f: (a.get(f), b.get(f)) for f in set(a) | set(b) if a.get(f) != b.get(f)}))
    return out


def compact(app, before):
    """``genba compact``: forget the content of tombstones last changed before ``before``."""
    with app.app_context():
        session = writing_session()
        count = compact_tombstones(session, ENGINE, before)
        session.commit()
        db.session.remove()
    return count
