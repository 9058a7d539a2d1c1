"""Tombstone compaction: forget the content of records deleted longer ago than the window.

The id stays (``compacted``), so an upsert of it is rejected rather than resurrecting the
record, and ``feed.compacted_seq`` makes a cursor from before the compaction answer 410. An
entity's ``kept_when_compacted`` fields stay too: a merged root's survivor, say, to which a
device offline past the window still sends what it wrote.
"""

from sqlalchemy import delete, func, select, true, update

from .models import Feed, Record, SeenMutation
from .wire import dump_json, load_json


def compact_tombstones(session, engine, before):
    """Compact tombstones last changed before ``before`` (aware datetime); return how many."""
    condition = (Record.deleted == true(), Record.compacted.is_(False), Record.updated_at < before)
    top = session.execute(select(func.max(Record.seq)).where(*condition)).scalar()
    if top is None:
        return 0
    keeping = {name: e.kept_when_compacted for name, e in engine.entities.items() if e.kept_when_compacted}
    kept = session.execute(
        select(Record.entity, Record.id, Record.data).where(
            *condition, Record.seq <= top, Record.entity.in_(sorted(keeping))
        )
    ).all()
    remains = []
    for entity, record_id, data in kept:  # deleted roots, a few
        record = load_json(data)
        left = {"id": record_id, "version": record["version"], "deleted": True}
        left |= {name: record[name] for name in keeping[entity] if record.get(name) is not None}
        remains.append(dict(entity=entity, id=record_id, compacted=True, data=dump_json(left), clocks="{}"))
    if remains:
        session.execute(update(Record), remains)  # by primary key, one statement for all
    forgotten = update(Record).where(*condition, Record.seq <= top)
    count = len(kept) + session.execute(forgotten.values(compacted=True, data=None, clocks="{}")).rowcount
    feed = session.execute(
        select(Feed).where(Feed.id == 1).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    feed.compacted_seq = max(feed.compacted_seq, top)
    return count


def forget_seen(session, device_ids):
    """Forget the mutations the devices ``device_ids`` (a list or a select of ids) pushed, and
    their first answers; return how many. Only for devices that can never push again (revoked
    ones): a repeat from any other is answered ``duplicate`` however long after."""
    gone = delete(SeenMutation).where(SeenMutation.device_id.in_(device_ids))
    return session.execute(gone.execution_options(synchronize_session=False)).rowcount


# Far more feed positions than a deployment writes between a backup and its restore.
RESTORE_GAP = 10**9


def expire_cursors(session, gap=RESTORE_GAP):
    """Make every cursor handed out so far stale, so each device pulls afresh; return the new top.

    After a restore from a backup, devices may hold cursors (and records) from past the
    backup: positions the restored feed will hand out again to other changes. Moving the feed
    past them and marking everything below as compacted answers those cursors 410, and the
    device downloads its scope again (keeping its outbox).
    """
    feed = session.execute(
        select(Feed).where(Feed.id == 1).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    feed.seq += gap
    feed.compacted_seq = feed.seq
    return feed.seq
