"""Number a push's changes in commit order and write them in a handful of bulk statements."""

from typing import cast

from sqlalchemy import Table, insert, select, update

from . import clockstore, hlc as hlcs
from .batch import watchers_now
from .digest import record_hash
from .models import DeadLetter, Feed, Record, ScopeEvent, SeenMutation
from .scope import PRIVATE, is_private
from .wire import dump_json, parse_instant


def write(batch, server_node):
    """Take the feed lock, number the changes in commit order, write them in bulk and
    return the server's clock, above every HLC stored (read under the lock)."""
    session = batch.session
    events = scope_events(batch)
    feed = session.execute(
        select(Feed).where(Feed.id == 1).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    server_hlc = hlcs.tick(
        max(feed.hlc, batch.max_hlc), max(batch.server_ms, hlcs.physical_ms(feed.hlc)), server_node
    )
    seq = feed.seq
    for event in events:
        seq += 1
        event["seq"] = seq
    inserts: list[dict] = []
    updates: list[dict] = []
    entities = batch.engine.entities
    for w in batch.touched:
        seq += 1
        entity = entities[w.entity]
        row = dict(
            entity=w.entity,
            id=w.id,
            customer_id=w.scope_id,
            owner_id=w.data.get(entity.owner_field) if entity.owner_field else None,
            team=team_column(entities, entity, w),
            version=w.version,
            deleted=w.deleted,
            data=dump_json(w.data),
            clocks=clockstore.pack(w.clocks),
            updated_at=parse_instant(w.data["updated_at"]),
            seq=seq,
            digest=record_hash(w.entity, w.id, w.version),
        )
        (inserts if w.created else updates).append(row)
    # Core statements (executemany) rather than ORM bulk inserts: same rows, less Python.
    if events:
        session.execute(insert(cast(Table, ScopeEvent.__table__)), events)
    if inserts:
        session.execute(insert(cast(Table, Record.__table__)), inserts)
    if updates:
        session.execute(update(Record), updates)
    if batch.new_seen:
        session.execute(
            insert(cast(Table, SeenMutation.__table__)),
            [
                dict(
                    device_id=s.device_id,
                    mutation_id=s.mutation_id,
                    entity=s.entity,
                    record_id=s.record_id,
                    status=s.status,
                    errors=s.errors,
                )
                for s in batch.new_seen
            ],
        )
    if batch.dead_letters:
        session.execute(insert(cast(Table, DeadLetter.__table__)), batch.dead_letters)
    for written in batch.engine.records_written:  # e.g. the quote search index
        written(session, batch.touched)
    feed.seq = seq
    feed.hlc = server_hlc
    return server_hlc


def team_column(entities, entity, working):
    """What the indexed ``team`` column holds: the private marker, or the entity's team field."""
    if is_private(entities, working.entity, working.data):
        return PRIVATE
    return working.data.get(entity.team_field) if entity.team_field else None


def scope_events(batch):
    """Diff who sees each scope root whose watchers the batch changed, as feed entries.

    The pushing user may have held a root only in the middle of the batch (a membership and
    its removal in one push): the answers handed them its records, so a loss is recorded for
    them too, and their next pull evicts what those answers left on the device. Likewise
    whoever saw a root the server moved records from (a merge) and does not see the root they
    moved to loses that root: their pull evicts the moved records.
    """
    events = []
    actor = batch.actor
    for customer_id, before in batch.scope_before.items():
        after = watchers_now(batch, customer_id, from_batch=True)
        when = batch.scope_hlc[customer_id]
        lost = before - after
        if not actor.sees_everything and actor.user_id not in before | after:
            lost = lost | {actor.user_id}
        for old_root in batch.moved_into.get(customer_id, ()):
            # Records moved here from a root they saw: evicting this root takes them away.
            lost = lost | (batch.scope_before[old_root] - after)
        for user_id in sorted(after - before):
            events.append(dict(user_id=user_id, customer_id=customer_id, gained=True, hlc=when))
        for user_id in sorted(lost):
            events.append(dict(user_id=user_id, customer_id=customer_id, gained=False, hlc=when))
    return events
