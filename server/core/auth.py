"""Sign-in and device tokens: ``POST /api/v1/auth/token`` and the bearer check of every call."""
import hashlib
import secrets
import unicodedata
import uuid
from datetime import UTC, timedelta
from functools import wraps

from flask import current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy import select, update
from werkzeug.security import check_password_hash

from sync.models import utcnow

from server.core.blueprint import Blueprint, read_json
from server.core.db import db, writing_session
from server.core.engine import actor
from server.core.errors import ApiError, unauthorized
from server.core.models import Device, Token, User
from server.core.schemas import LoginSchema, TokenSchema

bp = Blueprint("auth", __name__)
limiter = Limiter(key_func=get_remote_address)
TOUCH_EVERY = timedelta(hours=1)
BEARER = [{"bearer": []}]


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def login_key():
    body = read_json()
    login = body.get("login") if isinstance(body, dict) else None
    return "login:" + normalise_login(login if isinstance(login, str) else "")


def normalise_login(login):
    return unicodedata.normalize("NFKC", login).strip().casefold()


def failed(response):
    return response.status_code == 401


def login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def limits_off():
    """Read per app: one process may hold several apps (tests), the limiter is shared."""
    return not current_app.config["RATELIMIT_ENABLED"]


@bp.post("/auth/token")
@limiter.limit(login_limit, deduct_when=failed, exempt_when=limits_off)
@limiter.limit(login_limit, key_func=login_key, deduct_when=failed, exempt_when=limits_off)
@bp.doc(security=[], responses={401: "UNAUTHORIZED", 429: "TOO_MANY_REQUESTS"})
@bp.error(403, "device_revoked: sign in again after resetting the app")
@bp.arguments(LoginSchema)
@bp.response(200, TokenSchema)
def issue_token(data):
    """Sign in on a device and receive its bearer token."""
    user = db.session.execute(
        select(User).where(User.login == normalise_login(data["login"]))).scalar_one_or_none()
    if user is None or not user.active or not check_password_hash(user.password_hash, data["password"]):
        raise unauthorized("bad_credentials", "The login or password is wrong.")
    session = writing_session()
    device_id = str(data["device"]["id"])
    device = session.get(Device, device_id)
    if device is not None and device.revoked_at is not None:
        raise ApiError(403, "This device was revoked by an administrator; sign in on it again after "
                            "resetting the app, which gives it a new device id.", reason="device_revoked")
    if device is None:
        device = Device(id=device_id, user_id=user.id, name=data["device"]["name"])
        session.add(device)
    else:
        device.user_id, device.name = user.id, data["device"]["name"] or device.name
    token = secrets.token_urlsafe(32)
    session.add(Token(token_hash=hash_token(token), device_id=device_id, user_id=user.id))
    session.commit()
    return {"token": token, "user": user}


def token_required(view):
    """Authenticate the bearer token; set ``g.user`` and ``g.actor`` for the view.

    Put it above ``@bp.arguments``: who asks is checked before what they ask.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.user, g.actor = authenticate(request.headers.get("Authorization", ""))
        return view(*args, **kwargs)

    return Blueprint.doc(security=BEARER, responses={401: "UNAUTHORIZED"})(wrapper)


def role_required(*roles):
    """``token_required``, then only ``roles`` may go on (403 for the others)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            require_role(*roles)
            return view(*args, **kwargs)

        return token_required(Blueprint.doc(responses={403: "FORBIDDEN"})(wrapper))

    return decorator


def authenticate(header):
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("token_invalid", "Sign in first: this call needs a bearer token.")
    token_hash = hash_token(token.strip())
    row = db.session.execute(
        select(Token, Device, User).join(Device, Token.device_id == Device.id)
        .join(User, Token.user_id == User.id).where(Token.token_hash == token_hash)).first()
    if row is None:
        raise unauthorized("token_invalid", "This sign-in is not valid; sign in again.")
    tok, device, user = row
    if tok.revoked_at is not None or device.revoked_at is not None or not user.active:
        raise unauthorized("token_revoked", "This device was signed out by an administrator.")
    now = utcnow()
    idle = timedelta(days=current_app.config["TOKEN_IDLE_DAYS"])
    last_used = aware(tok.last_used_at)
    if now - last_used > idle:
        raise unauthorized("token_expired", "Your sign-in expired after a long time unused; "
                                            "sign in again and your unsent work will be sent.")
    if now - last_used > TOUCH_EVERY:
        touch(token_hash, now)
    return user, actor(user.id, user.role, user.team, device.id)


def touch(token_hash, now):
    """Slide the token's expiry, in a short transaction of its own."""
    db.session.rollback()
    session = writing_session()
    session.execute(update(Token).where(Token.token_hash == token_hash).values(last_used_at=now))
    session.commit()


def aware(moment):
    """SQLite hands back naive datetimes: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def revoke_device(session, device_id):
    """Revoke a device and every token it holds; return False if there is no such device."""
    try:
        device_id = str(uuid.UUID(device_id))
    except (ValueError, TypeError, AttributeError):
        return False
    device = session.get(Device, device_id)
    if device is None:
        return False
    now = utcnow()
    device.revoked_at = now
    session.execute(update(Token).where(Token.device_id == device_id, Token.revoked_at.is_(None))
                    .values(revoked_at=now))
    return True


def require_role(*roles):
    if g.user.role not in roles:
        raise ApiError(403, "Your role cannot do this; ask an administrator.", reason="forbidden")

