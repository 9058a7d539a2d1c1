"""Apply a pushed batch of mutations in one transaction.

Mutations apply in array order against an in-memory working set loaded for the whole batch in
a few queries; each sees the effects of those before it. A rejected mutation leaves the working
set untouched (the effect of a rolled-back savepoint, without a round trip per mutation), so
the batch's writes are bulk statements issued once at the end, after the feed lock is taken.
"""
import json
import uuid

from marshmallow import ValidationError

from . import hlc as hlcs
from .batch import (Batch, Rejected, Seen, Working, canonical_uuid, check_write_scope, customer_of,
                    known_entity, note_scope_change, prefetch, store, team_of, visible)
from .commit import write
from .deal_rules import after_upsert, before_upsert, check_deal_link
from .entities import ALWAYS_SERVER_OWNED, ENTITIES, HISTORY_ENTITIES, ROUTERS, field_errors
from .merge import FieldClock, resolve_field
from .models import Feed
from .mutation import load_mutation
from .validate import load_changes
from .scope import rep_sees
from .wire import iso_from_ms

CONFLICT_NAMESPACE = uuid.UUID("0b6f1c52-7d0e-4a8c-9a55-3f6d2f1e4c11")


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

def apply_one(batch, raw):
    """Apply one mutation and return its result."""
    mutation_id = str(raw["mutation_id"])
    batch.mutation_id = mutation_id
    first = batch.seen.get(mutation_id)
    if first is not None:
        return duplicate_result(batch, mutation_id, first)
    try:
        m = load_mutation(raw)
        m["hlc"] = hlcs.clamp(m["hlc"], batch.server_ms)
        result = apply_upsert(batch, m) if m["op"] == "upsert" else apply_delete(batch, m)
        status = result["status"]
        errors = None
    except ValidationError as err:
        result, status, errors = reject(batch, raw, mutation_id, field_errors(err.messages))
    except Rejected as err:
        result, status, errors = reject(batch, raw, mutation_id, err.errors)
    entity, record_id = known_entity(raw), canonical_uuid(raw.get("record_id"))
    seen = Seen(device_id=batch.actor.device_id, mutation_id=mutation_id,
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
        values = load_changes(entity.schema, changes, partial=current is not None)
    except ValidationError as err:
        raise Rejected(field_errors(err.messages))
    for name in ("contact_ids", "competitors", "situation"):
        if name in values and values[name] is None:
            values[name] = []
    check_edit_rules(batch, entity, current, values)
    check_references(batch, entity, values)
    check_deal_link(batch, entity, values, current)

    before = before_upsert(entity, current)
    if current is None:
        working, lost = create(batch, entity, m, values)
    else:
        check_write_scope(batch, current.customer_id, m["hlc"], record=current)
        working, lost = update_existing(batch, entity, current, m, values)
    after_upsert(batch, entity, before, working, m)
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
        decision = route(data, customer_of(batch, data)) if route else {"route_to": "triage"}
        data["route_to"], data["route_rule"] = decision["route_to"], decision.get("route_rule")
        if decision.get("assignee_id") and not data["assignee_id"]:
            data["assignee_id"] = decision["assignee_id"]

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
    add_history(batch, working, {k: [None, v] for k, v in data.items()
                                 if k in entity.fields and v not in (None, [])}, when)
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
    changed = {k: [before.get(k), v] for k, v in stored.items() if before.get(k) != v}
    if undelete:
        changed["deleted"] = [True, False]
    if not changed:
        return current, lost
    current.data.update(stored)
    for name in stored:
        current.clocks[name] = new_clock.to_list()
    if undelete:
        current.data["deleted"] = False
        current.clocks["deleted"] = new_clock.to_list()
    bump(batch, current, when)
    add_history(batch, current, changed, when)
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
    add_history(batch, current, {"deleted": [False, True]}, when)
    result["record"] = dict(current.data)
    return result

# --- history ------------------------------------------------------------------------------

def add_history(batch, record, changes, when):
    """Keep who changed what and when, for the entities whose story matters."""
    if record.entity not in HISTORY_ENTITIES or not changes:
        return
    history_id = str(uuid.uuid5(CONFLICT_NAMESPACE, f"history:{batch.mutation_id}:{record.id}"))
    data = {"id": history_id, "version": 1, "created_at": batch.now_iso,
            "updated_at": batch.now_iso, "deleted": False, "entity": record.entity,
            "record_id": record.id, "record_version": record.version, "changes": changes,
            "by": batch.actor.user_id, "hlc": when, "at": iso_from_ms(hlcs.physical_ms(when))}
    store(batch, Working("history", history_id, data, {}, record.customer_id, created=True), when)


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

# --- bookkeeping --------------------------------------------------------------------------

def bump(batch, working, when):
    working.data["version"] += 1
    working.data["updated_at"] = batch.now_iso
    store(batch, working, when)
