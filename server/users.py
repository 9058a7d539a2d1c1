"""Creating people who sign in."""
import unicodedata
import uuid

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from sync.directory import publish_user
from sync.entities import ROLES
from sync.models import User


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
    user.password_hash = generate_password_hash(password)
    session.flush()
    publish_user(session, user)
    return user
