"""The working set of one push: the records it reads, loaded in a few queries, and who may
see and write them as the batch goes on."""

import json
import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from . import clockstore, driver, hlc as hlcs
from .engine import Actor, Engine
from .entity import Rejected
from .models import Record
from .scope import PRIVATE, owned_anywhere, privacy, sees, within_grace
from .wire import load_json

__all__ = ["Batch", "Rejected", "Working"]


class Working:
    """One record as the batch sees it; its clocks are decoded when first read. ``changed``
    names the fields whose values the batch changed (None: not known, or a record it created),
    for the hooks that derive data from a record to skip what did not change."""

    __slots__ = ("entity", "id", "data", "_clocks", "scope_id", "created", "compacted", "dirty", "changed")

    def __init__(self, entity, id, data, clocks, scope_id, created=False, compacted=False, dirty=False):
        self.entity, self.id, self.data, self._clocks = entity, id, data, clocks
        self.scope_id, self.created, self.compacted, self.dirty = (scope_id, created, compacted, dirty)
        self.changed: set[str] | None = None

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
    """State of one push: the working set and what it will write.

    Rules see it as their context: ``actor``, ``session``, ``engine``, ``memo`` (anything a
    rule wants to compute once per push), ``get`` to read a record, ``readable`` to ask whether
    the actor may read it, and ``change`` to write one.
    """

    session: Session
    engine: Engine
    actor: Actor
    server_ms: int
    now_iso: str
    server_node: str = "server"
    records: dict = field(default_factory=dict)
    locked: set = field(default_factory=set)  # keys read FOR UPDATE in this transaction
    my_memberships: set = field(default_factory=set)
    seen: dict = field(default_factory=dict)
    new_seen: list = field(default_factory=list)
    dead_letters: list = field(default_factory=list)
    touched: list = field(default_factory=list)
    scope_before: dict = field(default_factory=dict)
    scope_hlc: dict = field(default_factory=dict)
    owner_before: dict = field(default_factory=dict)
    moved_into: dict = field(default_factory=dict)  # root id -> roots the server moved records from
    memo: dict = field(default_factory=dict)
    max_hlc: str = hlcs.ZERO
    mutation_id: str = ""
    grace_ms: int | None = None

    def get(self, entity, record_id, lock=False):
        """The live record ``entity``/``record_id`` as the batch sees it, or None. ``lock``
        reads it FOR UPDATE, once a transaction: a record so read stays as it was read (a
        record not stored then is one this transaction creates)."""
        key = (entity, record_id)
        working = self.records.get(key)
        if lock and key not in self.locked and not (working and working.dirty):
            load_records(self, [key], lock=True)
            working = self.records.get(key)
        elif working is None and not lock:
            load_records(self, [key], lock=False)
            working = self.records.get(key)
        if working is None or working.compacted:
            return None
        return working

    def readable(self, working):
        """Whether the actor may read ``working`` (a record ``get`` gave) now: in their scope,
        and not private to someone else."""
        return visible(self, working)

    def change(self, entity, record_id, values, hlc, delete=False):
        """Write ``values`` to a record as a server-side versioned change (the one way a rule
        changes data); return the record as stored."""
        from .write import put

        return put(self, self.engine.entity(entity), record_id, values, hlc, delete=delete)


