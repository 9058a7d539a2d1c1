"""A reference sync client: the same protocol as the field app, over an injected transport.

It keeps a replica of the records in its user's scope, an outbox of unanswered mutations and
a hybrid logical clock. Tests, benchmarks and tooling drive the server through it, so the
protocol rules are written once:

- saving applies the change locally and queues a mutation; edits of a record whose mutation
  was never sent collapse into it; one that was sent, even if no answer came (the server may
  have applied it), is never changed: a later edit gets a mutation of its own;
- an outbox entry is removed only once the server answered for it, and only if it did not
  change while it was being sent; a ``rejected`` one moves to ``rejected`` for the user;
- a pull keeps the newer of what the replica holds and what arrives; an eviction removes a
  record unless the outbox still holds edits of it; a 410 pulls afresh and keeps the outbox.
"""

import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

from . import hlc as hlcs
from .digest import record_hash, summarise
from .protocol import CURRENT as PROTOCOL

EMPTY = {"count": 0, "sum": "0"}
TOKEN_PATH = "/api/v1/auth/token"
PUSH_PATH = "/api/v1/sync/push"
PULL_PATH = "/api/v1/sync/pull"


def new_id():
    """A new record or mutation id as the app makes them (pwa/js/ids.js): a UUID of version 7,
    the time in milliseconds first, so the server's indexes take consecutive ids together."""
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # the RFC's variant
    return str(uuid.UUID(int=value))


def mutation(entity, record_id, op, base_version, changes, hlc, mutation_id=None):
    """Spell one mutation as the wire contract does (a fresh ``mutation_id`` unless given)."""
    return {
        "mutation_id": mutation_id or new_id(),
        "entity": entity,
        "record_id": record_id,
        "op": op,
        "base_version": base_version,
        "changes": dict(changes),
        "hlc": hlc,
    }


def pull_path(cursor=None, limit=None, digest=False):
    """The path of one pull page."""
    query = {"digest": "true"} if digest else {}
    if cursor:
        query["cursor"] = cursor
    if limit:
        query["limit"] = limit
    return PULL_PATH + ("?" + urllib.parse.urlencode(query) if query else "")


class SyncError(Exception):
    """The server answered with an error; ``status`` and ``body`` say which."""

    def __init__(self, status, body):
        super().__init__(f"{status}: {body.get('message') if isinstance(body, dict) else body}")
        self.status = status
        self.body = body if isinstance(body, dict) else {}

    @property
    def reason(self):
        return self.body.get("reason")


