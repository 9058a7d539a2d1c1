"""Schemas of the HTTP envelopes; entity fields are validated by each entity's own schema."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from server.core.engine import ENGINE
from sync.entity import Text


class DeviceSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.UUID(required=True)
    name = Text(100, load_default="")


class LoginSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    login = Text(64, required=True)
    password = Text(256, required=True)
    device = fields.Nested(DeviceSchema, required=True)


class UserSchema(Schema):
    id = fields.String()
    name = fields.String()
    role = fields.String()
    team = fields.String(allow_none=True)


class TokenSchema(Schema):
    token = fields.String()
    user = fields.Nested(UserSchema)


class MutationDoc(Schema):
    """One mutation, as documented; the engine's own schema checks it."""

    mutation_id = fields.UUID(required=True)
    entity = fields.String(required=True)
    record_id = fields.UUID(required=True)
    op = fields.String(required=True, validate=validate.OneOf(["upsert", "delete"]))
    base_version = fields.Integer(allow_none=True)
    changes = fields.Dict()
    hlc = fields.String(required=True)


class PushSchema(Schema):
    device_id = fields.UUID(required=True)
    client_time = fields.Integer(allow_none=True)
    mutations = fields.List(fields.Nested(MutationDoc), required=True)


class ResultSchema(Schema):
    mutation_id = fields.UUID()
    status = fields.String(validate=validate.OneOf(["applied", "merged", "duplicate", "rejected"]))
    original_status = fields.String()
    record = fields.Dict()
    conflicts = fields.List(fields.Dict())
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    ignored = fields.List(fields.String())


class PushResultSchema(Schema):
    results = fields.List(fields.Nested(ResultSchema))
    hlc = fields.String()


class PullQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    cursor = fields.String(load_default=None, validate=validate.Length(max=200))
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1))
    digest = fields.Boolean(load_default=False)


class RangeQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    entity = fields.String(required=True, validate=validate.OneOf(list(ENGINE.entities)))
    prefix = fields.String(load_default="", validate=validate.Regexp(
        r"^[0-9a-f]{0,4}$", error="up to 4 lower-case hex digits"))


class DeadLetterQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ChangeSchema(Schema):
    entity = fields.String()
    record = fields.Dict()
    id = fields.String()
    evict = fields.Boolean()


class DigestEntry(Schema):
    count = fields.Integer()
    sum = fields.String(metadata={"description": "sum of FNV-1a hashes of 'entity:id:version'"})


class PullSchema(Schema):
    changes = fields.List(fields.Nested(ChangeSchema))
    cursor = fields.String()
    has_more = fields.Boolean()
    hlc = fields.String()
    digest = fields.Dict(keys=fields.String(), values=fields.Nested(DigestEntry),
                         metadata={"description": "with digest=true, on the last page"})


class BucketDigestSchema(Schema):
    entity = fields.String()
    prefix = fields.String()
    buckets = fields.Dict(keys=fields.String(), values=fields.Nested(DigestEntry))


class RangeSchema(Schema):
    entity = fields.String()
    prefix = fields.String()
    records = fields.List(fields.Dict())


class SearchQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    # A search outside one's scope lists names, so it answers a few and never everything.
    q = Text(100, required=True)
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


class DeadLetterSchema(Schema):
    id = fields.Integer()
    device_id = fields.String()
    user_id = fields.String()
    mutation_id = fields.String()
    entity = fields.String()
    record_id = fields.String()
    mutation = fields.Raw(metadata={"description": "the mutation, or the start of one over 64 KB as text"})
    size = fields.Integer(allow_none=True, metadata={"description": "bytes of the whole mutation as JSON"})
    sha256 = fields.String(allow_none=True)
    errors = fields.Raw()
    created_at = fields.DateTime()


class DeadLetterListSchema(Schema):
    dead_letters = fields.List(fields.Nested(DeadLetterSchema))


class ErrorSchema(Schema):
    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    reason = fields.String()


class RuleOut(Schema):
    id = fields.Integer()
    position = fields.Integer()
    name = fields.String()
    route_to = fields.String()
    kinds = fields.List(fields.String())
    keywords = fields.List(fields.String())
    customer_ids = fields.List(fields.String())
    urgencies = fields.List(fields.String())
    assignee_id = fields.String(allow_none=True)
    active = fields.Boolean()


class RuleListSchema(Schema):
    rules = fields.List(fields.Nested(RuleOut))


class HolidaySchema(Schema):
    date = fields.String(metadata={"description": "YYYY-MM-DD"})
    name = fields.String(metadata={"description": "the holiday's name in Japanese"})


class CalendarSchema(Schema):
    time_zone = fields.String()
    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    weekend = fields.List(fields.Integer(), metadata={"description": "days off by JavaScript getDay number"})
    holidays = fields.List(fields.Nested(HolidaySchema))
    response_targets = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                   metadata={"description": "business days per urgency: high, normal, low"})
    follow_up_days = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "deal follow-up limits in calendar days: ours, customer (ball), idle"})
