"""Quotes: what was offered, at what price, and what it really cost."""

from marshmallow import Schema, fields, validate

from sync import Entity, Rules
from sync.entity import LONG, Instant, Text, Uuid, choice, yen

from server.core.vocabulary import codes
from server.load.entities import IsoWeek, hours
from server.load.quote_load import QuoteLoad


def millimetres():
    return fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=10**7))


class QuoteSchema(Schema):
    customer_id = Uuid(required=True)
    deal_id = Uuid()
    product = Text()
    drawing_no = Text(100)
    material = Text(100)
    dimensions = Text()
    processing_method = Text()
    processing_details = Text(LONG)
    quantity = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=10**9))
    amount = yen()
    actual_cost = yen()
    difficulties = Text(LONG)
    lead_time_days = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=3650))
    submitted_at = Instant()
    status = choice(codes("quote.status"))
    # mm figures where known (searched as numbers), and the quote it was made again from
    length_mm = millimetres()
    width_mm = millimetres()
    thickness_mm = millimetres()
    diameter_mm = millimetres()
    source_quote_id = Uuid()
    carried_notes = Text(LONG)
    # the factory's load this order would bring: hours per resource group, and when
    process_hours = fields.Dict(
        keys=Uuid(required=True),
        values=hours(required=True),
        allow_none=True,
        validate=validate.Length(max=50),
    )
    delivery_week = IsoWeek()


class QuoteRules(Rules):
    """Submitting a quote puts the ball with the customer: when a quote linked to a deal is
    created as, or changed to, ``submitted``, its deal's ``ball`` becomes ``customer`` in the
    same transaction, as an ordinary versioned change every device gets by pull."""

    def after_write(self, ctx, before, quote, hlc):
        data = quote.data
        if data.get("deleted") or data.get("status") != "submitted" or not data.get("deal_id"):
            return
        if before and before.get("status") == "submitted" and before.get("deal_id") == data["deal_id"]:
            return
        deal = ctx.get("deals", data["deal_id"], lock=True)
        if deal is None or deal.deleted or deal.scope_id != quote.scope_id:
            return
        if deal.data.get("ball") != "customer":
            ctx.change("deals", deal.id, {"ball": "customer"}, hlc)


QUOTES = Entity(
    "quotes",
    QuoteSchema(),
    extra_fields=["author_id"],  # who made it: 担当 on the printed quote
    references={"customer_id": "customers", "deal_id": "deals", "source_quote_id": "quotes"},
    same_scope={"deal_id"},  # a quote made again may be another customer's
    defaults={"status": "draft"},
    immutable={"customer_id"},
    rules=[QuoteRules(), QuoteLoad()],
)
