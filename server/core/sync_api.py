"""The sync endpoints: push a batch of mutations, pull the change feed."""

import gzip
import json
import time
from functools import wraps
from typing import NamedTuple

from flask import Response, current_app, g, jsonify, request
from sqlalchemy import BigInteger, bindparam, exists, func, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from sync import apply_push, changes_since, protocol
from sync.batch import canonical_uuid
from sync.digest import bucket_digest, records_in_range
from sync.driver import Query
from sync.models import FEED_TABLE
from sync.pull import BadCursor, StaleCursor, caught_up, cursor_start
from sync.push import WrongGuess, check_ahead
from sync.scope import loss_between, readable

from server.core.auth import BEARER, DEVICES, TOKEN_CHECK, USERS, authenticate, token_required
from server.core.blueprint import Blueprint, json_object
from server.core.db import SNAPSHOT, WRITE, db, one_transaction, shared_transaction, writing_session
from server.core.engine import ENGINE
from server.core.errors import ApiError, bad_request
from server.core.models import Device
from server.core.schemas import (
    BucketDigestSchema,
    PullQuerySchema,
    PullSchema,
    PushResultSchema,
    PushSchema,
    RangeQuerySchema,
    RangeSchema,
)
from server.core.words import results_in_language

bp = Blueprint("sync", __name__)
RETRIES = 5
PROTOCOL_HEADER = {
    "in": "header",
    "name": "Genba-Protocol",
    "required": False,
    "description": "the client's protocol version (default 1); too old: 426",
    "schema": {"type": "integer"},
}


def now_ms():
    return int(time.time() * 1000)


def protocol_checked(view):
    """Check the client's protocol into ``g.protocol`` before anything else of the request:
    an app too old to sync is told to update, whatever else it sent."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.protocol = client_protocol()
        return view(*args, **kwargs)

    return Blueprint.doc(responses={400: "BAD_REQUEST", 426: "UPGRADE_REQUIRED"})(wrapper)


# The token check and the feed's clock in one statement: a push reads the clock before it
# applies anything (its server time is never behind the feed), a round trip of its own before.
PUSH_CHECK = Query(
    TOKEN_CHECK.add_columns(FEED_TABLE.c.hlc.label("feed_hlc")).join(FEED_TABLE, FEED_TABLE.c.id == 1)
)


def clock_checked(view):
    """``token_required`` for the push: the check also reads the feed's clock into
    ``g.feed_hlc``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.user, g.actor = authenticate(request.headers.get("Authorization", ""), PUSH_CHECK)
        g.feed_hlc = g.user.feed_hlc
        return view(*args, **kwargs)

    return Blueprint.doc(security=BEARER, responses={401: "UNAUTHORIZED"})(wrapper)


@bp.post("/sync/push", parameters=[PROTOCOL_HEADER])
@one_transaction(WRITE)
@clock_checked
@protocol_checked
@bp.doc(
    description="At most 500 mutations and 5 MB. Entities: " + ", ".join(ENGINE.entities) + ". "
    "The envelope is checked by hand (a bad one is a 400), each mutation by its "
    "entity's schema (a bad one is rejected in its result).",
    requestBody={"required": True, "content": {"application/json": {"schema": PushSchema}}},
)
@bp.error(409, "clock_skew: the device clock is more than a day off")
@bp.error(413, "more than 500 mutations, or over 5 MB")
@bp.response(200, PushResultSchema)
def push():
    """Apply a batch of mutations in one transaction; one result per mutation, in order."""
    mutations = protocol.upgrade(check_envelope(json_object()), g.protocol)
    results, server_hlc = run_push(mutations)
    results = results_in_language(results)
    # A Response: the results are not dumped again. Each carries its record (about 1 KB), so a
    # day's outbox sent from a phone gets an answer worth compressing.
    return compressed(jsonify(results=results, hlc=server_hlc))


