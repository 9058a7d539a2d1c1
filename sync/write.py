"""Writing records: create, update and delete with versions, field clocks, conflicts and
history. The push applies clients' mutations through these; ``write_changes`` (outside a
push) and ``Batch.change`` (inside one) are the one way the server changes a record itself.
"""

import uuid
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from . import hlc as hlcs
from .batch import Batch, Working, check_write_scope, load_records, note_scope_change, store
from .commit import write
from .engine import Actor, Engine
from .entity import Rejected
from .merge import FieldClock, resolve_field
from .models import Feed, read_feed
from .scope import sees
from .wire import iso_from_ms

CONFLICT_NAMESPACE = uuid.UUID("0b6f1c52-7d0e-4a8c-9a55-3f6d2f1e4c11")


def ensure_feed(session: Session) -> None:
    """Create the feed row if the database is new."""
    if session.get(Feed, 1) is None:
        session.add(Feed(id=1, seq=0, hlc=hlcs.ZERO, compacted_seq=0))
        session.flush()


def write_changes(
    session: Session,
    engine: Engine,
    actor: Actor,
    changes: Iterable[tuple[str, str, dict[str, Any] | None]],
    *,
    now_ms: int,
    server_node: str = "server",
    fills: Iterable[tuple[str, str, dict[str, Any]]] = (),
) -> list[dict[str, Any] | None]:
    """Apply server-side changes ``[(entity, record_id, values)]`` in the caller's transaction.

    Each becomes a versioned change with the server's clock, numbered in the feed in commit
    order like any pushed edit; ``values`` may be ``None`` to delete, and holds
    ``"deleted": False`` to bring a tombstone back. ``fills``, written after them, give only
    the fields a live record still leaves empty, and yield to a device's edit of those fields
    (see ``put``). Return the stored records of ``changes`` (None for a record that does not
    exist and was only to be deleted). The caller commits.
    """
    changes, fills = list(changes), list(fills)
    ensure_feed(session)
    session.flush()  # the feed row as this transaction left it, through the ORM or not
    feed = read_feed(session)
    server_ms = max(now_ms, hlcs.physical_ms(feed.hlc))
    batch = Batch(session, engine, actor, server_ms, iso_from_ms(now_ms), server_node)
    load_records(batch, {(entity, record_id) for entity, record_id, _ in changes + fills}, lock=True)
    when = hlcs.tick(max(feed.hlc, batch.max_hlc), server_ms, server_node)
    # History and conflict ids derive from the mutation: each server write is one of its own.
    batch.mutation_id = f"server:{when}"
    stored = []
    filling = {(entity, record_id): values for entity, record_id, values in fills}
    for entity, record_id, values in changes:
        fill = filling.pop((entity, record_id), None)  # one version of a record for both
        working = put(
            batch, engine.entity(entity), record_id, values or {}, when, delete=values is None, fills=fill
        )
        stored.append(dict(working.data) if working is not None else None)
    for (entity, record_id), fill in filling.items():
        put(batch, engine.entity(entity), record_id, {}, when, fills=fill)
    if batch.touched:
        write(batch, server_node)
    return stored


