"""Read the change feed: what changed in a user's scope after a cursor.

The feed is every record in ``seq`` order, merged with the user's scope events: a gained
scope root expands to its live records written before the gain (later ones come by their own
``seq``), a lost one to an ``evict`` per record. The cursor is opaque to clients; it holds the
position ``(seq, key of the last change sent from that entry)``, the high-water mark of an
initial pull (below which only live records are sent) and when it was issued.

A prioritised initial pull sends the records up to its high-water mark in phases: each of the
engine's ``first`` entities in turn, then the rest that belong to no customer, each in ``seq``
order, then the rest customer by customer (ordered by ``customer_id``, then ``seq``), so a device
can keep one customer's history together; its cursor also holds the phase (and, in the last,
the customer). After the last phase it goes on from the high-water mark as any pull does, so
what changed meanwhile comes after what it replaces.
"""

import base64
import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, bindparam, false, or_, select
from sqlalchemy.orm import Session

from . import hlc as hlcs
from .digest import scope_digest
from .engine import Actor, Engine
from .models import OWNER_PART, Record, ScopeEvent, read_feed
from .scope import memberships_readable, owned_anywhere, readable


@dataclass
class Page:
    """One pull answer; each change is already a JSON text."""

    changes: list[str]
    cursor: str
    has_more: bool
    hlc: str
    digest: dict | None = None
    # In a prioritised first pull: whether every record of the first phases has been sent.
    first_done: bool | None = None


class StaleCursor(Exception):
    """The cursor is older than the tombstone window: pull afresh."""


class BadCursor(ValueError):
    """The cursor is not one this server handed out."""


DONE = "~"  # sorts after every entry key: the entry at this position was sent whole


FEED = 0  # the phase of every cursor past the initial pull's high-water mark
MAX_PHASES = 64


def encode_cursor(seq: int, key: str, high_water: int, issued_ms: int, phase: int = FEED) -> str:
    fields = [seq, key, high_water, issued_ms] + ([phase] if phase != FEED else [])
    raw = json.dumps(fields, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str, int, int, int]:
    """``(seq, key, high_water, issued_ms, phase)``; ``phase`` is 1 and up inside the phases
    of a prioritised first pull, ``FEED`` after them."""
    try:
        if len(cursor) > 200:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        seq, key, high_water, issued_ms, *rest = json.loads(raw)
        phase = rest[0] if len(rest) == 1 else FEED
        if (
            len(rest) > 1
            or not all(type(v) is int and 0 <= v < 2**62 for v in (seq, high_water, issued_ms))
            or type(phase) is not int
            or not FEED <= phase <= MAX_PHASES
            or not isinstance(key, str)
            or len(key) > 64
        ):
            raise ValueError
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError):
        raise BadCursor("cursor is not one this server handed out; pull without a cursor")
    return seq, key, high_water, issued_ms, phase


def cursor_start(cursor):
    """The first feed position a device holding ``cursor`` has not been sent whole (none yet
    inside the phases of a prioritised first pull: it holds only part of the scope)."""
    seq, key, _, _, phase = decode_cursor(cursor)
    if phase != FEED:
        return 0
    return seq + 1 if key == DONE else seq