def client_protocol():
    """The client's protocol version (header ``Genba-Protocol``, default 1), checked."""
    raw = request.headers.get("Genba-Protocol", "1").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        raise bad_request(
            "Genba-Protocol must be a version number such as 1.", {"Genba-Protocol": ["must be a number"]}
        )
    version = int(raw)
    try:
        protocol.check(version, current_app.config["MIN_PROTOCOL_VERSION"])
    except protocol.UnsupportedProtocol as err:
        if err.too_old:
            raise ApiError(
                426,
                "This version of the app is too old for the server. Update the "
                "app; your unsent work stays on the device and is sent after.",
                reason="client_outdated",
            )
        raise bad_request(
            f"This server speaks protocol {protocol.CURRENT} at most; "
            "it needs an update before this app can sync.",
            {"Genba-Protocol": [f"at most {protocol.CURRENT}"]},
        )
    return version


def check_envelope(body):
    if str(body.get("device_id", "")).lower() != g.actor.device_id:
        raise bad_request(
            "device_id must be the id of the device this token was issued to.",
            {"device_id": ["does not match the signed-in device"]},
        )
    mutations = body.get("mutations")
    if not isinstance(mutations, list):
        raise bad_request("mutations must be a list.", {"mutations": ["must be a list"]})
    limit = current_app.config["MAX_PUSH_MUTATIONS"]
    if len(mutations) > limit:
        raise ApiError(413, f"A push carries at most {limit} mutations; send the rest in another push.")
    errors = {}
    for index, mutation in enumerate(mutations):
        if not isinstance(mutation, dict) or not is_uuid(mutation.get("mutation_id")):
            errors[f"mutations.{index}.mutation_id"] = ["every mutation needs a UUID mutation_id"]
    if errors:
        raise bad_request(
            "Every mutation must be an object with a UUID mutation_id; nothing was applied.", errors
        )
    client_time = body.get("client_time")
    if client_time is not None:
        if not isinstance(client_time, int) or isinstance(client_time, bool):
            raise bad_request(
                "client_time must be the device clock in epoch milliseconds.",
                {"client_time": ["must be an integer"]},
            )
        if abs(client_time - now_ms()) > current_app.config["CLOCK_SKEW_LIMIT_MS"]:
            raise ApiError(
                409,
                "The device clock is more than a day off. Set the date and time "
                "on the device correctly; your unsent work is kept and will be sent.",
                reason="clock_skew",
            )
    return mutations


def is_uuid(value):
    return canonical_uuid(value) is not None


def run_push(mutations):
    """Apply the push, retrying when a concurrent writer made the database refuse it.

    The first try takes it that nothing in the push was sent before (see ``apply_push``); when
    that guess is wrong the push is applied again at once, reading what it skipped, and that
    does not count among the ``RETRIES``."""
    guess, failures = True, 0
    while True:
        checked = check_ahead(ENGINE, mutations)  # before SQLite's write lock: it needs none
        session = writing_session()
        try:
            results, server_hlc = apply_push(
                session,
                ENGINE,
                g.actor,
                mutations,
                now_ms=now_ms(),
                server_node=current_app.config["SERVER_NODE"],
                scope_grace_ms=current_app.config["SCOPE_GRACE_DAYS"] * 86400 * 1000,
                checked=checked,
                feed_hlc=g.feed_hlc,
                guess_new=guess,
            )
            session.commit()
            return results, server_hlc
        except WrongGuess:
            session.rollback()
        except (IntegrityError, DBAPIError) as err:
            session.rollback()
            if not (guess and isinstance(err, IntegrityError)):  # a wrong guess: again at once
                failures += 1
                if failures == RETRIES or not retryable(err):
                    raise
                time.sleep(0.01 * 2 ** (failures - 1))
        guess = False


def retryable(err):
    """Deadlocks, serialization failures, lock timeouts and racing inserts of the same key."""
    if isinstance(err, IntegrityError):
        return True
    code = getattr(getattr(err, "orig", None), "sqlstate", None)
    return code in {"40001", "40P01", "55P03"} or "database is locked" in str(err)


