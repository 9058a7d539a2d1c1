"""The working set of one push: the records it reads, loaded in a few queries, and who may
see and write them as the batch goes on."""
import json
import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy import false, select

from . import clockstore, hlc as hlcs
from .entities import ENTITIES
from .models import Record, SeenMutation
from .scope import rep_sees, reps_seeing, was_in_scope


class Rejected(Exception):
    """A mutation that cannot apply; ``errors`` maps a field to messages."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors

class Working:
    """One record as the batch sees it; its clocks are decoded when first read."""

    __slots__ = ("entity", "id", "data", "_clocks", "customer_id", "created", "compacted", "dirty")

    def __init__(self, entity, id, data, clocks, customer_id, created=False, compacted=False,
                 dirty=False):
        self.entity, self.id, self.data, self._clocks = entity, id, data, clocks
        self.customer_id, self.created, self.compacted, self.dirty = (
            customer_id, created, compacted, dirty)

    @property
    def clocks(self):
        """The per-field clocks; a record read only as a reference never decodes them."""
        if isinstance(self._clocks, str):
            self._clocks = clockstore.unpack(self._clocks)
        return self._clocks

    @property
    def version(self):
        return self.data["version"]

    @property
    def deleted(self):
        return self.data["deleted"]

@dataclass
class Seen:
    """A mutation the device pushed before, or in this batch, with its first outcome."""

    device_id: str
    mutation_id: str
    entity: str | None
    record_id: str | None
    status: str
    errors: str | None

@dataclass
class Batch:
    """State of one push: the working set and what it will write."""

    session: object
    actor: object
    server_ms: int
    now_iso: str
    hooks: dict
    records: dict = field(default_factory=dict)
    my_follows: set = field(default_factory=set)
    seen: dict = field(default_factory=dict)
    new_seen: list = field(default_factory=list)
    dead_letters: list = field(default_factory=list)
    touched: list = field(default_factory=list)
    scope_before: dict = field(default_factory=dict)
    scope_hlc: dict = field(default_factory=dict)
    max_hlc: str = hlcs.ZERO
    mutation_id: str = ""

def prefetch(batch, mutations):
    """Load everything the batch reads in a few queries, locking the rows it may change."""
    session, actor = batch.session, batch.actor
    ids = [str(m["mutation_id"]) for m in mutations]
    for chunk in chunks(ids):
        for row in session.execute(select(
                SeenMutation.device_id, SeenMutation.mutation_id, SeenMutation.entity,
                SeenMutation.record_id, SeenMutation.status, SeenMutation.errors).where(
                SeenMutation.device_id == actor.device_id, SeenMutation.mutation_id.in_(chunk))):
            batch.seen[row.mutation_id] = Seen(*row)
    targets = {canonical_uuid(m.get("record_id")) for m in mutations}
    targets.update(row.record_id for row in batch.seen.values() if row.record_id)
    references = set()
    for m in mutations:
        changes, entity = m.get("changes"), ENTITIES.get(known_entity(m))
        if isinstance(changes, dict) and entity is not None:
            references.update(canonical_uuid(r) for r in referenced_ids(changes, entity.references))
    targets.discard(None)
    references.discard(None)
    load_records(batch, sorted(targets), lock=True)
    load_records(batch, sorted(references - targets), lock=False)
    customer_ids = {w.customer_id for w in batch.records.values() if w.customer_id}
    load_records(batch, sorted(c for c in customer_ids if ("customers", c) not in batch.records),
                 lock=False)
    if not actor.sees_everything:
        batch.my_follows = set(session.execute(select(Record.customer_id).where(
            Record.entity == "follows", Record.owner_id == actor.user_id,
            Record.deleted == false())).scalars())

def load_records(batch, ids, lock):
    for chunk in chunks(ids):
        query = select(Record.entity, Record.id, Record.data, Record.clocks, Record.customer_id,
                       Record.compacted).where(Record.id.in_(chunk)).order_by(Record.entity, Record.id)
        if lock:
            query = query.with_for_update()
        for row in batch.session.execute(query):
            batch.records[(row.entity, row.id)] = Working(
                row.entity, row.id, json.loads(row.data) if row.data else {},
                row.clocks, row.customer_id, compacted=row.compacted)

def referenced_ids(changes, names):
    """The ids that the reference fields ``names`` of ``changes`` hold."""
    for name in names:
        value = changes.get(name)
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, str))

def visible(batch, working):
    """Whether the actor may read a record now."""
    actor = batch.actor
    if actor.sees_everything or working.customer_id is None:
        return True
    if working.entity == "conflicts" and working.data.get("lost_by") == actor.user_id:
        return True
    return in_scope_now(batch, working.customer_id)

def in_scope_now(batch, customer_id):
    actor = batch.actor
    if actor.sees_everything:
        return True
    customer = batch.records.get(("customers", customer_id))
    if customer is None:
        customer = load_customer(batch, customer_id)
    following = customer_id in batch.my_follows
    return customer is not None and rep_sees(actor.user_id, actor.team, customer.data, following)

def load_customer(batch, customer_id):
    load_records(batch, [customer_id], lock=False)
    return batch.records.get(("customers", customer_id))

def check_write_scope(batch, customer_id, when, record=None):
    """Allow a write when its customer is in scope now, or was at the edit's HLC."""
    actor = batch.actor
    if record is not None and record.entity == "conflicts":
        if record.data.get("lost_by") == actor.user_id or in_scope_now(batch, customer_id):
            return
    elif in_scope_now(batch, customer_id) or was_in_scope(batch.session, actor.user_id, customer_id, when):
        return
    raise Rejected({"customer_id": ["this customer is not in your scope: ask its owner or follow it"]})

