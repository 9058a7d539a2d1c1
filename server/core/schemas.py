"""Schemas of the HTTP envelopes; entity fields are validated by each entity's own schema.

Each domain's own request and answer schemas are in its ``schemas.py``.
"""

from datetime import UTC

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from sync.entity import Text, Whole

from server.core.engine import ENGINE
from server.core.errors import ApiError
from server.core.words import Said

MAX_CALENDAR_YEARS = 10


QUERY_PARAMETERS = Said("Check the query parameters.", "条件を確かめてください。")


class Arguments(Schema):
    """A request's arguments: when they do not load, the answer says ``invalid_message``."""

    invalid_message = Said("Check the highlighted fields.", "印の付いた項目を確かめてください。")
    invalid_status = 422

    def invalid(self, errors):
        """The error to answer for these field errors (``{"field": [str]}``)."""
        return ApiError(self.invalid_status, self.invalid_message, errors=errors)


class DeviceSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.UUID(required=True)
    name = Text(100, load_default="")


class LoginSchema(Arguments):
    invalid_message = Said(
        "Enter your login, password and the device id.", "ログインID・パスワード・端末IDを入れてください。"
    )

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
    """The push envelope, as documented: the view checks it by hand, which is faster on the hot path."""

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


QUICK_FLAGS = {"true": True, "false": False}


class PullQuerySchema(Arguments):
    invalid_message = QUERY_PARAMETERS

    class Meta:
        unknown = EXCLUDE

    cursor = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "opaque cursor from the last pull; none for the whole scope"},
    )
    limit = fields.Integer(
        load_default=None, validate=validate.Range(min=1), metadata={"description": "changes per page"}
    )
    digest = fields.Boolean(
        load_default=False, metadata={"description": "true: the last page carries a digest of the scope"}
    )
    priority = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true, without a cursor: a prioritised first pull, sending the records a "
            "device needs to list and search its scope (users, customers, contacts, follows) before "
            "the rest (customer by customer); its pages say `priority_done` once those are all sent"
        },
    )

    def quick(self, args):
        """What ``load`` gives for the query a device sends on every pull (each parameter at most
        once, a cursor and a plain decimal limit, ``true``/``false`` flags), read without the
        schema; None for anything else, which the schema reads. An empty pull spent a sixth
        of its time in webargs and marshmallow. ``tests/test_pull.py`` holds the two equal."""
        loaded = {"cursor": None, "limit": None, "digest": False, "priority": False}
        for name, values in args.lists():
            if len(values) != 1 or name not in loaded:
                return None
            (value,) = values
            if name == "cursor":
                if len(value) > 200:
                    return None
                loaded["cursor"] = value
            elif name == "limit":
                if not (value.isascii() and value.isdigit() and len(value) <= 9) or int(value) < 1:
                    return None
                loaded["limit"] = int(value)
            elif value in QUICK_FLAGS:
                loaded[name] = QUICK_FLAGS[value]
            else:
                return None
        return loaded

    def invalid(self, errors):
        """A cursor the server did not hand out is a malformed request (400), as a bad cursor is."""
        if "cursor" in errors:
            return ApiError(
                400,
                "cursor is not one this server handed out; pull without a cursor",
                errors={"cursor": ["not a cursor from this server"]},
            )
        return super().invalid(errors)


class RangeQuerySchema(Arguments):
    invalid_message = QUERY_PARAMETERS

    class Meta:
        unknown = EXCLUDE

    entity = fields.String(required=True, validate=validate.OneOf(list(ENGINE.entities)))
    prefix = fields.String(
        load_default="", validate=Whole(r"^[0-9a-f]{0,4}$", error="up to 4 lower-case hex digits")
    )
    # The app's ids end in random digits (a version 7 id starts with its time: the ids made in
    # the same seven weeks share their first four), so the app narrows by the last ones.
    ending = fields.String(
        validate=Whole(r"^[0-9a-f]{0,4}$", error="up to 4 lower-case hex digits"),
        metadata={"description": "ids that end with these digits, split by the digit before them"},
    )

    @validates_schema
    def one_part(self, data, **kwargs):
        if data.get("prefix") and "ending" in data:
            raise ValidationError("ask by prefix or by ending, not both", "ending")


