"""Apply a pushed batch of mutations in one transaction.

Mutations apply in array order against an in-memory working set loaded for the whole batch in
a few queries; each sees the effects of those before it. A rejected mutation leaves the working
set untouched (the effect of a rolled-back savepoint, without a round trip per mutation), so
the batch's writes are bulk statements issued once at the end, after the feed lock is taken.
"""
import json
import uuid
from dataclasses import dataclass, field

from marshmallow import ValidationError
from sqlalchemy import false, insert, select, update

from . import hlc as hlcs
from .digest import record_hash
from .entities import ALWAYS_SERVER_OWNED, ENTITIES, ROUTERS, field_errors
from .merge import FieldClock, resolve_field
from .models import DeadLetter, Feed, Record, ScopeEvent, SeenMutation
from .mutation import MutationSchema
from .scope import rep_sees, reps_seeing, was_in_scope
from .wire import dump_json, iso_from_ms, parse_instant

CONFLICT_NAMESPACE = uuid.UUID("0b6f1c52-7d0e-4a8c-9a55-3f6d2f1e4c11")
mutation_schema = MutationSchema()


class Rejected(Exception):
    """A mutation that cannot apply; ``errors`` maps a field to messages."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Working:
    """One record as the batch sees it."""

    entity: str
    id: str
    data: dict
    clocks: dict
    customer_id: str | None
    created: bool = False
    compacted: bool = False
    dirty: bool = False

    @property
    def version(self):
        return self.data["version"]

    @property
    def deleted(self):
        return self.data["deleted"]


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


def apply_push(session, actor, mutations, *, now_ms, server_node="server", hooks=None):
    """Apply ``mutations`` (already checked to be a list of dicts with UUID ids).

    Return ``(results, server_hlc)``. The caller commits.
    """
    feed = session.get(Feed, 1)
    server_ms = max(now_ms, hlcs.physical_ms(feed.hlc))
    batch = Batch(session, actor, server_ms, iso_from_ms(now_ms), hooks or {})
    prefetch(batch, mutations)
    results = [apply_one(batch, m) for m in mutations]
    return results, write(batch, server_node)


def prefetch(batch, mutations):
    """Load everything the batch reads in a few queries, locking the rows it may change."""
    session, actor = batch.session, batch.actor
    ids = [str(m["mutation_id"]) for m in mutations]
    for chunk in chunks(ids):
        for row in session.execute(select(SeenMutation).where(
                SeenMutation.device_id == actor.device_id, SeenMutation.mutation_id.in_(chunk))).scalars():
            batch.seen[row.mutation_id] = row
    targets = {canonical_uuid(m.get("record_id")) for m in mutations}
    targets.update(row.record_id for row in batch.seen.values() if row.record_id)
    references = set()
    for m in mutations:
        changes = m.get("changes")
        if isinstance(changes, dict):
            references.update(canonical_uuid(r) for r in referenced_ids(changes))
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
        query = select(Record).where(Record.id.in_(chunk)).order_by(Record.entity, Record.id)
        if lock:
            query = query.with_for_update()
        for row in batch.session.execute(query).scalars():
            batch.records[(row.entity, row.id)] = Working(
                row.entity, row.id, json.loads(row.data) if row.data else {},
                json.loads(row.clocks), row.customer_id, compacted=row.compacted)


def referenced_ids(changes):
    for value in changes.values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, str))


def apply_one(batch, raw):
    """Apply one mutation and return its result."""
    mutation_id = str(raw["mutation_id"])
    batch.mutation_id = mutation_id
    first = batch.seen.get(mutation_id)
    if first is not None:
        return duplicate_result(batch, mutation_id, first)
    try:
        m = mutation_schema.load(raw)
        m["hlc"] = hlcs.clamp(m["hlc"], batch.server_ms)
        result = apply_upsert(batch, m) if m["op"] == "upsert" else apply_delete(batch, m)
        status = result["status"]
        errors = None
    except ValidationError as err:
        result, status, errors = reject(batch, raw, mutation_id, field_errors(err.messages))
    except Rejected as err:
        result, status, errors = reject(batch, raw, mutation_id, err.errors)
    entity, record_id = known_entity(raw), canonical_uuid(raw.get("record_id"))
    seen = SeenMutation(device_id=batch.actor.device_id, mutation_id=mutation_id,
                        entity=entity, record_id=record_id, status=status,
                        errors=json.dumps(errors) if errors else None)
    batch.seen[mutation_id] = seen
    batch.new_seen.append(seen)
    return result


def reject(batch, raw, mutation_id, errors):
    # Plain json.dumps escapes to ASCII: whatever a device sent can be stored and shown.
    batch.dead_letters.append(dict(
        device_id=batch.actor.device_id, user_id=batch.actor.user_id, mutation_id=mutation_id,
        entity=known_entity(raw), record_id=canonical_uuid(raw.get("record_id")),
        mutation=json.dumps(raw), errors=json.dumps(errors)))
    return {"mutation_id": mutation_id, "status": "rejected", "errors": errors}, "rejected", errors


def duplicate_result(batch, mutation_id, first):
    result = {"mutation_id": mutation_id, "status": "duplicate", "original_status": first.status}
    if first.errors:
        result["errors"] = json.loads(first.errors)
    working = batch.records.get((first.entity, first.record_id))
    if working is not None and not working.compacted and visible(batch, working):
        result["record"] = dict(working.data)
    return result


# --- upsert -------------------------------------------------------------------------------

def apply_upsert(batch, m):
    entity = ENTITIES[m["entity"]]
    if not entity.writable:
        raise Rejected({"entity": [f"{entity.name} is read-only"]})
    current = batch.records.get((entity.name, m["record_id"]))
    if current is not None and current.compacted:
        raise Rejected({"record_id": ["deleted"]})
    base = m["base_version"]
    if current is None and base is not None:
        raise Rejected({"base_version": ["must be null when creating a record"]})
    if current is None and not entity.creatable:
        raise Rejected({"record_id": [f"{entity.name} are created by the server only"]})
    if current is not None and base is not None and base > current.version:
        raise Rejected({"base_version": [f"is above the record's version {current.version}"]})

    changes, ignored = split_server_owned(entity, m["changes"], creating=current is None)
    try:
        values = entity.schema.load(changes, partial=current is not None)
    except ValidationError as err:
        raise Rejected(field_errors(err.messages))
    for name in ("contact_ids", "competitors", "situation"):
        if name in values and values[name] is None:
            values[name] = []
    check_edit_rules(batch, entity, current, values)
    check_references(batch, entity, values)

    if current is None:
        working, lost = create(batch, entity, m, values)
    else:
        check_write_scope(batch, current.customer_id, m["hlc"], record=current)
        working, lost = update_existing(batch, entity, current, m, values)
    result = {"mutation_id": str(m["mutation_id"]),
              "status": "merged" if lost else "applied", "record": dict(working.data)}
    if lost:
        result["conflicts"] = lost
    if ignored:
        result["ignored"] = ignored
    return result


def split_server_owned(entity, changes, creating):
    owned = ALWAYS_SERVER_OWNED | entity.server_fields
    if creating and entity.name == "requests":
        owned = owned | {"route_to"}
    kept = {k: v for k, v in changes.items() if k not in owned}
    return kept, sorted(k for k in changes if k in owned)


def check_edit_rules(batch, entity, current, values):
    actor = batch.actor
    if current is not None:
        for name in entity.immutable & values.keys():
            if values[name] != current.data.get(name):
                raise Rejected({name: ["cannot be changed after the record is created"]})
        if "route_to" in values and actor.role not in ROUTERS \
                and values["route_to"] != current.data.get("route_to"):
            raise Rejected({"route_to": ["only office, managers and admins change a request's route"]})
    if entity.name == "follows" and current is None:
        user_id = values.get("user_id") or actor.user_id
        if user_id != actor.user_id and actor.role not in ROUTERS:
            raise Rejected({"user_id": ["you can only follow customers yourself"]})


def check_references(batch, entity, values):
    errors = {}
    for name, target in entity.references.items():
        value = values.get(name)
        for ref in value if isinstance(value, list) else [value]:
            if ref is None:
                continue
            found = batch.records.get((target, ref))
            if found is None or found.compacted:
                errors.setdefault(name, []).append(f"{target} {ref} does not exist")
    if errors:
        raise Rejected(errors)


def create(batch, entity, m, values):
    actor, when = batch.actor, m["hlc"]
    data = {"id": m["record_id"], "version": 1, "created_at": batch.now_iso,
            "updated_at": batch.now_iso, "deleted": False}
    data.update({name: None for name in entity.fields})
    data.update({k: (list(v) if isinstance(v, list) else v) for k, v in entity.defaults.items()})
    data.update(values)
    if "author_id" in entity.fields:
        data["author_id"] = actor.user_id
    if entity.name == "customers":
        data["owner_id"] = data["owner_id"] or actor.user_id
        data["team"] = data["team"] or team_of(batch, data["owner_id"])
    elif entity.name == "follows":
        data["user_id"] = data["user_id"] or actor.user_id
    elif entity.name == "deals":
        data["owner_id"] = data["owner_id"] or actor.user_id
        data["ball_since"] = iso_from_ms(hlcs.physical_ms(when))
    elif entity.name == "requests":
        data["heard_at"] = data["heard_at"] or iso_from_ms(hlcs.physical_ms(when))
        route = batch.hooks.get("route_request")
        data["route_to"] = route(data, customer_of(batch, data)) if route else "triage"

    customer_id = data["id"] if entity.name == "customers" else data["customer_id"]
    if entity.name == "customers":
        if not batch.actor.sees_everything and not rep_sees(actor.user_id, actor.team, data, False):
            raise Rejected({"owner_id": ["a rep can only create customers they or their team own"]})
    elif entity.name != "follows":
        check_write_scope(batch, customer_id, when)

    clock = FieldClock(when, 1, actor.device_id, actor.user_id).to_list()
    working = Working(entity.name, data["id"], data, {name: clock for name in entity.fields},
                      customer_id, created=True)
    if entity.name in ("customers", "follows"):
        note_scope_change(batch, customer_id, when)
    store(batch, working, when)
    return working, []


def update_existing(batch, entity, current, m, values):
    actor, when, base = batch.actor, m["hlc"], m["base_version"]
    if current.deleted:
        if base is None or base < current.version:
            lost = [conflict(batch, current, "deleted", True, current.clocks.get("deleted"),
                             values, when)]
            return current, lost
        undelete = True
    else:
        undelete = False
    if entity.name == "follows" and not follow_writer(batch, current):
        raise Rejected({"record_id": ["only the follower or the office can change a follow"]})

    before = dict(current.data)
    new_version = current.version + 1
    new_clock = FieldClock(when, new_version, actor.device_id, actor.user_id)
    lost, stored = [], {}
    if entity.name == "customers" and "owner_id" in values and "team" not in values \
            and values["owner_id"] != before.get("owner_id"):
        values["team"] = team_of(batch, values["owner_id"])
    for name, value in values.items():
        clock = current.clocks.get(name)
        outcome = resolve_field(FieldClock.from_list(clock) if clock else None, base, when,
                                actor.device_id)
        if outcome.pushed_wins:
            if outcome.concurrent and before.get(name) != value:
                conflict_from_stored(batch, current, name, before.get(name), clock, value, when)
            stored[name] = value
        elif before.get(name) != value:
            lost.append(conflict(batch, current, name, before.get(name), clock, value, when))
    if entity.name in ("customers", "follows") and (undelete or {"owner_id", "team"} & stored.keys()):
        note_scope_change(batch, current.customer_id, when)
    if entity.name == "deals" and "ball" in stored and stored["ball"] != before.get("ball"):
        stored["ball_since"] = iso_from_ms(hlcs.physical_ms(when))
    changed = {k: v for k, v in stored.items() if before.get(k) != v} or undelete
    if not changed:
        return current, lost
    current.data.update(stored)
    for name in stored:
        current.clocks[name] = new_clock.to_list()
    if undelete:
        current.data["deleted"] = False
        current.clocks["deleted"] = new_clock.to_list()
    bump(batch, current, when)
    return current, lost


def follow_writer(batch, follow):
    return batch.actor.role in ROUTERS or follow.data.get("user_id") == batch.actor.user_id


# --- delete -------------------------------------------------------------------------------

def apply_delete(batch, m):
    entity = ENTITIES[m["entity"]]
    if not entity.writable or entity.name == "conflicts":
        raise Rejected({"entity": [f"{entity.name} cannot be deleted by a client"]})
    current = batch.records.get((entity.name, m["record_id"]))
    result = {"mutation_id": str(m["mutation_id"]), "status": "applied"}
    if current is None or current.compacted:
        return result
    if entity.name == "follows":
        if not follow_writer(batch, current):
            raise Rejected({"record_id": ["only the follower or the office can remove a follow"]})
    else:
        check_write_scope(batch, current.customer_id, m["hlc"], record=current)
    if current.deleted:
        result["record"] = dict(current.data)
        return result
    actor, when, base = batch.actor, m["hlc"], m["base_version"] or 0
    discarded = {}
    for name, clock in current.clocks.items():
        stored = FieldClock.from_list(clock)
        if name != "deleted" and stored.version > base and stored.device_id != actor.device_id:
            discarded.setdefault(stored.user_id, {})[name] = (current.data.get(name), stored)
    for user_id, fields_ in sorted(discarded.items()):
        lost_value = {name: value for name, (value, _) in fields_.items()}
        lost_clock = max((c for _, c in fields_.values()), key=lambda c: c.hlc)
        add_conflict(batch, current, "deleted", True, actor.user_id, when,
                     lost_value, lost_clock.user_id, lost_clock.hlc)
    current.data["deleted"] = True
    current.clocks["deleted"] = FieldClock(when, current.version + 1, actor.device_id,
                                           actor.user_id).to_list()
    if entity.name in ("customers", "follows"):
        note_scope_change(batch, current.customer_id, when)
    bump(batch, current, when)
    result["record"] = dict(current.data)
    return result


# --- conflicts ----------------------------------------------------------------------------

def conflict(batch, record, name, kept_value, kept_clock, lost_value, lost_hlc):
    """Keep the pushed value that lost to a concurrent write; return the conflict record."""
    kept = FieldClock.from_list(kept_clock) if kept_clock else None
    return add_conflict(batch, record, name, kept_value, kept.user_id if kept else None,
                        kept.hlc if kept else None, lost_value, batch.actor.user_id, lost_hlc)


def conflict_from_stored(batch, record, name, stored_value, stored_clock, pushed_value, pushed_hlc):
    """Keep the stored value that a concurrent pushed write beat."""
    lost = FieldClock.from_list(stored_clock)
    add_conflict(batch, record, name, pushed_value, batch.actor.user_id, pushed_hlc,
                 stored_value, lost.user_id, lost.hlc)


def add_conflict(batch, record, name, kept_value, kept_by, kept_hlc, lost_value, lost_by, lost_hlc):
    key = f"{batch.mutation_id}:{record.entity}:{record.id}:{name}:{lost_by}"
    conflict_id = str(uuid.uuid5(CONFLICT_NAMESPACE, key))
    data = {"id": conflict_id, "version": 1, "created_at": batch.now_iso,
            "updated_at": batch.now_iso, "deleted": False, "entity": record.entity,
            "record_id": record.id, "field": name, "kept_value": kept_value, "kept_by": kept_by,
            "kept_hlc": kept_hlc, "lost_value": lost_value, "lost_by": lost_by,
            "lost_hlc": lost_hlc, "resolved": False}
    working = Working("conflicts", conflict_id, data, {}, record.customer_id, created=True)
    existing = batch.records.get(("conflicts", conflict_id))
    if existing is None:
        store(batch, working, kept_hlc or lost_hlc)
    return data


# --- scope --------------------------------------------------------------------------------

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
                if not w.deleted:
                    followers[record_id] = w.data["user_id"]
    return reps_seeing(session, data, set(followers.values()))


# --- bookkeeping --------------------------------------------------------------------------

def customer_of(batch, data):
    customer = batch.records.get(("customers", data.get("customer_id")))
    return customer.data if customer else {}


def team_of(batch, user_id):
    user = batch.records.get(("users", user_id))
    if user is None:
        load_records(batch, [user_id], lock=False)
        user = batch.records.get(("users", user_id))
    return user.data.get("team") if user else None


def bump(batch, working, when):
    working.data["version"] += 1
    working.data["updated_at"] = batch.now_iso
    store(batch, working, when)


def store(batch, working, when):
    batch.records[(working.entity, working.id)] = working
    if not working.dirty:
        working.dirty = True
        batch.touched.append(working)
    if when and when > batch.max_hlc:
        batch.max_hlc = when


def write(batch, server_node):
    """Take the feed lock, number the changes in commit order, write them in bulk and
    return the server's clock, above every HLC stored (read under the lock)."""
    session = batch.session
    events = scope_events(batch)
    feed = session.execute(select(Feed).where(Feed.id == 1).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one()
    server_hlc = hlcs.tick(max(feed.hlc, batch.max_hlc),
                           max(batch.server_ms, hlcs.physical_ms(feed.hlc)), server_node)
    seq = feed.seq
    for event in events:
        seq += 1
        event["seq"] = seq
    inserts, updates = [], []
    for w in batch.touched:
        seq += 1
        row = dict(entity=w.entity, id=w.id, customer_id=w.customer_id,
                   owner_id=owner_column(w), team=w.data.get("team") if w.entity == "customers" else None,
                   version=w.version, deleted=w.deleted, data=dump_json(w.data),
                   clocks=dump_json(w.clocks), updated_at=parse_instant(w.data["updated_at"]), seq=seq,
                   digest=record_hash(w.entity, w.id, w.version))
        (inserts if w.created else updates).append(row)
    if events:
        session.execute(insert(ScopeEvent), events)
    if inserts:
        session.execute(insert(Record), inserts)
    if updates:
        session.execute(update(Record), updates)
    if batch.new_seen:
        session.execute(insert(SeenMutation), [
            dict(device_id=s.device_id, mutation_id=s.mutation_id, entity=s.entity,
                 record_id=s.record_id, status=s.status, errors=s.errors) for s in batch.new_seen])
    if batch.dead_letters:
        session.execute(insert(DeadLetter), batch.dead_letters)
    feed.seq = seq
    feed.hlc = server_hlc
    return server_hlc


def owner_column(w):
    if w.entity == "customers":
        return w.data.get("owner_id")
    if w.entity == "follows":
        return w.data.get("user_id")
    if w.entity == "conflicts":
        return w.data.get("lost_by")
    return None


def scope_events(batch):
    """Diff who sees each customer whose scope the batch changed, as feed entries."""
    events = []
    for customer_id, before in batch.scope_before.items():
        after = reps_now(batch, customer_id, from_batch=True)
        when = batch.scope_hlc[customer_id]
        for user_id in sorted(after - before):
            events.append(dict(user_id=user_id, customer_id=customer_id, gained=True, hlc=when))
        for user_id in sorted(before - after):
            events.append(dict(user_id=user_id, customer_id=customer_id, gained=False, hlc=when))
    return events


def known_entity(raw):
    entity = raw.get("entity")
    return entity if isinstance(entity, str) and entity in ENTITIES else None


def canonical_uuid(value):
    """The canonical string of a UUID, or None for anything else."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        return None


def chunks(values, size=500):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]
