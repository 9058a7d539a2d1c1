"""Requests, complaints and questions heard in the field, routed when they are created; and
what each person last saw of a request on each device (read marks, read by that person alone)."""

import uuid

from marshmallow import Schema, fields
from sqlalchemy import update

from sync import Entity, Rejected, Rules
from sync.entity import LONG, Instant, Text, Uuid, Whole, choice
from sync.hlc import physical_ms
from sync.wire import iso_from_ms, parse_instant

from server.core.vocabulary import OFFICE_ROLES, ROUTES, codes
from server.requests.models import RequestCounter
from server.requests.routing import router


class RequestSchema(Schema):
    customer_id = Uuid(required=True)
    kind = choice(codes("request.kind"), required=True)
    title = Text(required=True)
    visit_id = Uuid()
    details = Text(LONG)
    urgency = choice(codes("request.urgency"))
    heard_at = Instant()
    route_to = choice(ROUTES)
    status = choice(codes("request.status"))
    assignee_id = Uuid()
    response = Text(LONG)


# Triage fields: the office changes them; the assignee also answers and moves the status.
OFFICE_ONLY = ("route_to", "assignee_id")
ASSIGNEE_TOO = ("status", "response")


class RequestRules(Rules):
    """A new request is dated when it was heard (never later than the edit that records it)
    and routed by the editable rules in the same transaction; afterwards only the office
    triages it, and only the office and the assignee answer or close it. Whoever records one
    says what was heard: a new request is not assigned or answered by its author, and deleting
    one (which closes it for everyone) is the office's, or its author's while no one has
    taken it up."""

    def check(self, ctx, current, values):
        actor = ctx.actor
        if actor.role in OFFICE_ROLES:
            return
        if current is None:
            if values.get("status") not in (None, "new"):
                raise Rejected({"status": ["not_allowed"]})
            for name in ("assignee_id", "response"):
                if values.get(name) is not None:
                    raise Rejected({name: ["not_allowed"]})
            return
        assignee = current.data.get("assignee_id") == actor.user_id
        for name in OFFICE_ONLY + ASSIGNEE_TOO:
            if (
                name in values
                and values[name] != current.data.get(name)
                and not (assignee and name in ASSIGNEE_TOO)
            ):
                raise Rejected({name: ["not_allowed"]})

    def check_delete(self, ctx, current):
        actor, data = ctx.actor, current.data
        untouched = data.get("status") == "new" and data.get("assignee_id") is None
        if actor.role not in OFFICE_ROLES and not (data.get("author_id") == actor.user_id and untouched):
            raise Rejected({"record_id": ["not_allowed"]})

    def on_create(self, ctx, data, hlc):
        heard = iso_from_ms(physical_ms(hlc))
        data["heard_at"] = (
            heard if not data["heard_at"] or later(data["heard_at"], heard) else data["heard_at"]
        )
        route = ctx.memo.get("route_request")
        if route is None:
            route = ctx.memo["route_request"] = router(ctx.session)
        customer = ctx.get("customers", data["customer_id"])
        decision = route(data, customer.data if customer else {})
        data["route_to"], data["route_rule"] = decision["route_to"], decision.get("route_rule")
        if decision.get("assignee_id") and not data["assignee_id"]:
            data["assignee_id"] = decision["assignee_id"]

    def after_write(self, ctx, before, record, hlc):
        # Numbered once the create has passed every check, so a rejected one leaves no gap.
        if before is None and record.data.get("number") is None:
            record.data["number"] = next_number(ctx.session)


def next_number(session):
    """Take the next request number; the counter's row stays locked until the push commits."""
    return session.execute(
        update(RequestCounter)
        .where(RequestCounter.id == 1)
        .values(last=RequestCounter.last + 1)
        .returning(RequestCounter.last)
    ).scalar_one()


def later(instant, than):
    """Whether RFC 3339 ``instant`` is after ``than`` (offsets may differ)."""
    return parse_instant(instant) > parse_instant(than)


REQUESTS = Entity(
    "requests",
    RequestSchema(),
    extra_fields=["author_id", "route_rule", "number"],
    references={"customer_id": "customers", "visit_id": "visits", "assignee_id": "users"},
    same_scope={"visit_id"},
    defaults={"urgency": "normal", "status": "new"},
    server_fields={"route_rule", "number"},
    create_only_server_fields={"route_to"},
    fixed={"heard_at", "kind"},
    immutable={"customer_id"},
    keeps_history=True,
    rules=[RequestRules()],
)


# The contract's namespace (as the daily report's): every device computes the same ids.
READ_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")


def request_read_id(user_id, device_id, request_id):
    """The one id of what a person last saw of a request on one device."""
    return str(uuid.uuid5(READ_NAMESPACE, f"genba:request_read:{user_id}:{device_id}:{request_id}"))


class RequestReadSchema(Schema):
    request_id = Uuid(required=True)
    status = choice(codes("request.status"))
    # The answer as it was seen, as a digest: 32-bit FNV-1a of its UTF-16 code units, in hex
    # (pwa/js/seen.js); whether it changed since is all a read mark tells.
    response_digest = fields.String(allow_none=True, validate=Whole(r"^[0-9a-f]{8}$"))


class RequestReadRules(Rules):
    """A read mark is its writer's own, one per person, device and request, so a person's
    devices never write one mark concurrently (no conflict to review for having read twice).
    It names a request its writer may read."""

    def check(self, ctx, current, values):
        actor = ctx.actor
        if current is not None:
            if (current.data.get("user_id"), current.data.get("device_id")) != (
                actor.user_id,
                actor.device_id,
            ):
                raise Rejected({"record_id": ["only the device that wrote a read mark changes it"]})
            return
        request_id = values.get("request_id")
        request = ctx.get("requests", request_id)
        if request is None or not ctx.readable(request):
            raise Rejected({"request_id": [f"requests {request_id} does not exist"]})

    def on_create(self, ctx, data, hlc):
        actor = ctx.actor
        data["user_id"], data["device_id"] = actor.user_id, actor.device_id
        if data["id"] != request_read_id(actor.user_id, actor.device_id, data["request_id"]):
            raise Rejected(
                {
                    "record_id": [
                        "a read mark's id is the UUIDv5 of "
                        "genba:request_read:<your user id>:<this device's id>:<request id>"
                    ]
                }
            )


REQUEST_READS = Entity(
    "request_reads",
    RequestReadSchema(),
    extra_fields=["user_id", "device_id"],
    references={"request_id": "requests"},
    server_fields={"user_id", "device_id"},
    immutable={"request_id"},
    scoped=False,
    personal=True,  # not even the office reads them: no one's devices fill with everyone's marks
    owner_field="user_id",
    deletable=False,
    rules=[RequestReadRules()],
)