def put(batch, entity, record_id, values, hlc, delete=False, fills=None):
    """Create, change or delete one record as the server; no client rule applies.

    A tombstone stays one unless ``values`` holds ``"deleted": False``. Only the server may
    change a record's scope field (it moves the record to another scope root, as when two
    roots are merged); immutable fields bind clients, not the server.

    ``fills`` (an Excel list filling in what the app left blank) are written only to fields of
    a live record that are empty as they are written, whatever the caller read before. Each
    filled field keeps the time of the empty value it replaces, so an edit of it that a device
    made unseen (offline, before the fill) wins when it arrives, and the file's value becomes
    the conflict: the app's word is newer than the file's. A fill makes no record.
    """
    values = dict(values)
    undelete = values.pop("deleted", None) is False
    current = batch.get(entity.name, record_id, lock=True)
    if delete:
        if current is not None and not current.deleted:
            delete_record(batch, current, current.version, hlc)
        return current
    if current is None:
        if fills is not None and not values:
            return None  # a fill makes no record, nor finds fault with a deleted one
        if batch.records.get((entity.name, record_id)) is not None:
            raise Rejected({"record_id": ["deleted"]})
        working, _ = create(batch, entity, record_id, values, hlc, checked=False)
        return working
    if current.deleted and not undelete:
        return current
    filled = {
        k: v
        for k, v in (fills or {}).items()
        if k not in values and empty(current.data.get(k)) and not empty(v)
    }
    values |= filled
    moved_to = values.get(entity.scope_field) if entity.scope_field else None
    if moved_to is not None and moved_to != current.scope_id:
        for root_id in (current.scope_id, moved_to):  # who sees each is read from the root
            batch.get(batch.engine.scope.root, root_id)
        note_scope_change(batch, current.scope_id, hlc)
        note_scope_change(batch, moved_to, hlc)
        # Whoever saw the record under its old root and does not see the new one must have it
        # evicted (a membership too: a customer's owner sees who follows it): an eviction of
        # the new root reaches them (see scope_events).
        batch.moved_into.setdefault(moved_to, set()).add(current.scope_id)
    working, _ = update_existing(batch, entity, current, current.version, values, hlc, yielding=filled.keys())
    if moved_to is not None:
        working.scope_id = moved_to
    return working


def create(batch, entity, record_id, values, when, checked=True):
    """Store a new record; with ``checked`` the actor must be allowed to write its scope."""
    actor, scope = batch.actor, batch.engine.scope
    template, lists, authored = blank(entity)
    data = template.copy()
    data["id"], data["created_at"], data["updated_at"] = record_id, batch.now_iso, batch.now_iso
    for name in lists:  # each record its own list
        data[name] = list(data[name])
    data.update(values)
    if authored:
        data["author_id"] = actor.user_id
    for rule in entity.rules:
        rule.on_create(batch, data, when)

    if entity.name == scope.root:
        scope_id = data["id"]
        if (
            checked
            and not actor.sees_everything
            and not sees(actor, data.get(entity.owner_field), data.get(entity.team_field), False)
        ):
            raise Rejected({entity.owner_field: ["you can only create records that you or your team own"]})
    else:
        scope_id = data.get(entity.scope_field) if entity.scope_field else None
        if checked and scope_id is not None and entity.name != scope.membership:
            check_write_scope(batch, scope_id, when)

    clock = FieldClock(when, 1, actor.device_id, actor.user_id).to_list()
    working = Working(
        entity.name, data["id"], data, dict.fromkeys(entity.fields, clock), scope_id, created=True
    )
    if entity.name in (scope.root, scope.membership):
        note_scope_change(batch, scope_id, when)
    store(batch, working, when)
    if entity.keeps_history:
        add_history(
            batch,
            working,
            {k: [None, v] for k, v in data.items() if k in entity.fields and v not in (None, [])},
            when,
        )
    return working, []


BLANKS: dict[int, tuple[Any, dict[str, Any], list[str], bool]] = {}


def blank(entity):
    """``(data, list defaults, authored)``: a new record of ``entity`` before its id, instants
    and values, in the order its JSON is written; built once per entity."""
    known = BLANKS.get(id(entity))
    if known is None or known[0] is not entity:
        data = {"id": None, "version": 1, "created_at": None, "updated_at": None, "deleted": False}
        data.update(dict.fromkeys(entity.fields))
        data.update(entity.defaults)
        lists = [k for k, v in entity.defaults.items() if isinstance(v, list)]
        known = BLANKS[id(entity)] = (entity, data, lists, "author_id" in entity.fields)
    return known[1:]


def empty(value):
    """Whether a field's value is one a fill fills: none, or an empty text or list."""
    return value is None or value == "" or value == []


