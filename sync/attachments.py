"""Server-written changes of attachments: ``uploaded`` is set as a normal versioned change.

It goes through the push's own writer (``commit.write``), so the new version takes a feed
position in commit order and reaches every device in scope by pull, like any pushed edit.
"""
from . import hlc as hlcs
from .batch import Batch, load_records
from .commit import write
from .merge import FieldClock
from .models import Feed
from .push import bump
from .wire import iso_from_ms


def mark_uploaded(session, actor, attachment_id, *, now_ms, server_node="server"):
    """Set ``uploaded`` on an attachment whose bytes are complete; return its record.

    Return None when there is no such attachment. A second call changes nothing. The caller
    commits.
    """
    feed = session.get(Feed, 1)
    server_ms = max(now_ms, hlcs.physical_ms(feed.hlc))
    batch = Batch(session, actor, server_ms, iso_from_ms(now_ms), {})
    load_records(batch, [attachment_id], lock=True)
    working = batch.records.get(("attachments", attachment_id))
    if working is None or working.compacted:
        return None
    if working.data.get("uploaded"):
        return dict(working.data)
    when = hlcs.tick(feed.hlc, server_ms, server_node)
    working.data["uploaded"] = iso_from_ms(server_ms)
    working.clocks["uploaded"] = FieldClock(when, working.version + 1, server_node,
                                            actor.user_id).to_list()
    bump(batch, working, when)
    write(batch, server_node)
    return dict(working.data)
