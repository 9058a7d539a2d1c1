"""Creating people who sign in."""
import time
import unicodedata
import uuid

from flask import current_app, has_app_context
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from sync import write_changes

from server.core.engine import ENGINE, server_actor
from server.core.models import User
from server.core.vocabulary import ROLES


class UserError(ValueError):
    """The user cannot be created as asked."""


def create_user(session, login, password, role, team=None, name=None):
    """Create a user (or update one with this login) and publish them to the directory."""
    login = unicodedata.normalize("NFKC", login).strip().casefold()
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if not login or len(login) > 64:
        raise UserError("login must be 1 to 64 characters")
    if len(password) < 8:
        raise UserError("password must be at least 8 characters")
    user = session.execute(select(User).where(User.login == login)).scalar_one_or_none()
    if user is None:
        user = User(id=str(uuid.uuid4()), login=login)
        session.add(user)
    user.name, user.role, user.team, user.active = name or login, role, team, True
    user.password_hash = generate_password_hash(password, method=hash_method())
    session.flush()
    publish_user(session, user)
    return user


def hash_method():
    """Werkzeug's password hash method from the app's config (scrypt outside an app)."""
    return current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"


def publish_user(session, user):
    """Write the ``users`` record (the directory every device holds) of a new or changed user."""
    node = current_app.config["SERVER_NODE"] if has_app_context() else "server"
    values = {"name": user.name, "role": user.role, "team": user.team}
    write_changes(session, ENGINE, server_actor(user.id, node),
                  [("users", user.id, {**values, "deleted": False} if user.active else None)],
                  now_ms=int(time.time() * 1000), server_node=node)
