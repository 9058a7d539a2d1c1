"""Sign-in and device tokens: ``POST /api/v1/auth/token`` and the bearer check of every call."""

import hashlib
import re
import secrets
import unicodedata
import uuid
from datetime import UTC, timedelta
from functools import partial, wraps

from flask import Response, current_app, g, request
from flask.sessions import NullSession, SessionInterface
from flask_limiter import Limiter
from sqlalchemy import bindparam, delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from sync.driver import Query
from sync.models import utcnow

from server.core.audit import record
from server.core.blueprint import Blueprint, read_json
from server.core.db import db, writing_session
from server.core.engine import actor
from server.core.errors import ApiError, bad_request, unauthorized
from server.core.models import Device, Token, User
from server.core.network import client_address
from server.core.schemas import LoginSchema, TokenSchema
from server.core.words import Said

bp = Blueprint("auth", __name__)
limiter = Limiter(key_func=lambda: client_address())
TOUCH_EVERY = timedelta(hours=1)
BEARER = [{"bearer": []}]
TOKEN_DIGEST = re.compile(r"[0-9a-f]{64}")
DUMMY_HASHES = {}  # per hash method: checking one costs what checking a real password does


class NoSession(NullSession):
    """What ``flask.session`` is here: empty, and any write to it fails."""

    def _refuse(self, *args, **kwargs):
        raise RuntimeError("Genba keeps no cookie session: who asks is the request's bearer token.")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _refuse


class NoCookieSessions(SessionInterface):
    """Sign-ins are bearer tokens, so no request opens or saves a cookie session.

    Flask's default opens a signed cookie session on every request (about 15 µs, a signing
    serializer built each time) and would set a cookie signed with ``SECRET_KEY`` if anything
    wrote to it; with none, nothing can rely on a cookie by accident and no key needs keeping.
    """

    def open_session(self, app, request):
        return NoSession()

    def save_session(self, app, session, response):
        return None


def dummy_hash():
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in DUMMY_HASHES:
        DUMMY_HASHES[method] = generate_password_hash("not a password anyone has", method=method)
    return DUMMY_HASHES[method]


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


def address_limit():
    # Loose: one office behind one address must not lock out a colleague.
    return current_app.config["ADDRESS_RATE_LIMIT"]


def limit_sign_in_only(app):
    """Run the limiter's request hooks for sign-in alone, the one view with limits.

    Flask-Limiter hooks every request of the app: about 0.2 ms of a pull's 1.8 ms of CPU, for
    views that have no limit. The limited view checks its limits in its own decorator; what is
    left of the hooks (counting a failed sign-in after its answer, releasing the request's
    state) runs for the auth blueprint's requests only.
    """
    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    for funcs in hooks:
        mine = [f for f in funcs[None] if owned_by_limiter(f)]
        funcs[None] = [f for f in funcs[None] if not owned_by_limiter(f)]
        if funcs is not app.before_request_funcs:
            funcs.setdefault(bp.name, []).extend(mine)


def owned_by_limiter(function):
    owner = getattr(function, "__self__", None)
    if isinstance(function, partial):
        owner = function.args[0] if function.args else None
    return owner is limiter


def limits_off():
    """Read per app: one process may hold several apps (tests), the limiter is shared."""
    return not current_app.config["RATELIMIT_ENABLED"]


@bp.post("/auth/token")
@limiter.limit(
    address_limit, key_func=lambda: "address:" + client_address(), deduct_when=failed, exempt_when=limits_off
)
@limiter.limit(login_limit, key_func=login_key, deduct_when=failed, exempt_when=limits_off)
@bp.doc(security=[], responses={401: "UNAUTHORIZED", 429: "TOO_MANY_REQUESTS"})
@bp.error(403, "device_revoked: sign in again after resetting the app")
@bp.arguments(LoginSchema)
@bp.response(200, TokenSchema)
def issue_token(data):
    """Sign in on a device and receive its bearer token."""
    login = normalise_login(data["login"])
    user = db.session.execute(select(User).where(User.login == login)).scalar_one_or_none()
    # An unknown login costs the same hash check as a wrong password: timing tells nothing.
    password_hash = user.password_hash if user is not None else dummy_hash()
    if not check_password_hash(password_hash, data["password"]) or user is None or not user.active:
        user_id = user.id if user else None
        session = writing_session()
        record(session, "sign_in_failed", user_id, login=login[:64], address=client_address())
        session.commit()
        raise unauthorized(
            "bad_credentials", Said("The login or password is wrong.", "ログインIDかパスワードが違います。")
        )
    session = writing_session()
    device_id = str(data["device"]["id"])
    device = session.get(Device, device_id)
    if device is not None and device.revoked_at is not None:
        raise ApiError(
            403,
            Said(
                "This device was revoked by an administrator; sign in on it again after "
                "resetting the app, which gives it a new device id.",
                "この端末は管理者が無効にしました。アプリをリセットすると新しい端末IDになり、もう一度ログインできます。",
            ),
            reason="device_revoked",
        )
    if device is not None and device.user_id != user.id:
        raise ApiError(
            409,
            Said(
                "This device id belongs to another person. The app makes a new one "
                "when someone else signs in on a shared tablet.",
                "この端末IDは別の人のものです。共用のタブレットで別の人がログインすると、アプリが新しい端末IDを作ります。",
            ),
            reason="device_in_use",
        )
    now = utcnow()
    if device is None:
        device = Device(id=device_id, user_id=user.id, name=data["device"]["name"], pulled_seq=0)
        session.add(device)
    else:
        device.name = data["device"]["name"] or device.name
    device.last_seen_at = now
    token = secrets.token_urlsafe(32)
    session.add(
        Token(
            token_hash=hash_token(token),
            device_id=device_id,
            user_id=user.id,
            created_at=now,
            last_used_at=now,
        )
    )
    record(session, "sign_in", user.id, device_id=device_id, address=client_address())
    session.commit()
    return {"token": token, "user": user}


