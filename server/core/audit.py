"""The audit trail: sign-ins, failed sign-ins, exports, admin changes and revocations."""

import json
from datetime import UTC

from sqlalchemy import select

from sync.models import utcnow

from server.core.models import AuditEvent
from server.core.vocabulary import codes

AUDIT_ACTIONS = codes("audit.action")


def record(session, action, user_id, **detail):
    """Add an audit event to ``session``; the caller commits it with what it describes."""
    session.add(
        AuditEvent(
            at=utcnow(),
            user_id=user_id,
            action=action,
            detail=json.dumps(detail, ensure_ascii=False, default=str),
        )
    )


def note(user_id, action, **detail):
    """Record an event on its own, in a short transaction (after a read, an export say)."""
    from server.core.db import writing_session

    session = writing_session()
    record(session, action, user_id, **detail)
    session.commit()


def events_since(session, since, limit, action=None, order="oldest", before=None):
    """The events from ``since`` on, oldest first, or newest first (recorded last first) and
    only those recorded before the event ``before``; of one ``action`` when given."""
    since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
    query = select(AuditEvent).where(AuditEvent.at >= since)
    if action:
        query = query.where(AuditEvent.action == action)
    if order == "newest":
        if before:
            query = query.where(AuditEvent.id < before)
        query = query.order_by(AuditEvent.id.desc())
    else:
        query = query.order_by(AuditEvent.at, AuditEvent.id)
    rows = session.execute(query.limit(limit)).scalars()
    return [
        dict(id=r.id, at=r.at, user_id=r.user_id, action=r.action, detail=json.loads(r.detail)) for r in rows
    ]
