"""Admin endpoints: the dead-letter list of rejected mutations and device revocation."""

import json

from flask import g
from sqlalchemy import select

from sync.models import DeadLetter

from server.core.audit import record
from server.core.auth import revoke_device, role_required
from server.core.blueprint import Blueprint
from server.core.db import db, writing_session
from server.core.errors import ApiError
from server.core.models import Device
from server.core.schemas import DeadLetterListSchema, DeadLetterQuerySchema, RevokedSchema

bp = Blueprint("admin", __name__)


@bp.get("/admin/dead-letters")
@role_required("admin")
@bp.arguments(DeadLetterQuerySchema, location="query")
@bp.response(200, DeadLetterListSchema)
def dead_letters(query):
    """List rejected mutations, newest first."""
    rows = db.session.execute(
        select(DeadLetter).order_by(DeadLetter.id.desc()).limit(query["limit"])
    ).scalars()
    return {
        "dead_letters": [
            dict(
                id=r.id,
                device_id=r.device_id,
                user_id=r.user_id,
                mutation_id=r.mutation_id,
                entity=r.entity,
                record_id=r.record_id,
                mutation=stored_json(r.mutation),
                size=r.size,
                sha256=r.sha256,
                errors=stored_json(r.errors),
                created_at=r.created_at,
            )
            for r in rows
        ]
    }


def stored_json(text):
    """A stored JSON text, or the start of one cut at the dead-letter limit (as text)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


@bp.post("/admin/devices/<uuid:device_id>/revoke")
@role_required("admin")
@bp.error(404, "no such device")
@bp.response(200, RevokedSchema)
def revoke(device_id):
    """Revoke a lost device: its next sync wipes it."""
    device_id = str(device_id)
    session = writing_session()
    if not revoke_device(session, device_id):
        raise ApiError(404, "There is no device with this id.")
    owner = session.execute(select(Device.user_id).where(Device.id == device_id)).scalar()
    record(session, "device_revoked", g.user.id, target=owner, device_id=device_id)
    session.commit()
    return {"device_id": device_id, "revoked": True}
