"""A user whose role or team changed gains and loses scope roots like any other scope change:
as scope events in their feed, so every device of theirs receives the gains and evictions."""

from typing import cast

from sqlalchemy import Table, false, insert, select

from . import hlc as hlcs
from .models import OWNER_PART, Feed, Record, ScopeEvent
from .scope import root_ids_in_scope
from .write import ensure_feed


def roots_seen(session, engine, actor):
    """The ids of every scope root the actor sees."""
    if actor.sees_everything:
        query = select(Record.id).where(Record.entity == engine.scope.root)
    else:
        query = root_ids_in_scope(engine, actor)
    return set(session.execute(query).scalars())


def move_scope(session, engine, before, after, *, now_ms, server_node="server"):
    """Write the scope events of one user seen first as ``before``, now as ``after`` (two
    ``Actor`` values of the same user); return how many roots were gained and lost. The
    caller commits, in the transaction that changes the user."""
    ensure_feed(session)
    old, new = roots_seen(session, engine, before), roots_seen(session, engine, after)
    gained, lost = sorted(new - old), sorted(old - new)
    parted = owners_part_lost(session, engine, before, after, old & new)
    if not gained and not lost and not parted:
        return 0, 0
    feed = session.execute(
        select(Feed).where(Feed.id == 1).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    when = hlcs.tick(feed.hlc, max(now_ms, hlcs.physical_ms(feed.hlc)), server_node)
    seq, events = feed.seq, []
    rows = (
        [(r, True, None) for r in gained]
        + [(r, False, None) for r in lost]
        + [(r, False, OWNER_PART) for r in parted]
    )
    for root_id, was_gained, part in rows:
        seq += 1
        events.append(
            dict(seq=seq, user_id=after.user_id, customer_id=root_id, gained=was_gained, hlc=when, part=part)
        )
    session.execute(insert(cast(Table, ScopeEvent.__table__)), events)
    feed.seq, feed.hlc = seq, when
    return len(gained), len(lost)


def owners_part_lost(session, engine, before, after, kept):
    """The roots a user keeps but whose others' memberships they no longer read, when they stop
    reading every private record (an office user made a rep or a technician): each root not
    their own that someone else is a member of. Only those: the event evicts memberships, and a
    technician, who sees every root, would otherwise get one for each of thousands."""
    if not before.reads_private or after.reads_private or not kept:
        return []
    others = select(Record.customer_id).where(
        Record.entity == engine.scope.membership,
        Record.owner_id != after.user_id,
        Record.deleted == false(),
    )
    owned = select(Record.id).where(Record.entity == engine.scope.root, Record.owner_id == after.user_id)
    followed = session.execute(others.where(Record.customer_id.not_in(owned)).distinct()).scalars()
    return sorted(kept & set(followed))