def update_existing(batch, entity, current, base, values, when, redirected=False, yielding=frozenset()):
    """Merge ``values`` into a stored record field by field; return it and the lost writes.

    A ``redirected`` write was meant for another record: it has seen none of this one's fields,
    not even those its own device wrote, and what it writes is no device's own write of this
    record (its clock names no device), so the device's later edits do not silently replace it.
    The fields named in ``yielding`` keep the HLC their stored values had (``put``'s fills).
    """
    actor, scope = batch.actor, batch.engine.scope
    writer = None if redirected else actor.device_id
    if current.deleted:
        if base is None or base < current.version:
            lost = [conflict(batch, current, "deleted", True, current.clocks.get("deleted"), values, when)]
            return current, lost
        undelete = True
    else:
        undelete = False

    before = dict(current.data)
    new_version = current.version + 1
    new_clock = FieldClock(when, new_version, writer, actor.user_id)
    for rule in entity.rules:
        rule.prepare_update(batch, current, values)
    lost, stored = [], {}
    # Fields this write won with the value another device had given them unseen: two devices
    # said the same thing independently, so the field's clock names neither device (neither's
    # later edit replaces the other's word as its own).
    agreed = set()
    for name, value in values.items():
        clock = current.clocks.get(name)
        outcome = resolve_field(FieldClock.from_list(clock) if clock else None, base, when, writer)
        if outcome.pushed_wins:
            if outcome.concurrent and before.get(name) != value:
                conflict_from_stored(batch, current, name, before.get(name), clock, value, when)
            elif outcome.concurrent:
                agreed.add(name)
            stored[name] = value
        elif before.get(name) != value:
            lost.append(conflict(batch, current, name, before.get(name), clock, value, when))
    for rule in entity.rules:
        rule.on_update(batch, current, stored, when)
    if entity.name in (scope.root, scope.membership) and (
        undelete or scope_fields(batch.engine, entity) & stored.keys()
    ):
        note_scope_change(batch, current.scope_id, when)
    changed = {k: [before.get(k), v] for k, v in stored.items() if before.get(k) != v}
    if undelete:
        changed["deleted"] = [True, False]
    if not changed:
        if stored:
            # Every value it won was the record's already: no new version, but the fields now
            # hold what this write said at its clock, so an older concurrent write arriving
            # later loses to it (a conflict) rather than silently undoing it.
            stamp(current, stored, agreed, FieldClock(when, current.version, writer, actor.user_id))
            current.changed = current.changed or set()
            store(batch, current, when)
        return current, lost
    prior = {name: current.clocks.get(name) for name in yielding}
    current.data.update(stored)
    stamp(current, stored, agreed, new_clock)
    for name, clock in prior.items():
        current.clocks[name] = replace(new_clock, hlc=clock[0] if clock else hlcs.ZERO).to_list()
    if undelete:
        current.data["deleted"] = False
        current.clocks["deleted"] = new_clock.to_list()
    bump(batch, current, when, changed)
    add_history(batch, current, changed, when)
    return current, lost


def stamp(current, names, agreed, clock):
    """Give the fields a write won its clock; those in ``agreed`` (see ``update_existing``) the
    same clock naming no device."""
    shared = replace(clock, device_id=None)
    for name in names:
        current.clocks[name] = (shared if name in agreed else clock).to_list()


def scope_fields(engine, entity):
    """The fields of a root or membership record that decide who sees the root."""
    names = {entity.owner_field, entity.team_field} - {None}
    return names | engine.scope.decisive_fields