# The token check, the feed's head and whether the cursor passes a loss of scope, in one
# statement: all the database work of a pull with nothing new.
PULL_CHECK = Query(
    TOKEN_CHECK.add_columns(
        FEED_TABLE.c.seq.label("feed_seq"),
        FEED_TABLE.c.hlc.label("feed_hlc"),
        FEED_TABLE.c.compacted_seq.label("feed_compacted_seq"),
        exists()
        .where(
            loss_between(
                USERS.c.id, func.coalesce(DEVICES.c.pulled_seq, 0), bindparam("start", type_=BigInteger)
            )
        )
        .label("loss_passed"),
    ).join(FEED_TABLE, FEED_TABLE.c.id == 1)
)


class FeedHead(NamedTuple):
    seq: int
    hlc: str
    compacted_seq: int


def head_checked(view):
    """``token_required`` for the pull: the check also reads the feed's head into ``g.head``
    and whether the cursor passes a loss of scope, in one statement and, on PostgreSQL,
    outside a transaction (one statement reads one snapshot): no BEGIN, no ROLLBACK."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        session = db.session()
        if session.in_transaction():
            session.rollback()
        if db.engine.dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        params = {"start": position_asked(request.args.get("cursor"))}
        g.user, g.actor = authenticate(request.headers.get("Authorization", ""), PULL_CHECK, params)
        g.head = g.user
        return view(*args, **kwargs)

    return Blueprint.doc(security=BEARER, responses={401: "UNAUTHORIZED"})(wrapper)


def position_asked(cursor):
    """The feed position a pull asks from (0 for none, or a bad cursor: the view answers 400)."""
    try:
        return cursor_start(cursor) if cursor else 0
    except BadCursor:
        return 0


@bp.get("/sync/pull", parameters=[PROTOCOL_HEADER])
@head_checked
@protocol_checked
@bp.arguments(PullQuerySchema, location="query")
@bp.error(410, "cursor_expired: offline too long; pull from the start")
@bp.response(200, PullSchema)
def pull(query):
    """Return the changes in the user's scope after the cursor, oldest first."""
    limit = min(
        query["limit"] or current_app.config["PULL_LIMIT_DEFAULT"], current_app.config["PULL_LIMIT_MAX"]
    )
    head = g.head
    clock = {
        "now_ms": now_ms(),
        "window_ms": current_app.config["TOMBSTONE_DAYS"] * 86400 * 1000,
        "server_node": current_app.config["SERVER_NODE"],
    }
    try:
        feed = FeedHead(head.feed_seq, head.feed_hlc, head.feed_compacted_seq)
        page = None if query["digest"] else caught_up(query["cursor"], feed, **clock)
        if page is None:
            page = changes_since(
                pull_snapshot(),
                ENGINE,
                g.actor,
                query["cursor"],
                limit,
                **clock,
                with_digest=query["digest"],
                first=query["priority"],
            )
    except StaleCursor:
        raise ApiError(
            410,
            "This device has been offline too long to catch up; it will download "
            "everything afresh and keep its unsent work.",
            reason="cursor_expired",
        )
    except BadCursor as err:
        raise bad_request(str(err), {"cursor": ["not a cursor from this server"]})
    finally:
        if g.pop("snapshot_by_hand", False):
            db.session.connection().exec_driver_sql("ROLLBACK")
        db.session.rollback()
    passed = passed_loss(query["cursor"])
    if passed is not None:
        note_position(passed)
    body = '{"changes":[%s],"cursor":"%s","has_more":%s,"hlc":"%s"%s%s}' % (
        ",".join(page.changes),
        page.cursor,
        "true" if page.has_more else "false",
        page.hlc,
        ',"digest":' + json.dumps(page.digest) if page.digest is not None else "",
        ',"priority_done":' + ("true" if page.first_done else "false") if page.first_done is not None else "",
    )
    return feed_response(body)


# A page of 2,000 records is ~1.3 MB of JSON and about a fifth of that gzipped: on a phone's
# connection the first sync of a tablet is mostly download. Level 1 costs a few ms per MB.
GZIP_FROM_BYTES = 16 * 1024