def changes_since(
    session: Session,
    engine: Engine,
    actor: Actor,
    cursor: str | None,
    limit: int,
    *,
    now_ms: int,
    window_ms: int,
    server_node: str = "server",
    with_digest: bool = False,
    first: bool = False,
) -> Page:
    """Return the next ``Page`` of changes after ``cursor``.

    Each change is a JSON text, so stored records are sent without being decoded again. The
    digest (asked for, on the last page only) describes the scope as of the returned cursor;
    the caller runs the whole read in one snapshot. ``first``, without a cursor, starts a
    prioritised first pull (the engine's ``first`` entities before the rest).
    """
    feed = read_feed(session)
    top = feed.seq  # every position up to here is committed: pushes number in commit order
    phase = FEED
    if cursor:
        seq, key, high_water, issued_ms, phase = decode_cursor(cursor)
        check_fresh(feed, seq, high_water, issued_ms, now_ms, window_ms)
        if phase > len(engine.first) + 2:
            raise BadCursor("cursor is not one this server handed out; pull without a cursor")
    else:
        seq, key, high_water = 0, "", top
        if first:
            phase = 1
    if phase != FEED:
        server_hlc = hlcs.tick(feed.hlc, now_ms, server_node)
        return phased_page(
            session, engine, actor, (seq, key), high_water, phase, limit, top, now_ms, server_hlc, with_digest
        )

    # Everything at the cursor's position was sent unless an expansion stopped inside it:
    # reading that position again would spend the page's room on changes already sent, and a
    # page of one would never move.
    start = seq + 1 if key == DONE else seq
    connection = session.connection()
    by_position = connection.dialect.name == "sqlite"
    # Walk the feed in order and stop at the page's end. With statistics older than the feed's
    # growth (a bulk load, a busy hour before autovacuum's ANALYZE) PostgreSQL took every row up
    # to the head through a bitmap and sorted them, for every page: 19 ms for a page of 500
    # among 10,000 records, against 0.7 ms in order (EXPLAIN ANALYZE).
    rows = in_index_order(
        connection,
        not by_position,
        feed_page(engine, actor, by_position),
        {
            "reader_id": actor.user_id,
            "reader_team": actor.team,
            "start": start,
            "top": top,
            "high_water": high_water,
            "rows": limit + 1,
        },
    )
    # Everyone reads their scope events: a role change gains or loses roots for anyone.
    events = connection.execute(
        EVENTS_PAGE,
        {"user_id": actor.user_id, "start": max(start, high_water + 1), "top": top, "rows": limit + 1},
    ).all()

    # Merge only up to the last position both lists are complete for.
    boundary = top
    for fetched in (rows, events):
        if len(fetched) > limit:
            boundary = min(boundary, fetched[-1].seq - 1)
    stream: Iterator[tuple[int, int, Any]] = heapq.merge(
        ((r.seq, 0, r) for r in rows), ((e.seq, 1, e) for e in events)
    )

    out: list[str] = []
    position, truncated = (seq, key), False
    for item_seq, kind, item in stream:
        if item_seq > boundary:
            break
        entries = (
            [(DONE, change(item.entity, item.data))] if kind == 0 else expand(session, engine, actor, item)
        )
        for entry_key, entry in entries:
            if item_seq == seq and entry_key <= key:
                continue  # sent by the page before
            if len(out) == limit:
                truncated = True
                break
            out.append(entry)
            position = (item_seq, entry_key)
        if truncated:
            break
        position = (item_seq, DONE)
    if not truncated and boundary == top:
        position = max(position, (top + 1, ""))
    has_more = truncated or boundary < top
    next_cursor = encode_cursor(position[0], position[1], high_water, now_ms)
    server_hlc = hlcs.tick(feed.hlc, now_ms, server_node)
    digest = scope_digest(session, readable(engine, actor), top) if with_digest and not has_more else None
    return Page(out, next_cursor, has_more, server_hlc, digest)


def check_fresh(feed, seq, high_water, issued_ms, now_ms, window_ms):
    """Raise ``StaleCursor`` for a cursor older than the tombstone window or than a compaction."""
    # A first pull in pages sends only live records up to its high-water mark, so only
    # tombstones compacted above that mark can be missing from what the device was sent.
    if now_ms - issued_ms > window_ms or (seq <= feed.compacted_seq and feed.compacted_seq > high_water):
        raise StaleCursor("cursor_expired")


