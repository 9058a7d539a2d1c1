"""Visits: which customer, when, met whom, what was discussed and done."""

from marshmallow import Schema, fields, validate

from sync import Entity
from sync.entity import LONG, MEDIUM, Day, Instant, Text, Uuid, choice

from server.core.vocabulary import codes


class Part(Schema):
    name = Text(required=True)
    quantity = fields.Float(allow_none=True, validate=validate.Range(min=0, max=1_000_000))


class VisitSchema(Schema):
    customer_id = Uuid(required=True)
    kind = choice(codes("visit.kind"), required=True)
    visited_at = Instant(required=True)
    contact_ids = fields.List(Uuid(allow_none=False), validate=validate.Length(max=50), allow_none=True)
    purpose = Text(MEDIUM)
    notes = Text(LONG)
    handling = Text(LONG)
    next_action = Text(MEDIUM)
    next_action_due = Day()
    deal_id = Uuid()
    work_minutes = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(min=0, max=7 * 24 * 60)
    )
    parts = fields.List(fields.Nested(Part), validate=validate.Length(max=100), allow_none=True)
    signed_by = Text()


VISITS = Entity(
    "visits",
    VisitSchema(),
    extra_fields=["author_id"],
    references={"customer_id": "customers", "contact_ids": "contacts", "deal_id": "deals"},
    same_scope={"contact_ids", "deal_id"},
    defaults={"contact_ids": [], "parts": []},
    immutable={"customer_id"},
)
