"""Requests, complaints and questions heard in the field, routed when they are created."""
from marshmallow import Schema

from sync import Entity, Rejected, Rules
from sync.entity import LONG, Instant, Text, Uuid, choice
from sync.hlc import physical_ms
from sync.wire import iso_from_ms

from server.core.vocabulary import OFFICE_ROLES, ROUTES, codes
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


class RequestRules(Rules):
    """A new request is dated when it was heard and routed by the editable rules in the same
    transaction; afterwards only the office changes its route."""

    def check(self, ctx, current, values):
        if current is not None and "route_to" in values and ctx.actor.role not in OFFICE_ROLES \
                and values["route_to"] != current.data.get("route_to"):
            raise Rejected({"route_to": ["only office, managers and admins change a request's route"]})

    def on_create(self, ctx, data, hlc):
        data["heard_at"] = data["heard_at"] or iso_from_ms(physical_ms(hlc))
        route = ctx.memo.get("route_request")
        if route is None:
            route = ctx.memo["route_request"] = router(ctx.session)
        customer = ctx.get("customers", data["customer_id"])
        decision = route(data, customer.data if customer else {})
        data["route_to"], data["route_rule"] = decision["route_to"], decision.get("route_rule")
        if decision.get("assignee_id") and not data["assignee_id"]:
            data["assignee_id"] = decision["assignee_id"]


REQUESTS = Entity("requests", RequestSchema(), extra_fields=["author_id", "route_rule"],
                  references={"customer_id": "customers", "visit_id": "visits", "assignee_id": "users"},
                  defaults={"urgency": "normal", "status": "new"}, server_fields={"route_rule"},
                  create_only_server_fields={"route_to"}, immutable={"customer_id"},
                  keeps_history=True, rules=[RequestRules()])