def caught_up(cursor: str | None, feed: Any, *, now_ms: int, window_ms: int, server_node: str) -> Page | None:
    """The answer ``changes_since`` gives a cursor past the feed's head (``feed``: its ``seq``,
    ``hlc`` and ``compacted_seq``), made without reading the feed; None when there may be
    changes after the cursor. Most pulls of a fleet at rest are this: nothing new."""
    if not cursor:
        return None
    seq, key, high_water, issued_ms, phase = decode_cursor(cursor)
    if phase != FEED or (seq + 1 if key == DONE else seq) <= feed.seq:
        return None
    check_fresh(feed, seq, high_water, issued_ms, now_ms, window_ms)
    position = max((seq, key), (feed.seq + 1, ""))
    cursor = encode_cursor(position[0], position[1], high_water, now_ms)
    return Page([], cursor, False, hlcs.tick(feed.hlc, now_ms, server_node))


def phased_page(
    session, engine, actor, position, high_water, phase, limit, top, now_ms, server_hlc, with_digest
):
    """One page of a prioritised first pull: the live records up to ``high_water``, phase by
    phase (each ``first`` entity, then every other one of no customer, each in ``seq`` order;
    then every other one by customer). ``position`` is the cursor's ``(seq, key)``: the last
    record sent is the one at ``seq``, of the customer ``key`` in the last phase."""
    connection = session.connection()
    by_position = connection.dialect.name == "sqlite"
    by_customer = len(engine.first) + 2
    after, key = position
    customer = key if phase == by_customer else ""
    out: list[str] = []
    while phase != FEED and len(out) < limit:
        room = limit - len(out)
        kind = "entity" if phase < by_customer - 1 else "unowned" if phase < by_customer else "by_customer"
        # By customer: walk the customer index and sort each customer's few records, stopping
        # at the page's end. With statistics older than the data PostgreSQL sorted every record
        # left, data and all, on disk: 110 ms a page of 2,000 among 66,000, against 17 ms
        # (EXPLAIN ANALYZE, bench/pwa_bench.py's data).
        rows = in_index_order(
            connection,
            kind == "by_customer" and not by_position,
            snapshot_page(engine, actor, by_position, kind),
            {
                "reader_id": actor.user_id,
                "reader_team": actor.team,
                "after": after,
                "customer": customer,
                "high_water": high_water,
                "entity": engine.first[phase - 1] if kind == "entity" else None,
                "first": engine.first,
                "rows": room + 1,
            },
        )
        out.extend(change(r.entity, r.data) for r in rows[:room])
        if len(rows) > room:
            after, customer = rows[room - 1].seq, rows[room - 1].customer_id or ""
        else:
            after, customer, phase = 0, "", (phase + 1 if phase < by_customer else FEED)
    if phase == FEED:
        # Every record up to the high-water mark is sent: on from there, as any pull goes.
        has_more = top > high_water
        next_cursor = encode_cursor(high_water, DONE, high_water, now_ms)
        digest = scope_digest(session, readable(engine, actor), top) if with_digest and not has_more else None
        return Page(out, next_cursor, has_more, server_hlc, digest, first_done=True)
    next_cursor = encode_cursor(after, customer if phase == by_customer else DONE, high_water, now_ms, phase)
    return Page(out, next_cursor, True, server_hlc, first_done=phase >= by_customer - 1)


def in_index_order(connection, sorts_off, statement, params):
    """The rows of ``statement``; with ``sorts_off`` (PostgreSQL) the planner may not sort them
    whole, so it walks an index in the order asked for and stops at the ``LIMIT``."""
    if sorts_off:
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
    rows = connection.execute(statement, params).all()
    if sorts_off:
        connection.exec_driver_sql("SET LOCAL enable_sort TO DEFAULT")
    return rows


