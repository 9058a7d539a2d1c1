"""The admin API of people: users, their devices, and the audit trail (admin; office reads)."""

from datetime import UTC, datetime

from flask import g
from sqlalchemy import case, func, select

from server.core.admin_schemas import (
    AdminDeviceListSchema,
    AdminUserListSchema,
    AdminUserSchema,
    AuditListSchema,
    AuditQuerySchema,
    NewUserSchema,
    UserChangeSchema,
)
from server.core.audit import events_since, record
from server.core.auth import normalise_login, role_required
from server.core.blueprint import Blueprint
from server.core.db import db, writing_session
from server.core.errors import ApiError
from server.core.models import Device, User
from server.core.users import UserError, change_user, create_user, users_with_last_seen
from server.core.words import NO_USER, Said

bp = Blueprint("admin_users", __name__)
READERS = ("admin", "office")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@bp.get("/admin/users")
@role_required(*READERS)
@bp.response(200, AdminUserListSchema)
def list_users():
    """List every user with the last time one of their devices was used."""
    rows = users_with_last_seen(db.session)
    return {"users": [as_row(user, last_seen, devices) for user, last_seen, devices in rows]}


@bp.post("/admin/users")
@role_required("admin")
@bp.arguments(NewUserSchema)
@bp.error(409, "login_taken: choose another login")
@bp.response(201, AdminUserSchema)
def add_user(data):
    """Create a user."""
    session = writing_session()
    if session.execute(select(User.id).where(User.login == normalise_login(data["login"]))).first():
        raise ApiError(
            409,
            Said(
                "This login is taken; choose another one.",
                "このログインIDは使われています。別のものにしてください。",
            ),
            reason="login_taken",
        )
    try:
        user = create_user(
            session, data["login"], data["password"], data["role"], data.get("team"), data["name"]
        )
    except UserError as err:
        raise ApiError(422, f"{str(err).capitalize()}.", errors={err.field: [str(err)]})
    record(session, "user_added", g.user.id, target=user.id, login=user.login, role=user.role)
    session.commit()
    return as_row(user, None, 0)


@bp.patch("/admin/users/<uuid:user_id>")
@role_required("admin")
@bp.arguments(UserChangeSchema)
@bp.error(404, "no such user")
@bp.response(200, AdminUserSchema)
def patch_user(changes, user_id):
    """Change a user's name, role, team, password or whether they may sign in.

    A new password ends their sign-ins, a deactivation revokes their devices, a new role or
    team moves their scope.
    """
    session = writing_session()
    user = found(session.get(User, str(user_id)))
    try:
        user = change_user(session, user, **changes)
    except UserError as err:
        raise ApiError(422, f"{str(err).capitalize()}.", errors={err.field: [str(err)]})
    shown = {k: v for k, v in changes.items() if k != "password"}
    record(
        session, "user_changed", g.user.id, target=user.id, **shown, password_changed="password" in changes
    )
    session.commit()
    return as_row(user, *device_summary(session, user.id))


@bp.get("/admin/users/<uuid:user_id>/devices")
@role_required(*READERS)
@bp.error(404, "no such user")
@bp.response(200, AdminDeviceListSchema)
def user_devices(user_id):
    """List a user's devices: when each was first and last used, whether it is revoked."""
    found(db.session.get(User, str(user_id)))
    rows = db.session.execute(
        select(Device).where(Device.user_id == str(user_id)).order_by(Device.created_at)
    ).scalars()
    return {
        "devices": [
            dict(
                id=d.id,
                name=d.name,
                first_seen=d.created_at,
                last_seen=d.last_seen_at,
                revoked=d.revoked_at is not None,
            )
            for d in rows
        ]
    }


@bp.get("/admin/audit")
@role_required("admin")
@bp.arguments(AuditQuerySchema, location="query")
@bp.response(200, AuditListSchema)
def audit(query):
    """List audit events from ``since`` on, oldest first (``order=newest``: newest first, before
    the event ``before``), of one ``action`` when given."""
    return {"events": events_since(db.session, **{**query, "since": query["since"] or EPOCH})}


def device_summary(session, user_id):
    """When one of a user's devices was last used, and how many are not revoked."""
    return session.execute(
        select(func.max(Device.last_seen_at), func.count(case((Device.revoked_at.is_(None), 1)))).where(
            Device.user_id == user_id
        )
    ).one()


def as_row(user, last_seen, devices):
    return dict(
        id=user.id,
        login=user.login,
        name=user.name,
        role=user.role,
        team=user.team,
        active=user.active,
        last_seen=last_seen,
        devices=devices,
    )


def found(user):
    if user is None:
        raise ApiError(404, NO_USER)
    return user
