"""Convergence digests: a cheap fingerprint of a set of records, comparable across machines.

Each live record contributes ``record_hash(entity, id, version)`` (FNV-1a, 32 bits, easy to
compute in the browser too); a set is described by its count and the sum of its hashes. Two
replicas holding the same versions of the same records have equal digests. Buckets split an
entity by the leading hex digits of its ids, so a client can find which ranges differ and
re-pull only those.
"""

from fnv_hash_fast import fnv1a_32
from sqlalchemy import false, func, select

from .models import Record


def record_hash(entity, record_id, version):
    """FNV-1a (32 bits) of ``entity:id:version`` in UTF-8 (a push hashes each record it
    writes: in C, 0.2 us a record against 3.2 us in Python)."""
    return fnv1a_32(f"{entity}:{record_id}:{version}".encode())


def summarise(pairs):
    """Digest of ``(entity, id, version)`` triples, as the server answers it."""
    out: dict[str, dict] = {}
    for entity, record_id, version in pairs:
        entry = out.setdefault(entity, {"count": 0, "sum": 0})
        entry["count"] += 1
        entry["sum"] += record_hash(entity, record_id, version)
    return {e: {"count": v["count"], "sum": str(v["sum"])} for e, v in out.items()}


def live(condition):
    return (condition, Record.deleted == false(), Record.compacted == false())


def scope_digest(session, readable, top):
    """Per entity: count and hash sum of the live records readable, up to feed position top."""
    rows = session.execute(
        select(Record.entity, func.count(), func.sum(Record.digest))
        .where(*live(readable), Record.seq <= top)
        .group_by(Record.entity)
    )
    return {entity: {"count": count, "sum": str(total or 0)} for entity, count, total in rows}


def bucket_digest(session, readable, entity, prefix):
    """Digest of one entity's readable live records whose id starts with ``prefix``,
    split by the next hex digit."""
    depth = len(prefix) + 1
    bucket = func.substr(Record.id, 1, depth)
    rows = session.execute(
        select(bucket, func.count(), func.sum(Record.digest))
        .where(*live(readable), Record.entity == entity, Record.id.like(prefix + "%"))
        .group_by(bucket)
    )
    return {b: {"count": count, "sum": str(total or 0)} for b, count, total in rows}


def records_in_range(session, readable, entity, prefix, limit):
    """The readable live records of an entity whose id starts with ``prefix``, as JSON texts."""
    return list(
        session.execute(
            select(Record.data)
            .where(*live(readable), Record.entity == entity, Record.id.like(prefix + "%"))
            .order_by(Record.id)
            .limit(limit)
        ).scalars()
    )


__all__ = ["record_hash", "summarise", "scope_digest", "bucket_digest", "records_in_range"]
