"""The online customer search: its query and its answer."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from sync.entity import Text

from server.core.schemas import Arguments


class SearchQuerySchema(Arguments):
    invalid_message = "Type at least one character to search for."

    class Meta:
        unknown = EXCLUDE

    # A search outside one's scope lists names, so it answers a few and never everything.
    q = Text(100, required=True, metadata={"description": "name, kana or whole phone number to look for"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=20))

    @validates("q")
    def has_something_to_match(self, value, **kwargs):
        if not value.strip():
            raise ValidationError("must contain a letter or digit, not only spaces")


class CustomerHitSchema(Schema):
    id = fields.String()
    name = fields.String()


class CustomerSearchSchema(Schema):
    results = fields.List(fields.Nested(CustomerHitSchema))