@bp.delete("/auth/token")
@bp.doc(security=BEARER, responses={401: "UNAUTHORIZED"})
@bp.response(204)
def end_token():
    """Sign out: end the bearer token sent (the device's other sign-ins, if any, stay)."""
    header = request.headers.get("Authorization", "")
    row, _ = authenticate(header)
    token_hash = hash_token(header.partition(" ")[2].strip())
    db.session.rollback()
    session = writing_session()
    session.execute(delete(Token).where(Token.token_hash == token_hash))
    record(session, "sign_out", row.id, device_id=row.device_id, address=client_address())
    session.commit()
    return Response(status=204)  # no body, so no JSON type either


@bp.delete("/auth/tokens/<digest>")
@bp.doc(security=[], responses={400: "BAD_REQUEST"})
@bp.response(204)
def end_token_by_digest(digest):
    """End a sign-in by its token's SHA-256 (64 lower-case hex digits): a device signed out
    offline erases the token and keeps only this, to end the sign-in once it is online. The
    digest ends a sign-in and signs nobody in. 204 whether or not the token still worked: either
    way it works no more."""
    if not TOKEN_DIGEST.fullmatch(digest):
        raise bad_request("A token's SHA-256 is 64 hexadecimal digits, in lower case.")
    row = db.session.execute(select(Token.user_id, Token.device_id).where(Token.token_hash == digest)).first()
    db.session.rollback()
    if row is not None:
        session = writing_session()
        if session.execute(delete(Token).where(Token.token_hash == digest)).rowcount:
            record(
                session,
                "sign_out",
                row.user_id,
                device_id=row.device_id,
                address=client_address(),
                later=True,
            )
        session.commit()
    return Response(status=204)


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


# One indexed read of three tables, built once: statements cost CPU to build on every request.
TOKENS, DEVICES, USERS = Token.__table__, Device.__table__, User.__table__
TOKEN_CHECK = (
    select(
        TOKENS.c.created_at,
        TOKENS.c.last_used_at,
        TOKENS.c.revoked_at,
        DEVICES.c.id.label("device_id"),
        DEVICES.c.revoked_at.label("device_revoked_at"),
        DEVICES.c.pulled_seq,
        USERS.c.id,
        USERS.c.role,
        USERS.c.team,
        USERS.c.active,
        USERS.c.password_changed_at,
    )
    .join_from(TOKENS, DEVICES, TOKENS.c.device_id == DEVICES.c.id)
    .join(USERS, TOKENS.c.user_id == USERS.c.id)
    .where(TOKENS.c.token_hash == bindparam("token_hash"))
)


TOKEN_QUERY = Query(TOKEN_CHECK)  # read through the driver on PostgreSQL


def authenticate(header, check=TOKEN_QUERY, params=None):
    """Check a bearer token afresh against the database (revocation counts on the next
    request, on every node); return the signed-in user (``id``, ``role``, ``team``) and actor.

    ``check`` may be a ``Query`` of ``TOKEN_CHECK`` with more columns (and ``params``) that a
    view needs: they come back in the user row, read in the same round trip.
    """
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized(
            "token_invalid",
            Said("Sign in first: this call needs a bearer token.", "先にログインしてください。"),
        )
    token_hash = hash_token(token.strip())
    row = check.first(db.session.connection(), {**(params or {}), "token_hash": token_hash})
    if row is None:
        raise unauthorized(
            "token_invalid",
            Said(
                "This sign-in is not valid; sign in again.",
                "このログインは無効です。もう一度ログインしてください。",
            ),
        )
    if row.revoked_at is not None or row.device_revoked_at is not None or not row.active:
        raise unauthorized(
            "token_revoked",
            Said(
                "This device was signed out by an administrator.", "管理者がこの端末をログアウトさせました。"
            ),
        )
    if row.password_changed_at is not None and aware(row.created_at) < aware(row.password_changed_at):
        raise unauthorized(
            "token_expired",
            Said(
                "Your password was changed; sign in again with the new one and your unsent work will be sent.",
                "パスワードが変更されました。新しいパスワードでログインし直すと、未送信の変更が送られます。",
            ),
        )
    now = utcnow()
    idle = timedelta(days=current_app.config["TOKEN_IDLE_DAYS"])
    last_used = aware(row.last_used_at)
    if now - last_used > idle:
        raise unauthorized(
            "token_expired",
            Said(
                "Your sign-in expired after a long time unused; sign in again and your unsent work will be sent.",
                "長く使われなかったためログインの期限が切れました。ログインし直すと、未送信の変更が送られます。",
            ),
        )
    if now - last_used > TOUCH_EVERY:
        touch(token_hash, row.device_id, now)
    return row, actor(row.id, row.role, row.team, row.device_id, row.pulled_seq or 0)


def touch(token_hash, device_id, now):
    """Slide the token's expiry and note the device's last use, in a short transaction."""
    db.session.rollback()
    session = writing_session()
    session.execute(update(Token).where(Token.token_hash == token_hash).values(last_used_at=now))
    session.execute(update(Device).where(Device.id == device_id).values(last_seen_at=now))
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
    session.execute(
        update(Token).where(Token.device_id == device_id, Token.revoked_at.is_(None)).values(revoked_at=now)
    )
    return True


def require_role(*roles):
    if g.user.role not in roles:
        raise ApiError(
            403,
            Said(
                "Your role cannot do this; ask an administrator.",
                "この操作はあなたの役割ではできません。管理者に頼んでください。",
            ),
            reason="forbidden",
        )