def feed_response(body):
    """The page as JSON (its records are JSON texts already), gzipped when the client takes it."""
    return compressed(Response(body.encode(), mimetype="application/json"))


def compressed(response):
    """``response`` gzipped when it is large and the client takes gzip."""
    response.vary.add("Accept-Encoding")
    data = response.get_data()
    if len(data) >= GZIP_FROM_BYTES and request.accept_encodings["gzip"] > 0:
        response.set_data(gzip.compress(data, compresslevel=1, mtime=0))
        response.content_encoding = "gzip"
    return response


def passed_loss(cursor):
    """The feed position the device shows it has pulled past, when that takes it past a loss
    of scope (None otherwise): its writes to what it lost are refused from then on. An answer
    alone proves nothing (it may be lost, or an edit may be saved while it is on its way)."""
    if not cursor or g.actor.sees_everything or not g.head.loss_passed:
        return None
    return cursor_start(cursor)


def note_position(start):
    """Remember how far the device has pulled (see ``passed_loss``)."""
    session = writing_session()
    session.execute(
        update(Device)
        .where(Device.id == g.actor.device_id, Device.pulled_seq < start)
        .values(pulled_seq=start)
    )
    session.commit()


@bp.get("/sync/digest")
@one_transaction(SNAPSHOT)
@token_required
@bp.arguments(RangeQuerySchema, location="query")
@bp.response(200, BucketDigestSchema)
def digest(query):
    """Digest of one entity's records in scope, split into buckets by leading id digits (or,
    asked by ``ending``, by the last ones)."""
    try:
        buckets = bucket_digest(
            snapshot_session(),
            readable(ENGINE, g.actor),
            query["entity"],
            query["prefix"],
            query.get("ending"),
        )
    finally:
        db.session.rollback()
    return {"entity": query["entity"], **id_asked(query), "buckets": buckets}


def id_asked(query):
    """The part of the ids the query asked for, as the answer repeats it."""
    return {"ending": query["ending"]} if "ending" in query else {"prefix": query["prefix"]}


@bp.get("/sync/range")
@one_transaction(SNAPSHOT)
@token_required
@bp.arguments(RangeQuerySchema, location="query")
@bp.error(413, "range_too_large: ask for more digits of the ids")
@bp.response(200, RangeSchema)
def record_range(query):
    """The live records in scope of one entity whose ids start with ``prefix`` (or end with
    ``ending``)."""
    limit = current_app.config["PULL_LIMIT_MAX"]
    try:
        rows = records_in_range(
            snapshot_session(),
            readable(ENGINE, g.actor),
            query["entity"],
            query["prefix"],
            limit + 1,
            query.get("ending"),
        )
    finally:
        db.session.rollback()
    if len(rows) > limit:
        raise ApiError(
            413,
            "This range holds too many records; ask for more digits of the ids.",
            reason="range_too_large",
        )
    head = json.dumps({"entity": query["entity"], **id_asked(query)})[:-1]
    return feed_response('%s,"records":[%s]}' % (head, ",".join(rows)))


def pull_snapshot():
    """The session for a pull's page, its reads in one snapshot.

    On PostgreSQL the token check left the session on a connection in autocommit: the
    snapshot's transaction is begun on it by hand (psycopg sends what it is given) rather
    than the connection handed back to the pool and another checked out, which cost more
    CPU than the round trip the autocommit check saved. The view ends it.
    """
    session = db.session()
    connection = session.connection()
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        return snapshot_session()  # SQLite, or the token check's write ended its connection
    connection.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ")
    g.snapshot_by_hand = True
    return session


def snapshot_session():
    """The session, its reads in one snapshot (PostgreSQL otherwise snapshots per statement)."""
    session = db.session()
    if db.engine.dialect.name == "postgresql" and not shared_transaction(session, SNAPSHOT):
        if session.in_transaction():
            session.rollback()  # the token check's transaction: begin afresh in one snapshot
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return session
