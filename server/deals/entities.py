"""Deals and their customer-side events: stage, who holds the ball and since when."""

from marshmallow import Schema, fields, validate

from sync import Entity, Rules
from sync.entity import LONG, MEDIUM, Day, Instant, Text, Uuid, choice, yen
from sync.hlc import physical_ms
from sync.wire import iso_from_ms

from server.core.vocabulary import BALL, SITUATIONS, STAGES, codes
from server.customers.entities import check_owner
from server.load.quote_load import DealLoad


class Competitor(Schema):
    name = Text(required=True)
    product = Text()
    price = yen()


class DealSchema(Schema):
    customer_id = Uuid(required=True)
    title = Text(required=True)
    stage = choice(STAGES)
    lost_reason = Text(MEDIUM)
    ball = choice(BALL)
    amount = yen()
    expected_close = Day()
    competitors = fields.List(fields.Nested(Competitor), validate=validate.Length(max=50), allow_none=True)
    situation = fields.List(choice(SITUATIONS), validate=validate.Length(max=10), allow_none=True)
    owner_id = Uuid()


class DealEventSchema(Schema):
    customer_id = Uuid(required=True)
    deal_id = Uuid(required=True)
    kind = choice(codes("deal.event"), required=True)
    competitor_name = Text()
    competitor_product = Text()
    competitor_price = yen()
    note = Text(LONG)
    occurred_at = Instant()


class DealRules(Rules):
    """A new deal is owned by its creator; ``ball_since`` is the HLC time of the write that
    last moved the ball (the device's edit time, not the sync's). Only the office hands a deal
    over."""

    def check(self, ctx, current, values):
        check_owner(ctx, current, values, ("owner_id",))

    def on_create(self, ctx, data, hlc):
        data["owner_id"] = data["owner_id"] or ctx.actor.user_id
        data["ball_since"] = iso_from_ms(physical_ms(hlc))

    def on_update(self, ctx, current, stored, hlc):
        if "ball" in stored and stored["ball"] != current.data.get("ball"):
            stored["ball_since"] = iso_from_ms(physical_ms(hlc))


DEALS = Entity(
    "deals",
    DealSchema(),
    extra_fields=["ball_since"],
    references={"customer_id": "customers", "owner_id": "users"},
    defaults={"stage": "card_exchange", "ball": "ours", "competitors": [], "situation": []},
    server_fields={"ball_since"},
    immutable={"customer_id"},
    keeps_history=True,
    rules=[DealRules(), DealLoad()],
)
DEAL_EVENTS = Entity(
    "deal_events",
    DealEventSchema(),
    extra_fields=["author_id"],
    references={"customer_id": "customers", "deal_id": "deals"},
    immutable={"customer_id", "deal_id"},
    same_scope={"deal_id"},  # an event belongs to a deal of its own customer
)
