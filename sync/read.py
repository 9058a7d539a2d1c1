"""Reading stored records for the server's features, always through the reader's scope.

Features never parse the engine's storage themselves: they ask for the live records of an
entity that an actor may read (or, for server-side work such as an out-of-scope name search,
every live record) and get plain dicts in their wire form.
"""

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session

from .engine import Actor, Engine
from .models import Record
from .scope import readable


def live_records(
    session: Session,
    entity: str,
    *,
    engine: Engine | None = None,
    actor: Actor | None = None,
    ids: Iterable[str] | None = None,
    scope_ids: Iterable[str] | None = None,
    where: Iterable[ColumnElement[bool]] = (),
    limit: int | None = None,
) -> list[dict[str, Any]]:
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
    return [json.loads(str(data)) for data in session.execute(query.order_by(Record.seq)).scalars()]


def live_record(
    session: Session, entity: str, record_id: str, *, engine: Engine | None = None, actor: Actor | None = None
) -> dict[str, Any] | None:
    """One live record of ``entity`` as a dict, or None (also when ``actor`` may not read it)."""
    found = live_records(session, entity, engine=engine, actor=actor, ids=[record_id])
    return found[0] if found else None


def stored_record(session: Session, entity: str, record_id: str) -> dict[str, Any] | None:
    """A record as stored, tombstones included (None when unknown or compacted)."""
    data: str | None = session.execute(
        select(Record.data).where(
            Record.entity == entity, Record.id == record_id, Record.compacted == false()
        )
    ).scalar()
    return json.loads(data) if data else None


__all__ = ["live_records", "live_record", "stored_record", "readable"]
