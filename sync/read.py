"""Reading stored records for the server's features, always through the reader's scope.

Features never parse the engine's storage themselves: they ask for the live records of an
entity that an actor may read (or, for server-side work such as an out-of-scope name search,
every live record) and get plain dicts in their wire form.
"""

import json

from sqlalchemy import false, select

from .models import Record
from .scope import readable


def live_records(session, entity, *, engine=None, actor=None, ids=None, scope_ids=None, where=(), limit=None):
    """The live records of ``entity`` as dicts, read by ``actor`` when one is given.

    ``ids`` keeps only those records, ``scope_ids`` only those going with these scope roots;
    ``where`` adds SQLAlchemy conditions over ``sync.models.Record``.
    """
    query = select(Record.data).where(
        Record.entity == entity, Record.deleted == false(), Record.compacted == false(), *where
    )
    if actor is not None:
        query = query.where(readable(engine, actor))
    if ids is not None:
        query = query.where(Record.id.in_(sorted(set(ids))))
    if scope_ids is not None:
        query = query.where(Record.customer_id.in_(sorted(set(scope_ids))))
    if limit is not None:
        query = query.limit(limit)
    return [json.loads(data) for data in session.execute(query.order_by(Record.seq)).scalars()]


def live_record(session, entity, record_id, *, engine=None, actor=None):
    """One live record of ``entity`` as a dict, or None (also when ``actor`` may not read it)."""
    found = live_records(session, entity, engine=engine, actor=actor, ids=[record_id])
    return found[0] if found else None


def stored_record(session, entity, record_id):
    """A record as stored, tombstones included (None when unknown or compacted)."""
    data = session.execute(
        select(Record.data).where(
            Record.entity == entity, Record.id == record_id, Record.compacted == false()
        )
    ).scalar()
    return json.loads(data) if data else None


__all__ = ["live_records", "live_record", "stored_record", "readable"]
