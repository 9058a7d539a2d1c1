"""Input and output of the customer endpoints: duplicates and merge."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates_schema

from sync.entity import Text, Uuid


class DuplicatesQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = Text(200)
    phone = Text(40)
    email = Text(254)

    @validates_schema
    def needs_something(self, data, **kwargs):
        if not any(data.get(k) for k in ("name", "phone", "email")):
            raise ValidationError("give a name, a phone number or an email address", "name")


class CandidateSchema(Schema):
    id = fields.String()
    name = fields.String()
    score = fields.Float()
    why = fields.List(fields.String())


class DuplicatesSchema(Schema):
    candidates = fields.List(fields.Nested(CandidateSchema))


class MergeSchema(Schema):
    into = Uuid(required=True)