class DeadLetterQuerySchema(Arguments):
    invalid_message = Said("limit must be a number from 1 to 1000.", "件数は1〜1000の数にしてください。")

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
    digest = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(DigestEntry),
        metadata={"description": "with digest=true, on the last page"},
    )
    priority_done = fields.Boolean(
        metadata={
            "description": "in a prioritised first pull (priority=true): whether every record the "
            "lists need has been sent; the rest follows"
        }
    )


class BucketDigestSchema(Schema):
    entity = fields.String()
    prefix = fields.String()
    ending = fields.String()
    buckets = fields.Dict(keys=fields.String(), values=fields.Nested(DigestEntry))


class RangeSchema(Schema):
    entity = fields.String()
    prefix = fields.String()
    ending = fields.String()
    records = fields.List(fields.Dict())


class UtcDateTime(fields.DateTime):
    """An instant written with its offset: SQLite hands back naive datetimes, which are UTC
    (without the offset a browser would read them as its own local time)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


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
    created_at = UtcDateTime()


class DeadLetterListSchema(Schema):
    dead_letters = fields.List(fields.Nested(DeadLetterSchema))


class RevokedSchema(Schema):
    device_id = fields.String()
    revoked = fields.Boolean()


class ErrorSchema(Schema):
    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    reason = fields.String()


class CalendarQuerySchema(Arguments):
    invalid_message = Said(
        "Ask for years as from=YYYY&to=YYYY, at most ten years apart.",
        "年は from=YYYY&to=YYYY の形で、10年以内にしてください。",
    )

    from_ = fields.Integer(
        data_key="from",
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "first year (default last year)"},
    )
    to = fields.Integer(
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": f"last year (default next year; at most {MAX_CALENDAR_YEARS} years)"},
    )

    @validates_schema
    def years_in_order(self, data, **kwargs):
        first, last = data.get("from_"), data.get("to")
        if first is not None and last is not None:
            if first > last:
                raise ValidationError("must not be before from", "to")
            if last - first >= MAX_CALENDAR_YEARS:
                raise ValidationError(f"ask for at most {MAX_CALENDAR_YEARS} years at a time", "to")


class HolidaySchema(Schema):
    date = fields.String(metadata={"description": "YYYY-MM-DD"})
    name = fields.String(metadata={"description": "the holiday's name in Japanese"})


class CompanySchema(Schema):
    name = fields.String(metadata={"description": "COMPANY_NAME"})
    address = fields.String(metadata={"description": "COMPANY_ADDRESS, may be empty"})
    phone = fields.String(metadata={"description": "COMPANY_PHONE, may be empty"})


class CalendarSchema(Schema):
    time_zone = fields.String()
    from_ = fields.Integer(data_key="from", attribute="from")
    to = fields.Integer()
    weekend = fields.List(fields.Integer(), metadata={"description": "days off by JavaScript getDay number"})
    holidays = fields.List(fields.Nested(HolidaySchema))
    team_targets = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        metadata={"description": "business days per team (route_to) and urgency"},
    )
    response_targets = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "business days per urgency: high, normal, low (the triage team's)"},
    )
    follow_up_days = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "deal follow-up limits in calendar days: ours, customer (ball), idle"},
    )
    company = fields.Nested(
        CompanySchema, metadata={"description": "who issues quotes and reports, as their print shows it"}
    )


class LabelSchema(Schema):
    code = fields.String()
    ja = fields.String()
    en = fields.String()


class VocabularySchema(Schema):
    roles = fields.List(fields.String())
    permissions = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "which roles hold each permission"},
    )
    field_labels = fields.List(
        fields.Nested(LabelSchema),
        attribute="fields",
        data_key="fields",
        metadata={"description": "labels of the fields people edit; `entity.field` where an entity differs"},
    )
    enums = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(LabelSchema)),
        metadata={
            "description": "every enumeration in screen order; the key is the app's message-key prefix"
        },
    )


class ImportQuerySchema(Arguments):
    """The query of a list's import from Excel: ``?dry_run=true`` to preview it."""

    invalid_message = Said("dry_run is true or false.", "dry_run は true か false です。")

    class Meta:
        unknown = EXCLUDE

    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "answer what the import would do, and write nothing"}
    )
