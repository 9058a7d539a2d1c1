"""Apply a pushed batch of mutations in one transaction.

Mutations apply in array order against an in-memory working set loaded for the whole batch in
a few queries; each sees the effects of those before it. A rejected mutation leaves the working
set untouched (the effect of a rolled-back savepoint, without a round trip per mutation), so
the batch's writes are bulk statements issued once at the end, after the feed lock is taken.
"""

import hashlib
import json
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from . import hlc as hlcs
from .batch import (
    Batch,
    Seen,
    canonical_uuid,
    check_write_scope,
    known_entity,
    prefetch,
    read_records,
    visible,
)
from .commit import write
from .engine import Actor, Engine
from .entity import ALWAYS_SERVER_OWNED, Rejected, field_errors
from .models import read_feed
from .mutation import load_mutation
from .scope import TEAM_HELP, a_marker
from .validate import load_changes
from .wire import iso_from_ms
from .write import create, delete_record, update_existing


def apply_push(
    session: Session,
    engine: Engine,
    actor: Actor,
    mutations: list[dict[str, Any]],
    *,
    now_ms: int,
    server_node: str = "server",
    scope_grace_ms: int | None = None,
    checked: list["Checked"] | None = None,
    feed_hlc: str | None = None,
    guess_new: bool = False,
) -> tuple[list[dict[str, Any]], str]:
    """Apply ``mutations`` (already checked to be a list of dicts with UUID ids).

    A write to a root lost since its edit lands only within ``scope_grace_ms`` of the loss
    (``None``: any time) and before the device pulled past it. ``checked`` is what
    ``check_ahead`` made of the same mutations, if the caller ran it; ``feed_hlc`` the feed's
    clock, if the caller read it in this request (it is read again under the feed lock before
    anything is written). Return ``(results, server_hlc)``. The caller commits.

    With ``guess_new`` (and ``checked``), the push takes what it usually holds for granted: no
    mutation was pushed before and no record it creates (an upsert with no base version) is
    stored, and reads neither. A wrong guess (a device sending a push again, a record created
    on two devices) breaks a unique key when the push writes (``IntegrityError``), or, for a
    create refused under the guess, is found before anything is written (``WrongGuess``); the
    caller rolls back and applies the push again without the guess.
    """
    if feed_hlc is None:
        feed_hlc = read_feed(session).hlc
    server_ms = max(now_ms, hlcs.physical_ms(feed_hlc))
    batch = Batch(
        session, engine, actor, server_ms, iso_from_ms(now_ms), server_node, grace_ms=scope_grace_ms
    )
    ahead: list[Checked | None] = list(checked) if checked else [None] * len(mutations)
    named = [names(engine, m, c) for m, c in zip(mutations, ahead, strict=True)]
    new = [c is not None and c.creating is True for c in ahead] if guess_new and checked else None
    prefetch(batch, mutations, named, new)
    results = [apply_one(batch, m, c, n) for m, c, n in zip(mutations, ahead, named, strict=True)]
    if new is not None:
        check_guess(batch, named, new, results)
    return results, write(batch, server_node)


class WrongGuess(Exception):
    """A record that ``guess_new`` took as not stored is: apply the push again without it."""


def check_guess(batch, named, new, results):
    """A create refused on the guess that its record is not stored (missing fields, say) must
    not stand if the record is stored: as an edit it may pass. A create that passed is checked by
    the records' key when it is written."""
    doubtful = {
        (entity, record_id)
        for (_, entity, record_id), fresh, result in zip(named, new, results, strict=True)
        if fresh and result["status"] == "rejected"
    }
    if doubtful:
        stored: dict = {}  # apart from the working set: only whether they are stored matters
        read_records(batch.session.connection(), doubtful, False, stored)
        if stored:
            raise WrongGuess


