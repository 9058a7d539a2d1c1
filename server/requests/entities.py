"""Requests, complaints and questions heard in the field, routed when they are created."""

from marshmallow import Schema
from sqlalchemy import update

from sync import Entity, Rejected, Rules
from sync.entity import LONG, Instant, Text, Uuid, choice
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
    triages it, and only the office and the assignee answer or close it."""

    def check(self, ctx, current, values):
        actor = ctx.actor
        if actor.role in OFFICE_ROLES:
            return
        if current is None:
            if values.get("status") not in (None, "new"):
                raise Rejected({"status": ["not_allowed"]})
            return
        assignee = current.data.get("assignee_id") == actor.user_id
        for name in OFFICE_ONLY + ASSIGNEE_TOO:
            if (
                name in values
                and values[name] != current.data.get(name)
                and not (assignee and name in ASSIGNEE_TOO)
            ):
                raise Rejected({name: ["not_allowed"]})

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
    defaults={"urgency": "normal", "status": "new"},
    server_fields={"route_rule", "number"},
    create_only_server_fields={"route_to"},
    fixed={"heard_at", "kind"},
    immutable={"customer_id"},
    keeps_history=True,
    rules=[RequestRules()],
)