def note_scope_change(batch, customer_id, when):
    """Remember who saw a customer before the batch first changed its scope."""
    if customer_id not in batch.scope_before:
        batch.scope_before[customer_id] = reps_now(batch, customer_id, from_batch=False)
    batch.scope_hlc[customer_id] = when

def reps_now(batch, customer_id, from_batch):
    session = batch.session
    customer = batch.records.get(("customers", customer_id))
    if customer is None or (not from_batch and customer.created):
        return set()
    data = customer.data
    followers = {}
    for row in session.execute(select(Record.id, Record.owner_id).where(
            Record.entity == "follows", Record.customer_id == customer_id,
            Record.deleted == false())):
        followers[row.id] = row.owner_id
    if from_batch:
        for (entity, record_id), w in batch.records.items():
            if entity == "follows" and w.customer_id == customer_id:
                followers.pop(record_id, None)
                if not w.compacted and not w.deleted:
                    followers[record_id] = w.data["user_id"]
    return reps_seeing(session, data, set(followers.values()))

def customer_of(batch, data):
    customer = batch.records.get(("customers", data.get("customer_id")))
    return customer.data if customer else {}

def team_of(batch, user_id):
    user = batch.records.get(("users", user_id))
    if user is None:
        load_records(batch, [user_id], lock=False)
        user = batch.records.get(("users", user_id))
    return user.data.get("team") if user else None

def store(batch, working, when):
    batch.records[(working.entity, working.id)] = working
    if not working.dirty:
        working.dirty = True
        batch.touched.append(working)
    if when and when > batch.max_hlc:
        batch.max_hlc = when

def known_entity(raw):
    entity = raw.get("entity")
    return entity if isinstance(entity, str) and entity in ENTITIES else None

CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def canonical_uuid(value):
    """The canonical string of a UUID, or None for anything else."""
    if type(value) is str:
        if CANONICAL.match(value):
            return value  # already what str(uuid.UUID(value)) gives
        if len(value) < 32:
            return None  # too short to hold 32 hex digits
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        return None

def chunks(values, size=500):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]
