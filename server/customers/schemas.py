"""The online customer search: its query and its answer."""
from marshmallow import EXCLUDE, Schema, fields, validate

from sync.entity import Text

from server.core.schemas import Arguments


class SearchQuerySchema(Arguments):
    invalid_message = "Type at least one character to search for."

    class Meta:
        unknown = EXCLUDE

    q = Text(100, required=True, metadata={"description": "name, kana or phone to look for"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class CustomerHitSchema(Schema):
    id = fields.String()
    name = fields.String()


class CustomerSearchSchema(Schema):
    results = fields.List(fields.Nested(CustomerHitSchema))