class HttpTransport:
    """JSON over HTTP to a running server."""

    def __init__(self, base_url, timeout=30):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def request(self, method, path, body=None, token=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("Genba-Protocol", str(PROTOCOL))
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as err:
            payload = err.read()
            try:
                return err.code, json.loads(payload)
            except ValueError:
                return err.code, {"message": payload.decode(errors="replace")}


class FlaskTransport:
    """The same calls through a Flask test client (no sockets)."""

    def __init__(self, client):
        self.client = client

    def request(self, method, path, body=None, token=None):
        response = self.open(method, path, body, token)
        return response.status_code, response.get_json(silent=True) or {}

    def open(self, method, path, body=None, token=None):
        """Send one request; return the test client's response itself."""
        headers = {"Genba-Protocol": str(PROTOCOL)}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(path, method=method, json=body, headers=headers)


@dataclass
class OutboxEntry:
    mutation_id: str
    entity: str
    record_id: str
    op: str
    base_version: int | None
    changes: dict
    hlc: str
    revision: int = 0
    sent_revision: int | None = None
    sent_once: bool = False  # the server may have applied it: never fold new edits into it

    def wire(self):
        return mutation(
            self.entity, self.record_id, self.op, self.base_version, self.changes, self.hlc, self.mutation_id
        )


@dataclass
class Replica:
    """What a device holds: records by (entity, id), the outbox, the cursor and the clock."""

    records: dict = field(default_factory=dict)
    outbox: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    cursor: str | None = None
    last_hlc: str = hlcs.ZERO
    evict_when_sent: set = field(default_factory=set)


class Client:
    """One device of one user.

    A client with an ``unsteady_clock`` stamps each mutation with its wall clock as it stands
    (a counter keeps stamps apart) instead of after its last value: a test sets such a clock
    back to send an edit older than one already sent.
    """

    def __init__(
        self,
        transport,
        login,
        password,
        device_id=None,
        clock=None,
        batch_size=500,
        device_name=None,
        unsteady_clock=False,
    ):
        self.transport = transport
        self.login = login
        self.password = password
        self.device_id = device_id or str(uuid.uuid4())
        self.device_name = device_name or f"reference client {login}"
        self.clock = clock or (lambda: int(time.time() * 1000))
        self.unsteady_clock = unsteady_clock
        self.ticks = 0
        self.batch_size = batch_size
        self.replica = Replica()
        self.token = None
        self.user = None

    # --- auth ---------------------------------------------------------------------------

    def sign_in(self):
        status, body = self.transport.request(
            "POST",
            TOKEN_PATH,
            {
                "login": self.login,
                "password": self.password,
                "device": {"id": self.device_id, "name": self.device_name},
            },
        )
        if status != 200:
            raise SyncError(status, body)
        self.token, self.user = body["token"], body["user"]
        return self.user

    def call(self, method, path, body=None):
        if self.token is None:
            self.sign_in()
        status, answer = self.transport.request(method, path, body, self.token)
        if status == 401 and answer.get("reason") == "token_revoked":
            self.wipe()
        if status != 200:
            raise SyncError(status, answer)
        return answer

    def wipe(self):
        """A revoked device forgets everything it held."""
        self.replica = Replica()
        self.token = None

    # --- clock --------------------------------------------------------------------------

    def tick(self):
        """Return the clock value of the next mutation."""
        if self.unsteady_clock:
            self.ticks += 1
            return hlcs.format_hlc(self.clock(), self.ticks, self.device_id)
        self.replica.last_hlc = hlcs.tick(self.replica.last_hlc, self.clock(), self.device_id)
        return self.replica.last_hlc

    def observe(self, remote):
        """Move the clock past a value the server sent."""
        if remote and remote > self.replica.last_hlc:
            ms, counter, _ = hlcs.parse(remote)
            self.replica.last_hlc = hlcs.format_hlc(ms, counter, self.device_id)

    # --- the wire ---------------------------------------------------------------------

    def mutation(self, entity, record_id=None, op="upsert", base_version=None, **changes):
        """A mutation stamped now, to send as it is (a new record unless ``record_id``)."""
        return mutation(entity, record_id or new_id(), op, base_version, changes, self.tick())

    def envelope(self, mutations, client_time=True):
        """The body of a push of ``mutations`` (with the device's wall clock unless told not)."""
        body = {"device_id": self.device_id, "mutations": list(mutations)}
        if client_time:
            body["client_time"] = self.clock()
        return body

    # --- local edits --------------------------------------------------------------------

    def save(self, entity, record_id=None, **changes):
        """Apply an edit locally and queue it; return the record id."""
        record_id = record_id or new_id()
        self.queue(entity, record_id, "upsert", changes)
        return record_id

    def delete(self, entity, record_id):
        self.queue(entity, record_id, "delete", {})

    def queue(self, entity, record_id, op, changes):
        stamp = self.tick()
        for entry in self.replica.outbox:
            if (
                (entry.entity, entry.record_id) == (entity, record_id)
                and not entry.sent_once
                and entry.op == op == "upsert"
            ):
                entry.changes.update(changes)
                entry.hlc, entry.revision = stamp, entry.revision + 1
                return
        known = self.replica.records.get((entity, record_id))
        self.replica.outbox.append(
            OutboxEntry(
                new_id(),
                entity,
                record_id,
                op,
                known["version"] if known else None,
                dict(changes),
                stamp,
            )
        )

    def view(self, entity, record_id):
        """The record as the user sees it: the replica with unanswered edits laid over."""
        record = dict(self.replica.records.get((entity, record_id)) or {})
        for entry in self.replica.outbox:
            if (entry.entity, entry.record_id) == (entity, record_id):
                if entry.op == "delete":
                    record["deleted"] = True
                else:
                    record.update(entry.changes)
        return record or None

    # --- sync ---------------------------------------------------------------------------

    def sync(self):
        self.push()
        self.pull()

    def push(self):
        """Send the outbox in batches; return every result."""
        results: list[dict] = []
        while True:
            batch = [e for e in self.replica.outbox if e.sent_revision is None][: self.batch_size]
            if not batch:
                return results
            for entry in batch:
                entry.sent_revision, entry.sent_once = entry.revision, True
            try:
                answer = self.call("POST", PUSH_PATH, self.envelope(e.wire() for e in batch))
            except Exception:
                for entry in batch:
                    entry.sent_revision = None
                raise
            self.observe(answer.get("hlc"))
            # An app that dies while taking in an answer has settled only the results before it:
            # the rest stays in the outbox (the test harness cuts answers this way).
            for entry, result in zip(batch, answer["results"], strict=False):
                self.settle(entry, result)
            results.extend(answer["results"])

    def settle(self, entry, result):
        """Take in the server's answer for one outbox entry."""
        record = result.get("record")
        if record is not None:
            self.keep_newer(entry.entity, record)
        if result["status"] == "rejected" or result.get("original_status") == "rejected":
            self.replica.rejected.append((entry, result.get("errors")))
        if entry.revision == entry.sent_revision:  # unchanged since sent (always, here: see queue)
            self.replica.outbox.remove(entry)
        key = (entry.entity, entry.record_id)
        if key in self.replica.evict_when_sent and not self.pending(*key):
            self.replica.evict_when_sent.discard(key)
            self.replica.records.pop(key, None)

    def pull(self, limit=None, digest=False):
        """Pull until ``has_more`` is false; return the changes received (or, asked for, the
        server's digest of the scope as of the end).

        A pull from no cursor (the first, or after a 410) sends the whole scope: what the
        replica holds beyond it is dropped at the end, unless the outbox still holds edits.
        """
        received: list[dict] = []
        delivered: set[tuple[str, str]] = set()
        fresh = self.replica.cursor is None
        while True:
            try:
                answer = self.call("GET", pull_path(self.replica.cursor, limit, digest))
            except SyncError as err:
                if err.status == 410 and self.replica.cursor:
                    self.replica.cursor, fresh, delivered = None, True, set()
                    continue
                raise
            for change in answer["changes"]:
                self.take(change, delivered)
            received.extend(answer["changes"])
            self.replica.cursor = answer["cursor"]
            self.observe(answer.get("hlc"))
            if not answer["has_more"]:
                if fresh:
                    for key in [k for k in self.replica.records if k not in delivered]:
                        if self.pending(*key):  # gone from the server: leaves once answered
                            self.replica.evict_when_sent.add(key)
                        else:
                            del self.replica.records[key]
                return answer.get("digest", {}) if digest else received

    def take(self, change, delivered):
        """Apply one pulled change; an eviction of a record with unsent edits waits for them."""
        if change.get("evict"):
            key = (change["entity"], change["id"])
            if self.pending(*key):
                self.replica.evict_when_sent.add(key)
            else:
                self.replica.records.pop(key, None)
            return
        key = (change["entity"], change["record"]["id"])
        self.replica.evict_when_sent.discard(key)
        delivered.add(key)
        self.keep_newer(change["entity"], change["record"])

    # --- convergence -------------------------------------------------------------------

    def verify(self):
        """Pull to the end with a digest; return the entities whose replica differs."""
        self.push()
        answer = self.pull(digest=True)
        return sorted(
            e for e in set(answer) | set(self.digest()) if answer.get(e, EMPTY) != self.digest().get(e, EMPTY)
        )

    def digest(self, entity=None, ending=""):
        """Digest of the replica's live records: all entities, or one, the ids that end with
        ``ending`` split by the digit before (ids end at random; a version 7 id starts with
        its time)."""
        if entity is None:
            return summarise(
                (e, rid, r["version"]) for (e, rid), r in self.replica.records.items() if not r.get("deleted")
            )
        depth = len(ending) + 1
        out: dict[str, dict] = {}
        for rid, record in self.live(entity).items():
            if rid.endswith(ending):
                bucket = out.setdefault(rid[-depth:], {"count": 0, "sum": 0})
                bucket["count"] += 1
                bucket["sum"] += record_hash(entity, rid, record["version"])
        return {b: {"count": v["count"], "sum": str(v["sum"])} for b, v in out.items()}

    def repair(self, max_rounds=3):
        """Re-pull only the id ranges whose digests differ until the replica converges.

        Return the ranges re-pulled, as ``(entity, ending)`` pairs.
        """
        repaired: list[tuple[str, str]] = []
        for _ in range(max_rounds):
            differing = self.verify()
            if not differing:
                return repaired
            for entity in differing:
                repaired.extend(self.repair_entity(entity, ""))
        raise SyncError(500, {"message": "replica still differs after repair"})

    def repair_entity(self, entity, ending):
        answer = self.call("GET", f"/api/v1/sync/digest?entity={entity}&ending={ending}")
        theirs, mine = answer["buckets"], self.digest(entity, ending)
        done = []
        for bucket in sorted(set(theirs) | set(mine)):
            if theirs.get(bucket, EMPTY) == mine.get(bucket, EMPTY):
                continue
            if theirs.get(bucket, EMPTY)["count"] > 500 and len(bucket) < 4:
                done.extend(self.repair_entity(entity, bucket))
                continue
            records = self.call("GET", f"/api/v1/sync/range?entity={entity}&ending={bucket}")["records"]
            fresh = {r["id"]: r for r in records}
            for rid in [rid for rid in self.live(entity) if rid.endswith(bucket)]:
                if rid not in fresh and not self.pending(entity, rid):
                    self.replica.records.pop((entity, rid))
            for record in records:
                self.replica.records[(entity, record["id"])] = record
            done.append((entity, bucket))
        return done

    def pending(self, entity, record_id):
        return any((e.entity, e.record_id) == (entity, record_id) for e in self.replica.outbox)

    def keep_newer(self, entity, record):
        key = (entity, record["id"])
        held = self.replica.records.get(key)
        if held is None or held["version"] <= record["version"]:
            self.replica.records[key] = record

    def live(self, entity):
        """Live records of an entity in the replica."""
        return {
            rid: r for (e, rid), r in self.replica.records.items() if e == entity and not r.get("deleted")
        }