# The statements of every push, through the driver (``driver.rows``), per database.
SEEN = {
    "sqlite": "SELECT device_id, mutation_id, entity, record_id, status, errors FROM seen_mutations"
    " WHERE device_id = ? AND mutation_id IN (SELECT value FROM json_each(?))",
    # On PostgreSQL the same lookup as one index probe per pushed id. psycopg prepares a
    # statement it has run five times, and PostgreSQL's generic plan for ``device_id = $1 AND
    # mutation_id IN ($2, ...)`` probes the index by device alone: every mutation the device
    # ever pushed was read and filtered, a push slowing as the device's history grew (30 ms for
    # 5,000). The LIMIT keeps the lateral subquery a per-id probe, whatever the plan.
    "postgresql": "SELECT seen.device_id, seen.mutation_id, seen.entity, seen.record_id, seen.status,"
    " seen.errors FROM unnest(CAST(? AS varchar[])) AS pushed(id) CROSS JOIN LATERAL"
    " (SELECT * FROM seen_mutations WHERE seen_mutations.device_id = ?"
    " AND seen_mutations.mutation_id = pushed.id LIMIT 1) AS seen",
}
# Read by the primary key, one entity at a time: records are never looked up by id alone (an
# index of the id alone, a random UUID, cost every push a page write per record). On
# PostgreSQL, one primary-key probe per id, for the reason SEEN gives: the generic plan of
# ``entity = $1 AND id IN (...)`` read every record of the entity through another index (77 ms
# for 100 ids among 10,000 visits). Rows are locked in the order of the sorted ids.
RECORDS = {
    "sqlite": "SELECT entity, id, data, clocks, customer_id, compacted FROM records"
    " WHERE entity = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id",
    "postgresql": "SELECT r.entity, r.id, r.data, r.clocks, r.customer_id, r.compacted"
    " FROM unnest(CAST(? AS varchar[])) AS wanted(id) CROSS JOIN LATERAL"
    " (SELECT entity, id, data, clocks, customer_id, compacted FROM records"
    " WHERE records.entity = ? AND records.id = wanted.id LIMIT 1{lock}) AS r",
}
RECORDS_LOCKED = {"sqlite": RECORDS["sqlite"], "postgresql": RECORDS["postgresql"].format(lock=" FOR UPDATE")}
RECORDS["postgresql"] = RECORDS["postgresql"].format(lock="")
MEMBERSHIPS = "SELECT customer_id, team FROM records WHERE entity = ? AND owner_id = ? AND deleted = ?"


def id_list(dialect_name, ids):
    """A list of ids as one parameter: a JSON array for SQLite's ``json_each``, on PostgreSQL
    an array's text (psycopg adapts a list of a hundred strings in about 0.2 ms, a statement's
    whole time; the text is cast by the statement)."""
    if dialect_name == "sqlite":
        return json.dumps(ids)
    return "{" + ",".join(['"' + i.replace("\\", "\\\\").replace('"', '\\"') + '"' for i in ids]) + "}"


def prefetch(batch, mutations, named, new=None):
    """Load everything the batch reads in a few queries, locking the rows it may change.

    ``named``: each mutation's ``(mutation_id, entity, record_id)`` as stored (canonical).
    ``new``: None, or for each mutation whether it is taken to create a record not stored: the
    push then reads no mutation as pushed before and no such record (see ``apply_push``)."""
    connection, actor, engine = batch.session.connection(), batch.actor, batch.engine
    name = connection.dialect.name
    if new is None:
        ids = [mutation_id for mutation_id, _, _ in named]
        for chunk in chunks(ids):
            pushed = id_list(name, chunk)
            params = (actor.device_id, pushed) if name == "sqlite" else (pushed, actor.device_id)
            for row in driver.rows(connection, SEEN[name], params):
                batch.seen[row[1]] = Seen(*row)
        targets = {(entity, record_id) for _, entity, record_id in named}
    else:
        targets = {
            (entity, record_id) for (_, entity, record_id), fresh in zip(named, new, strict=True) if not fresh
        }
    targets.update((row.entity, row.record_id) for row in batch.seen.values())
    references: set[tuple[str, str | None]] = set()
    for m, (_, entity_name, _) in zip(mutations, named, strict=True):
        changes, entity = m.get("changes"), engine.entities.get(entity_name)
        if isinstance(changes, dict) and entity is not None:
            references.update(referenced_keys(changes, entity.references))
    load_records(batch, targets, lock=True)
    load_records(batch, references - targets, lock=False)
    root = engine.scope.root
    scope_ids = {w.scope_id for w in batch.records.values() if w.scope_id}
    load_records(batch, {(root, c) for c in scope_ids if (root, c) not in batch.records}, lock=False)
    if not actor.sees_everything:
        mine = (engine.scope.membership, actor.user_id, False)
        batch.my_memberships = {
            customer_id
            for customer_id, team in driver.rows(connection, MEMBERSHIPS, mine)
            if engine.scope.grants(team)
        }


def load_records(batch, keys, lock):
    """Read the records ``keys`` (``(entity, id)``; a key holding None is skipped) into the batch."""
    keys = list(keys)
    read_records(batch.session.connection(), keys, lock, batch.records)
    if lock:
        batch.locked.update(keys)