def names(engine, raw, checked):
    """``(mutation_id, entity, record_id)`` of a mutation as stored: the ids canonical (one
    UUID, one mutation, however the device spelled it: braced, in capitals), the entity None
    if unknown, the record id None if no UUID. Read from the mutation checked ahead, if it
    loaded (its ids are canonical already)."""
    m = checked.mutation if checked is not None else None
    if m is not None:
        return m["mutation_id"], m["entity"], m["record_id"]
    return canonical_uuid(raw["mutation_id"]), known_entity(engine, raw), canonical_uuid(raw.get("record_id"))


class Checked:
    """One mutation loaded and its fields checked before the push reads anything stored.

    On SQLite a push holds the database's one write lock from its first read, so what depends
    on nothing stored is done before: the envelope, and the fields as a create (no base
    version) or an edit would load them. The push uses them when the record turns out to be
    what was guessed and its changes were not redirected; otherwise it checks them again.
    """

    __slots__ = ("mutation", "error", "creating", "changes", "values", "ignored", "field_error")

    def __init__(self, raw, engine):
        self.mutation: dict | None = None
        self.error: ValidationError | None = None
        self.field_error: Rejected | None = None
        self.creating: bool | None = None  # None: nothing checked ahead
        try:
            self.mutation = load_mutation(raw, engine)
        except ValidationError as err:
            self.error = err
            return
        m = self.mutation
        entity = engine.entity(m["entity"])
        if m["op"] != "upsert" or not entity.writable:  # a read-only entity is rejected first
            return
        self.creating, self.changes = m["base_version"] is None, m["changes"]
        changes, self.ignored = split_server_owned(entity, self.changes, creating=self.creating)
        try:
            self.values = load_changes(entity.schema, changes, partial=not self.creating)
        except ValidationError as err:
            self.field_error = Rejected(field_errors(err.messages))

    def load(self):
        """The mutation as ``load_mutation`` gives it (a copy: the push changes it)."""
        if self.mutation is None:
            assert self.error is not None
            raise self.error
        return dict(self.mutation)

    def fields(self, m, creating):
        """``(values, ignored)`` as checked ahead, or None if the guess does not hold."""
        if self.creating is None or creating != self.creating or m["changes"] is not self.changes:
            return None
        if self.field_error is not None:
            raise self.field_error
        return dict(self.values), self.ignored


def check_ahead(engine: Engine, mutations: list[dict[str, Any]]) -> list[Checked]:
    """Load and check each mutation as far as nothing stored decides (see ``Checked``)."""
    return [Checked(raw, engine) for raw in mutations]


def apply_one(batch, raw, checked, named):
    """Apply one mutation (``checked``: ``Checked`` or None; ``named``: what ``names`` gives for
    it) and return its result."""
    mutation_id, entity, record_id = named
    batch.mutation_id = mutation_id
    first = batch.seen.get(mutation_id)
    if first is not None:
        return duplicate_result(batch, mutation_id, first)
    try:
        m = checked.load() if checked is not None else load_mutation(raw, batch.engine)
        if hlcs.physical_ms(m["hlc"]) > batch.server_ms:  # loaded: the HLC is well-formed
            m["hlc"] = hlcs.clamp(m["hlc"], batch.server_ms)
        if m["op"] == "upsert":
            redirect(batch, m)
        result = apply_upsert(batch, m, checked) if m["op"] == "upsert" else apply_delete(batch, m)
        status = result["status"]
        errors = None
    except ValidationError as err:
        result, status, errors = reject(
            batch, raw, mutation_id, field_errors(err.messages), entity, record_id
        )
    except Rejected as err:
        result, status, errors = reject(batch, raw, mutation_id, err.errors, entity, record_id)
    seen = Seen(
        device_id=batch.actor.device_id,
        mutation_id=mutation_id,
        entity=entity,
        record_id=record_id,
        status=status,
        errors=json.dumps(errors) if errors else None,
    )
    batch.seen[mutation_id] = seen
    batch.new_seen.append(seen)
    return result


DEAD_LETTER_BYTES = 64 * 1024


