"""The audit trail: sign-ins, failed sign-ins, exports, admin changes and revocations."""

import json
from datetime import UTC

from sqlalchemy import select

from sync.models import utcnow

from server.core.models import AuditEvent


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


def events_since(session, since, limit):
    """The events from ``since`` on, oldest first."""
    since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
    rows = session.execute(
        select(AuditEvent).where(AuditEvent.at >= since).order_by(AuditEvent.at, AuditEvent.id).limit(limit)
    ).scalars()
    return [dict(at=r.at, user_id=r.user_id, action=r.action, detail=json.loads(r.detail)) for r in rows]
