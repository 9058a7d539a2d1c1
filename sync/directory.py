"""The user directory as a synced entity, so names show offline on every device."""
import json
from datetime import datetime, timezone

from sqlalchemy import select

from . import hlc as hlcs
from .digest import record_hash
from .models import Feed, Record
from .wire import dump_json


def ensure_feed(session):
    """Create the feed row if the database is new."""
    if session.get(Feed, 1) is None:
        session.add(Feed(id=1, seq=0, hlc=hlcs.ZERO, compacted_seq=0))
        session.flush()


def publish_user(session, user):
    """Write the ``users`` record of a user who was created or changed."""
    ensure_feed(session)
    feed = session.execute(select(Feed).where(Feed.id == 1).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one()
    now = datetime.now(timezone.utc)
    stamp = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    record = session.get(Record, ("users", user.id))
    data = {"id": user.id, "version": 1, "created_at": stamp, "updated_at": stamp,
            "deleted": not user.active, "name": user.name, "role": user.role, "team": user.team}
    feed.seq += 1
    if record is None:
        session.add(Record(entity="users", id=user.id, customer_id=None, version=1,
                           deleted=data["deleted"], data=dump_json(data), clocks="{}",
                           updated_at=now, seq=feed.seq, team=user.team,
                           digest=record_hash("users", user.id, 1)))
        return
    old = json.loads(record.data)
    if all(old.get(k) == data[k] for k in ("name", "role", "team", "deleted")):
        feed.seq -= 1
        return
    data["version"], data["created_at"] = old["version"] + 1, old["created_at"]
    record.version, record.deleted, record.team = data["version"], data["deleted"], user.team
    record.data, record.updated_at, record.seq = dump_json(data), now, feed.seq
    record.digest = record_hash("users", user.id, data["version"])