def reject(batch, raw, mutation_id, errors, entity, record_id):
    # Plain json.dumps escapes to ASCII: whatever a device sent can be stored and shown. A
    # dead letter keeps its start only, so rejected pushes cannot fill the database.
    text = json.dumps(raw)
    batch.dead_letters.append(
        dict(
            device_id=batch.actor.device_id,
            user_id=batch.actor.user_id,
            mutation_id=mutation_id,
            entity=entity,
            record_id=record_id,
            mutation=text[:DEAD_LETTER_BYTES],
            size=len(text),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            errors=json.dumps(errors)[:DEAD_LETTER_BYTES],
        )
    )
    return {"mutation_id": mutation_id, "status": "rejected", "errors": errors}, "rejected", errors


def duplicate_result(batch, mutation_id, first):
    result = {"mutation_id": mutation_id, "status": "duplicate", "original_status": first.status}
    if first.errors:
        result["errors"] = json.loads(first.errors)
    working = batch.records.get((first.entity, first.record_id))
    if working is not None and not working.compacted and visible(batch, working):
        result["record"] = dict(working.data)
    return result


def apply_upsert(batch, m, checked=None):
    entity = batch.engine.entity(m["entity"])
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

    ahead = checked.fields(m, current is None) if checked is not None else None
    if ahead is not None:
        values, ignored = ahead
    else:
        changes, ignored = split_server_owned(entity, m["changes"], creating=current is None)
        try:
            values = load_changes(entity.schema, changes, partial=current is not None)
        except ValidationError as err:
            raise Rejected(field_errors(err.messages))
    for name in entity.list_fields & values.keys():
        if values[name] is None:
            values[name] = []
    if entity.team_field and a_marker(values.get(entity.team_field)):
        # A customer of team "~personal" would be stored as a personal record: no one's but its owner's.
        raise Rejected({entity.team_field: [TEAM_HELP]})
    if current is None:
        current = same_record(batch, entity, m, values)
        if current is not None:
            # What names the record is the record's already; the rest merges as any write.
            values = {k: v for k, v in values.items() if k in m["changes"] and k not in entity.immutable}
    if current is not None:
        for name in entity.immutable & values.keys():
            if values[name] != current.data.get(name):
                raise Rejected({name: ["cannot be changed after the record is created"]})
    check_references(batch, entity, values, current)
    for rule in entity.rules:
        rule.check(batch, current, values)

    before = None if current is None else dict(current.data)
    if current is None:
        working, lost = create(batch, entity, m["record_id"], values, m["hlc"])
    else:
        if entity.name != batch.engine.scope.membership:
            check_write_scope(batch, current.scope_id, m["hlc"], record=current)
        working, lost = update_existing(
            batch, entity, current, base, values, m["hlc"], redirected=m.get("redirected", False)
        )
    for rule in entity.rules:
        rule.after_write(batch, before, working, m["hlc"])
    result = {"mutation_id": str(m["mutation_id"]), "status": "merged" if lost else "applied"}
    answer_with_record(batch, result, working)
    if lost:
        result["conflicts"] = lost
    if ignored:
        result["ignored"] = ignored
    return result


def same_record(batch, entity, m, values):
    """The record a create stands for by the entity's rules (one record per key): the create is
    applied to it as a write of another device, and the answer carries it."""
    for rule in entity.rules:
        same = rule.same_as(batch, values)
        if same is not None:
            m["record_id"], m["redirected"] = same.id, True
            return same
    return None


def redirect(batch, m):
    """Point an upsert that names a merged scope root at the root it was merged into.

    A device offline during the merge still holds the old root: its edits of it, and its new
    records under it, land on the survivor. Its ``base_version`` was of the old record, so
    the edit of the survivor merges as a concurrent one (the later write wins, the other is
    kept as a conflict), even against the device's own writes of the survivor, which it did not
    mean to replace: nothing it sent is lost.
    """
    scope = batch.engine.scope
    if scope.redirect_field is None:
        return
    entity = batch.engine.entity(m["entity"])
    if entity.name == scope.root:
        survivor = survivor_of(batch, m["record_id"])
        if survivor != m["record_id"]:
            batch.get(scope.root, survivor, lock=True)
            m["record_id"], m["base_version"], m["redirected"] = survivor, None, True
            m["changes"] = {k: v for k, v in m["changes"].items() if k != scope.redirect_field}
    elif entity.scope_field and isinstance(m["changes"].get(entity.scope_field), str):
        named = m["changes"][entity.scope_field]
        survivor = survivor_of(batch, named)
        if survivor != named:  # the usual push names live roots: nothing to copy
            m["changes"] = {**m["changes"], entity.scope_field: survivor}