def snapshot_page(engine, actor, by_position, kind):
    """The read of one page of a phase of a prioritised first pull, built once per kind:
    ``entity`` (one of the engine's ``first``), ``unowned`` (the rest of no customer) or
    ``by_customer`` (the rest of every customer, in customer order)."""
    key = (
        "snapshot_page",
        actor.sees_everything,
        actor.reads_private,
        actor.team is not None,
        by_position,
        kind,
    )
    statement = engine.statements.get(key)
    if statement is None:
        common = [
            Record.seq <= bindparam("high_water"),
            readable(engine, Reader(actor), by_position=by_position),
            Record.deleted == false(),
        ]
        if kind == "entity":
            where = [Record.entity == bindparam("entity"), Record.seq > bindparam("after")]
            order: list = [Record.seq]
        else:
            where = [Record.entity.not_in(bindparam("first", expanding=True))]
            if kind == "unowned":
                where += [Record.customer_id.is_(None), Record.seq > bindparam("after")]
                order = [Record.seq]
            else:
                # After the position (customer, seq): the customer's later records, then the
                # customers after it (NULL, no customer, is in neither).
                customer = bindparam("customer", type_=String)
                where += [
                    Record.customer_id >= customer,
                    or_(Record.customer_id > customer, Record.seq > bindparam("after")),
                ]
                order = [Record.customer_id, Record.seq]
        statement = engine.statements[key] = (
            select(Record.seq, Record.entity, Record.data, Record.customer_id)
            .where(*where, *common)
            .order_by(*order)
            .limit(bindparam("rows", type_=Integer))
        )
    return statement


class Reader:
    """An actor whose id and team are bound parameters, to build a statement for every actor
    of one kind."""

    def __init__(self, actor):
        self.user_id: Any = bindparam("reader_id")
        self.team: Any = bindparam("reader_team") if actor.team is not None else None
        self.sees_everything, self.reads_private = actor.sees_everything, actor.reads_private


def feed_page(engine, actor, by_position):
    """The read of one page of the feed for actors like ``actor``, built once per kind."""
    key = ("feed_page", actor.sees_everything, actor.reads_private, actor.team is not None, by_position)
    statement = engine.statements.get(key)
    if statement is None:
        statement = engine.statements[key] = (
            select(Record.seq, Record.entity, Record.data)
            .where(
                Record.seq >= bindparam("start"),
                Record.seq <= bindparam("top"),
                readable(engine, Reader(actor), by_position=by_position),
                or_(Record.seq > bindparam("high_water"), Record.deleted == false()),
            )
            .order_by(Record.seq)
            .limit(bindparam("rows", type_=Integer))
        )
    return statement


EVENTS_PAGE = (
    select(ScopeEvent.seq, ScopeEvent.customer_id, ScopeEvent.gained, ScopeEvent.part)
    .where(
        ScopeEvent.user_id == bindparam("user_id"),
        ScopeEvent.seq >= bindparam("start"),
        ScopeEvent.seq <= bindparam("top"),
    )
    .order_by(ScopeEvent.seq)
    .limit(bindparam("rows", type_=Integer))
)


def change(entity, data):
    return '{"entity":"%s","record":%s}' % (entity, data)


def expand(session, engine, actor, event):
    """Turn a scope event into ``(key, change)`` pairs for the user's device, parents first."""
    order = {name: rank for rank, name in enumerate(engine.order)}
    query = select(Record.entity, Record.id, Record.data).where(Record.customer_id == event.customer_id)
    if event.part == OWNER_PART:
        # Who else asked to follow a root its reader no longer owns (each id, as for a loss).
        if actor.reads_private:
            return []
        query = query.where(Record.entity == engine.scope.membership, Record.owner_id != actor.user_id)
    elif event.gained:
        query = query.where(Record.seq < event.seq, Record.deleted == false(), Record.compacted == false())
        if not actor.reads_private:
            query = query.where(memberships_readable(engine, actor))
    else:
        # Every id, compacted tombstones too: the device may still hold one live.
        query = query.where(
            or_(Record.entity.not_in(owned_anywhere(engine)), Record.owner_id != actor.user_id)
        )
    entries = []
    for r in session.execute(query):
        key = f"{order[r.entity]}:{r.id}"
        if event.gained:
            entries.append((key, change(r.entity, r.data)))
        else:
            entries.append((key, '{"entity":"%s","id":"%s","evict":true}' % (r.entity, r.id)))
    return sorted(entries)