def read_records(connection, keys, lock, records):
    """Read the records ``keys`` that are stored into ``records``, as ``Working`` by key."""
    name = connection.dialect.name
    query = (RECORDS_LOCKED if lock else RECORDS)[name]
    by_entity: dict[str, list[str]] = {}
    for entity, record_id in keys:
        if entity is not None and record_id is not None:
            by_entity.setdefault(entity, []).append(record_id)
    for entity in sorted(by_entity):  # in one order in every transaction: no lock cycles
        for chunk in chunks(sorted(by_entity[entity])):
            ids = id_list(name, chunk)
            params = (entity, ids) if name == "sqlite" else (ids, entity)
            for entity_name, record_id, data, clocks, scope_id, compacted in driver.rows(
                connection, query, params
            ):
                records[(entity_name, record_id)] = Working(
                    entity_name,
                    record_id,
                    load_json(data) if data else {},
                    clocks,
                    scope_id,
                    compacted=bool(compacted),
                )


def referenced_keys(changes, references):
    """The ``(entity, id)`` of the records that the reference fields of ``changes`` name
    (``references``: field name -> entity); an id that is no UUID is None."""
    for name, target in references.items():
        value = changes.get(name)
        if isinstance(value, str):
            yield target, canonical_uuid(value)
        elif isinstance(value, list):
            yield from ((target, canonical_uuid(v)) for v in value if isinstance(v, str))


def private_to_another(batch, working):
    """Whether a record is private to someone the actor may not read for (personal records to
    anyone but their owner)."""
    entities, actor = batch.engine.entities, batch.actor
    marker = privacy(entities, working.entity, working.data)
    if marker is None or (actor.reads_private and marker == PRIVATE):
        return False
    return working.data.get(entities[working.entity].owner_field) != actor.user_id


def visible(batch, working):
    """Whether the actor may read a record now."""
    actor = batch.actor
    if private_to_another(batch, working):
        return False
    if working.entity == batch.engine.scope.membership and not actor.reads_private:
        # As ``scope.memberships_readable``: the member's own, and the root's owner's to decide.
        if working.data.get(batch.engine.entity(working.entity).owner_field) == actor.user_id:
            return True
        root = stored_root(batch, working.scope_id)
        root_entity = batch.engine.entity(batch.engine.scope.root)
        if root is None or root_fields(batch, root).get(root_entity.owner_field) != actor.user_id:
            return False
    if actor.sees_everything or working.scope_id is None:
        return True
    if (
        working.entity in owned_anywhere(batch.engine)
        and working.data.get(batch.engine.entity(working.entity).owner_field) == actor.user_id
    ):
        return True
    return in_scope_now(batch, working.scope_id)


def stored_root(batch, scope_id):
    """The scope root as the batch holds it (a compacted one too), or None."""
    key = (batch.engine.scope.root, scope_id)
    if key not in batch.records:
        load_records(batch, [key], lock=False)
    return batch.records.get(key)


def in_scope_now(batch, scope_id):
    actor = batch.actor
    if actor.sees_everything:
        return True
    record = stored_root(batch, scope_id)
    if record is None:
        return False
    root_entity, data = batch.engine.entity(batch.engine.scope.root), root_fields(batch, record)
    return sees(
        actor,
        data.get(root_entity.owner_field),
        data.get(root_entity.team_field),
        scope_id in batch.my_memberships,
    )


def check_write_scope(batch, scope_id, when, record=None):
    """Allow a write when its scope root is in scope now, or was at the edit's HLC and the
    loss is still within its grace.

    Records outside every scope are the entity's rules' to guard, private ones their owner's.
    """
    actor = batch.actor
    scope = batch.engine.scope
    if record is not None and private_to_another(batch, record):
        raise Rejected({"record_id": ["this record is private to another user"]})
    if scope_id is None:
        return
    if record is not None and record.entity == "conflicts":
        if record.data.get("lost_by") == actor.user_id or in_scope_now(batch, scope_id):
            return
    elif in_scope_now(batch, scope_id) or within_grace(
        batch.session, actor, scope_id, when, now_ms=batch.server_ms, grace_ms=batch.grace_ms
    ):
        return
    raise Rejected({scope.field: [scope.out_of_scope]})


def note_scope_change(batch, scope_id, when):
    """Remember who saw a scope root before the batch first changed who sees it."""
    if scope_id not in batch.scope_before:
        batch.scope_before[scope_id] = watchers_now(batch, scope_id, from_batch=False)
        batch.owner_before[scope_id] = root_owner(batch, scope_id, created_too=False)
    batch.scope_hlc[scope_id] = when