def survivor_of(batch, root_id):
    """The live root a (possibly merged) root id now stands for."""
    scope = batch.engine.scope
    # The batch already holds every root its mutations name (prefetch): no query per mutation.
    root = batch.records.get((scope.root, root_id))
    for _ in range(16):  # merges chain rarely; a cycle must not hang a push
        # A compacted tombstone keeps its redirect (``kept_when_compacted``); one compacted
        # before it did holds nothing, not even ``deleted``.
        into = root.data.get(scope.redirect_field) if root is not None and root.data.get("deleted") else None
        if not into:
            return root_id
        root_id = into
        batch.get(scope.root, root_id)  # into the working set, compacted or not
        root = batch.records.get((scope.root, root_id))
    return root_id


def split_server_owned(entity, changes, creating):
    owned = server_owned(entity, creating)
    if owned.isdisjoint(changes):  # the usual push: nothing to set aside
        return changes, []
    kept = {k: v for k, v in changes.items() if k not in owned}
    return kept, sorted(k for k in changes if k in owned)


OWNED: dict[tuple[int, bool], tuple[Any, frozenset]] = {}


def server_owned(entity, creating):
    """The fields a client's write of ``entity`` may not set (built once per entity)."""
    known = OWNED.get((id(entity), creating))
    if known is None or known[0] is not entity:
        extra = entity.create_only_server_fields if creating else entity.fixed
        known = OWNED[(id(entity), creating)] = (
            entity,
            frozenset(ALWAYS_SERVER_OWNED | entity.server_fields | extra),
        )
    return known[1]


def check_references(batch, entity, values, current):
    """Every record a write names exists (a tombstone too), and those of ``same_scope`` go with
    the record's scope root; a reference the record holds already is not asked about again."""
    errors: dict[str, list[str]] = {}
    scope_id = current.scope_id if current is not None else values.get(entity.scope_field or "")
    for name, target in entity.references.items():
        value = values.get(name)
        if value is None or (current is not None and value == current.data.get(name)):
            continue
        for ref in value if isinstance(value, list) else [value]:
            if ref is None:
                continue
            found = batch.records.get((target, ref))
            if found is None or found.compacted:
                errors.setdefault(name, []).append(f"{target} {ref} does not exist")
            elif name in entity.same_scope and found.scope_id != scope_id:
                root = batch.engine.scope.root.removesuffix("s")
                errors.setdefault(name, []).append(f"{target} {ref} belongs to another {root}")
    if errors:
        raise Rejected(errors)


def apply_delete(batch, m):
    entity = batch.engine.entity(m["entity"])
    if not entity.writable or not entity.deletable:
        raise Rejected({"entity": [f"{entity.name} cannot be deleted by a client"]})
    current = batch.records.get((entity.name, m["record_id"]))
    result: dict[str, Any] = {"mutation_id": str(m["mutation_id"]), "status": "applied"}
    if current is None or current.compacted:
        return result
    for rule in entity.rules:
        rule.check_delete(batch, current)
    if entity.name != batch.engine.scope.membership:
        check_write_scope(batch, current.scope_id, m["hlc"], record=current)
    if not current.deleted:
        before = dict(current.data)
        delete_record(batch, current, m["base_version"] or 0, m["hlc"])
        for rule in entity.rules:
            rule.after_write(batch, before, current, m["hlc"])
    answer_with_record(batch, result, current)
    return result


def answer_with_record(batch, result, working):
    """Hand the record back only if the pusher may read it now.

    A write that landed within the grace of a lost scope root is not read back: the record is
    no longer the device's, and its eviction may already have been sent (a record handed back
    after it would stay on the device for good).
    """
    if visible(batch, working):
        result["record"] = dict(working.data)
