"""Admin endpoints: the dead-letter list of rejected mutations and device revocation."""
import json

from flask import Blueprint, g, request
from marshmallow import ValidationError
from sqlalchemy import select

from sync.models import DeadLetter

from server.core.audit import record
from server.core.auth import require_role, revoke_device, token_required
from server.core.db import db, writing_session
from server.core.errors import ApiError
from server.core.schemas import DeadLetterListSchema, DeadLetterQuerySchema

bp = Blueprint("admin", __name__)
dead_letters_schema = DeadLetterListSchema()
query_schema = DeadLetterQuerySchema()


@bp.get("/admin/dead-letters")
@token_required
def dead_letters():
    """List rejected mutations, newest first."""
    require_role("admin")
    try:
        limit = query_schema.load(request.args)["limit"]
    except ValidationError as err:
        raise ApiError(422, "limit must be a number from 1 to 1000.", errors=err.messages)
    rows = db.session.execute(
        select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)).scalars()
    return dead_letters_schema.dump({"dead_letters": [
        dict(id=r.id, device_id=r.device_id, user_id=r.user_id, mutation_id=r.mutation_id,
             entity=r.entity, record_id=r.record_id, mutation=stored_json(r.mutation),
             size=r.size, sha256=r.sha256, errors=stored_json(r.errors),
             created_at=r.created_at) for r in rows]})


def stored_json(text):
    """A stored JSON text, or the start of one cut at the dead-letter limit (as text)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


@bp.post("/admin/devices/<uuid:device_id>/revoke")
@token_required
def revoke(device_id):
    """Revoke a lost device: its next sync wipes it."""
    require_role("admin")
    device_id = str(device_id)
    session = writing_session()
    if not revoke_device(session, device_id):
        raise ApiError(404, "There is no device with this id.")
    record(session, "device_revoked", g.user.id, device_id=device_id)
    session.commit()
    return {"device_id": device_id, "revoked": True}