def delete_record(batch, current, base, when):
    """Tombstone a record; each user's edits it discards become one conflict on ``deleted``."""
    actor, scope = batch.actor, batch.engine.scope
    discarded: dict[str, dict[str, tuple[Any, FieldClock]]] = {}
    for name, clock in current.clocks.items():
        stored = FieldClock.from_list(clock)
        if name != "deleted" and stored.version > base and stored.device_id != actor.device_id:
            discarded.setdefault(stored.user_id, {})[name] = (current.data.get(name), stored)
    for _user_id, fields_ in sorted(discarded.items()):
        lost_value = {name: value for name, (value, _) in fields_.items()}
        lost_clock = max((c for _, c in fields_.values()), key=lambda c: c.hlc)
        add_conflict(
            batch,
            current,
            "deleted",
            True,
            actor.user_id,
            when,
            lost_value,
            lost_clock.user_id,
            lost_clock.hlc,
        )
    current.data["deleted"] = True
    current.clocks["deleted"] = FieldClock(
        when, current.version + 1, actor.device_id, actor.user_id
    ).to_list()
    if current.entity in (scope.root, scope.membership):
        note_scope_change(batch, current.scope_id, when)
    bump(batch, current, when, ("deleted",))
    add_history(batch, current, {"deleted": [False, True]}, when)


def add_history(batch, record, changes, when):
    """Keep who changed what and when, for the entities whose story matters."""
    if not changes or not batch.engine.entity(record.entity).keeps_history:
        return
    history_id = str(uuid.uuid5(CONFLICT_NAMESPACE, f"history:{batch.mutation_id}:{record.id}"))
    data = {
        "id": history_id,
        "version": 1,
        "created_at": batch.now_iso,
        "updated_at": batch.now_iso,
        "deleted": False,
        "entity": record.entity,
        "record_id": record.id,
        "record_version": record.version,
        "changes": changes,
        "by": batch.actor.user_id,
        "hlc": when,
        "at": iso_from_ms(hlcs.physical_ms(when)),
    }
    store(batch, Working("history", history_id, data, {}, record.scope_id, created=True), when)


def conflict(batch, record, name, kept_value, kept_clock, lost_value, lost_hlc):
    """Keep the pushed value that lost to a concurrent write; return the conflict record."""
    kept = FieldClock.from_list(kept_clock) if kept_clock else None
    return add_conflict(
        batch,
        record,
        name,
        kept_value,
        kept.user_id if kept else None,
        kept.hlc if kept else None,
        lost_value,
        batch.actor.user_id,
        lost_hlc,
    )


def conflict_from_stored(batch, record, name, stored_value, stored_clock, pushed_value, pushed_hlc):
    """Keep the stored value that a concurrent pushed write beat."""
    lost = FieldClock.from_list(stored_clock)
    add_conflict(
        batch,
        record,
        name,
        pushed_value,
        batch.actor.user_id,
        pushed_hlc,
        stored_value,
        lost.user_id,
        lost.hlc,
    )


def add_conflict(batch, record, name, kept_value, kept_by, kept_hlc, lost_value, lost_by, lost_hlc):
    key = f"{batch.mutation_id}:{record.entity}:{record.id}:{name}:{lost_by}"
    conflict_id = str(uuid.uuid5(CONFLICT_NAMESPACE, key))
    data = {
        "id": conflict_id,
        "version": 1,
        "created_at": batch.now_iso,
        "updated_at": batch.now_iso,
        "deleted": False,
        "entity": record.entity,
        "record_id": record.id,
        "field": name,
        "kept_value": kept_value,
        "kept_by": kept_by,
        "kept_hlc": kept_hlc,
        "lost_value": lost_value,
        "lost_by": lost_by,
        "lost_hlc": lost_hlc,
        "resolved": False,
    }
    working = Working("conflicts", conflict_id, data, {}, record.scope_id, created=True)
    if batch.records.get(("conflicts", conflict_id)) is None:
        store(batch, working, kept_hlc or lost_hlc)
    return data


def bump(batch, working, when, fields):
    """A new version of ``working``, whose ``fields`` changed."""
    working.changed = set(fields) if working.changed is None else working.changed | set(fields)
    working.data["version"] += 1
    working.data["updated_at"] = batch.now_iso
    store(batch, working, when)
