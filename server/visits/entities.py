"""Visits: which customer, when, met whom, what was discussed and done."""
from marshmallow import Schema, fields, validate

from sync import Entity
from sync.entity import LONG, MEDIUM, Day, Instant, Text, Uuid, choice

from server.core.vocabulary import codes


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


VISITS = Entity("visits", VisitSchema(), extra_fields=["author_id"],
                references={"customer_id": "customers", "contact_ids": "contacts", "deal_id": "deals"},
                defaults={"contact_ids": []}, immutable={"customer_id"})
