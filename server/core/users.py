"""Creating and changing people who sign in."""

import time
import unicodedata
import uuid

from flask import current_app, has_app_context
from sqlalchemy import case, func, select, update
from werkzeug.security import generate_password_hash

from sync import move_scope, write_changes
from sync.models import utcnow
from sync.scope import TEAM_HELP, a_marker

from server.core.engine import ENGINE, actor, server_actor
from server.core.models import Device, Token, User
from server.core.vocabulary import ROLES


class UserError(ValueError):
    """The user cannot be created or changed as asked; ``field`` is the one at fault."""

    def __init__(self, message, field="role"):
        super().__init__(message)
        self.field = field


def create_user(session, login, password, role, team=None, name=None):
    """Create a user (or update one with this login) and publish them to the directory."""
    login = unicodedata.normalize("NFKC", login).strip().casefold()
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if not login or len(login) > 64:
        raise UserError("login must be 1 to 64 characters", "login")
    if a_marker(team):
        raise UserError(f"team {TEAM_HELP}", "team")
    if len(password) < 8:
        raise UserError("password must be at least 8 characters", "password")
    user = session.execute(select(User).where(User.login == login)).scalar_one_or_none()
    if user is not None:
        return change_user(
            session, user, name=name or user.name, role=role, team=team, password=password, active=True
        )
    user = User(
        id=str(uuid.uuid4()),
        login=login,
        name=name or login,
        role=role,
        team=team,
        active=True,
        password_hash=generate_password_hash(password, method=hash_method()),
    )
    session.add(user)
    session.flush()
    publish_user(session, user)
    return user


def hash_method():
    """Werkzeug's password hash method from the app's config (scrypt outside an app)."""
    return current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"


def change_user(session, user, *, name=None, role=None, team=..., password=None, active=None):
    """Change a user; a new role or team moves their scope, a new password ends their
    sign-ins, a deactivation revokes their devices. Return the user."""
    if role is not None and role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if password is not None and len(password) < 8:
        raise UserError("password must be at least 8 characters", "password")
    if team is not ... and a_marker(team):
        raise UserError(f"team {TEAM_HELP}", "team")
    if user.role == "admin" and user.active and ((role is not None and role != "admin") or active is False):
        keep_an_admin(session, user, "role" if active is not False else "active")
    before = actor(user.id, user.role, user.team, "")
    if name is not None:
        user.name = name
    if role is not None:
        user.role = role
    if team is not ...:
        user.team = team or None
    now = utcnow()
    if password is not None:
        user.password_hash = generate_password_hash(password, method=hash_method())
        user.password_changed_at = now
    if active is not None and active != user.active:
        user.active = active
        if not active:
            revoke_devices(session, user.id, now)
    session.flush()
    after = actor(user.id, user.role, user.team, "")
    if (before.role, before.team, before.sees_everything) != (after.role, after.team, after.sees_everything):
        move_scope(session, ENGINE, before, after, now_ms=int(time.time() * 1000), server_node=node())
    publish_user(session, user)
    return user


def keep_an_admin(session, user, field):
    """Refuse to demote or deactivate the last active admin: nobody could manage users then.
    The active admins' rows are locked (PostgreSQL), so two admins demoting each other at once
    cannot both pass; SQLite writes one at a time anyway."""
    admins = session.execute(
        select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()
    ).scalars()
    if not set(admins) - {user.id}:
        raise UserError("this is the last active admin: make another user admin first", field)


def revoke_devices(session, user_id, now=None):
    """Revoke every device of a user and their tokens; return how many devices."""
    now = now or utcnow()
    ids = list(
        session.execute(
            select(Device.id).where(Device.user_id == user_id, Device.revoked_at.is_(None))
        ).scalars()
    )
    if ids:
        session.execute(update(Device).where(Device.id.in_(ids)).values(revoked_at=now))
        session.execute(
            update(Token).where(Token.device_id.in_(ids), Token.revoked_at.is_(None)).values(revoked_at=now)
        )
    return len(ids)


def users_with_last_seen(session):
    """Every user with the last time one of their devices was used and how many devices are
    not revoked, by login."""
    last = (
        select(
            Device.user_id,
            func.max(Device.last_seen_at).label("last_seen"),
            func.count(case((Device.revoked_at.is_(None), 1))).label("devices"),
        )
        .group_by(Device.user_id)
        .subquery()
    )
    return session.execute(
        select(User, last.c.last_seen, func.coalesce(last.c.devices, 0))
        .outerjoin(last, last.c.user_id == User.id)
        .order_by(User.login)
    ).all()


def node():
    return current_app.config["SERVER_NODE"] if has_app_context() else "server"


def publish_user(session, user):
    """Write the ``users`` record (the directory every device holds) of a new or changed user."""
    values = {"name": user.name, "role": user.role, "team": user.team}
    write_changes(
        session,
        ENGINE,
        server_actor(user.id, node()),
        [("users", user.id, {**values, "deleted": False} if user.active else None)],
        now_ms=int(time.time() * 1000),
        server_node=node(),
    )