def root_owner(batch, scope_id, created_too):
    """The owner of a scope root as the batch holds it (None when it holds no such root)."""
    root = batch.records.get((batch.engine.scope.root, scope_id))
    owner_field = batch.engine.entity(batch.engine.scope.root).owner_field
    if root is None or owner_field is None or (root.created and not created_too):
        return None
    return root_fields(batch, root).get(owner_field)


def watchers_now(batch, scope_id, from_batch):
    """The scope-limited users who see a root, before the batch or as the batch leaves it."""
    return watchers_of(batch, [scope_id], from_batch)[scope_id]


def watchers_of(batch, scope_ids, from_batch):
    """``watchers_now`` of many roots: their stored memberships in a query per 500 roots, and
    what the batch holds of memberships indexed once (an import creating thousands of roots
    would otherwise read the batch once a root)."""
    session, scope = batch.session, batch.engine.scope
    roots = {}
    for scope_id in scope_ids:
        root = batch.records.get((scope.root, scope_id))
        if not (root is None or (not from_batch and root.created)):
            roots[scope_id] = root
    members: dict[str, dict[str, str]] = {scope_id: {} for scope_id in roots}
    for chunk in chunks(sorted(roots)):
        for row in session.execute(
            select(Record.id, Record.customer_id, Record.owner_id, Record.team).where(
                Record.entity == scope.membership,
                Record.customer_id.in_(chunk),
                Record.deleted == false(),
            )
        ):
            if scope.grants(row.team):
                members[row.customer_id][row.id] = row.owner_id
    if from_batch:
        # What the batch holds of a membership replaces what is stored, wherever it was: one the
        # server moved to another root (a merge) grants this one nothing any more.
        membership = batch.engine.entity(scope.membership)
        held: set[str] = set()
        granted: dict[str, dict[str, str]] = {}
        for (entity, record_id), w in batch.records.items():
            if entity != scope.membership:
                continue
            held.add(record_id)
            if not w.compacted and not w.deleted and scope.grants(w.data.get(membership.team_field)):
                granted.setdefault(w.scope_id, {})[record_id] = w.data[membership.owner_field]
        for scope_id, found in members.items():
            kept = {record_id: owner for record_id, owner in found.items() if record_id not in held}
            members[scope_id] = {**kept, **granted.get(scope_id, {})}
    watchers: dict[str, set[str]] = {scope_id: set() for scope_id in scope_ids}
    # Who sees a root is decided by its owner, team and decisive fields and its members (the
    # scope model): roots alike in those, as an import's customers of one rep are, ask once.
    entity = batch.engine.entity(scope.root)
    deciding = sorted({entity.owner_field, entity.team_field, *scope.decisive_fields} - {None})
    asked: dict[tuple, set[str]] = {}
    for scope_id, root in roots.items():
        data, member_ids = root_fields(batch, root), set(members[scope_id].values())
        key = (*(data.get(name) for name in deciding), frozenset(member_ids))
        if key not in asked:
            asked[key] = scope.watchers(session, data, member_ids)
        watchers[scope_id] = set(asked[key])
    return watchers


def root_fields(batch, root):
    """A root's data as ``watchers`` reads it. A compacted root's content is forgotten, but its
    owner and team columns are kept, and still decide who reads the records that go with it
    (the history of its requests, say): ``watchers`` must judge by them too."""
    if not root.compacted:
        return root.data
    entity = batch.engine.entity(root.entity)
    row = batch.session.execute(
        select(Record.owner_id, Record.team).where(Record.entity == root.entity, Record.id == root.id)
    ).first()
    if row is None:
        return {}
    return {
        name: value
        for name, value in ((entity.owner_field, row.owner_id), (entity.team_field, row.team))
        if name
    }


def store(batch, working, when):
    batch.records[(working.entity, working.id)] = working
    if not working.dirty:
        working.dirty = True
        batch.touched.append(working)
    if when and when > batch.max_hlc:
        batch.max_hlc = when


def known_entity(engine, raw):
    entity = raw.get("entity")
    return entity if isinstance(entity, str) and entity in engine.entities else None


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
        yield values[start : start + size]
