"""The synced entities: their fields, validation schemas, references and defaults.

The marshmallow schemas here are the only place a pushed field is validated. Values come out
of ``load`` already in their wire form (dates and instants as strings), ready to store.
"""
import re
from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate

STAGES = ["card_exchange", "first_contact", "product_intro", "interest_check",
          "needs_hearing", "proposal_quote", "quote_revision", "won", "lost"]
ROLES = ["rep", "technician", "office", "manager", "admin"]
SEES_EVERY_CUSTOMER = {"technician", "office", "manager", "admin"}
ROUTERS = {"office", "manager", "admin"}

SHORT, MEDIUM, LONG = 200, 1000, 10000


class Text(fields.String):
    """A string of bounded length without NUL or other control characters but tab and newline."""

    def __init__(self, max_length=SHORT, required=False, **kwargs):
        length = validate.Length(min=1 if required else 0, max=max_length)
        super().__init__(validate=length, required=required, allow_none=not required, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not clean_text(text):
            raise ValidationError("must not contain control characters such as NUL, or broken characters")
        return text


# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; Cs is U+D800-U+DFFF.
UNCLEAN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text):
    """False if the text holds control characters (but tab and newlines) or lone surrogates."""
    return UNCLEAN.search(text) is None


def field_errors(messages):
    """Turn marshmallow's nested messages into ``{"field" or "a.b": [str]}``."""
    out = {}
    for key, value in messages.items():
        key = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
        if isinstance(value, dict):
            for inner_key, inner in field_errors(value).items():
                out[f"{key}.{inner_key}"] = inner
        else:
            out[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out


class Uuid(fields.UUID):
    """A UUID, kept as its lower-case string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))


class Instant(fields.Field):
    """An RFC 3339 instant with an offset, kept as given once checked."""

    def __init__(self, **kwargs):
        super().__init__(allow_none=not kwargs.get("required", False), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 40:
            raise ValidationError("must be an RFC 3339 time with an offset, e.g. 2026-11-27T10:30:00+09:00")
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError("must be an RFC 3339 time with an offset, e.g. 2026-11-27T10:30:00+09:00")
        if parsed.tzinfo is None or "T" not in value.upper():
            raise ValidationError("must include a time and an offset, e.g. 2026-11-27T10:30:00+09:00")
        return parsed.isoformat()


class Day(fields.Date):
    """A calendar date ``YYYY-MM-DD``, kept as a string."""

    def __init__(self, **kwargs):
        super().__init__(allow_none=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).isoformat()


def choice(values, **kwargs):
    kwargs.setdefault("allow_none", not kwargs.get("required", False))
    return fields.String(validate=validate.OneOf(values), **kwargs)


def yen(**kwargs):
    return fields.Integer(strict=True, allow_none=True,
                          validate=validate.Range(min=0, max=10**12), **kwargs)


class Competitor(Schema):
    name = Text(required=True)
    product = Text()
    price = yen()


class CustomerSchema(Schema):
    name = Text(required=True)
    name_kana = Text()
    address = Text(MEDIUM)
    phone = Text(40)
    owner_id = Uuid()
    team = Text(64)
    notes = Text(LONG)


class ContactSchema(Schema):
    customer_id = Uuid(required=True)
    name = Text(required=True)
    name_kana = Text()
    department = Text()
    title = Text()
    phone = Text(40)
    email = Text(254)


class VisitSchema(Schema):
    customer_id = Uuid(required=True)
    kind = choice(["sales", "aftercare", "phone", "email", "fax", "event"], required=True)
    visited_at = Instant(required=True)
    contact_ids = fields.List(Uuid(allow_none=False), validate=validate.Length(max=50), allow_none=True)
    purpose = Text(MEDIUM)
    notes = Text(LONG)
    handling = Text(LONG)
    next_action = Text(MEDIUM)
    next_action_due = Day()
    deal_id = Uuid()


class RequestSchema(Schema):
    customer_id = Uuid(required=True)
    kind = choice(["request", "complaint", "question"], required=True)
    title = Text(required=True)
    visit_id = Uuid()
    details = Text(LONG)
    urgency = choice(["low", "normal", "high"])
    heard_at = Instant()
    route_to = choice(["sales", "manufacturing", "service", "triage"])
    status = choice(["new", "triaged", "in_progress", "answered", "closed"])
    assignee_id = Uuid()
    response = Text(LONG)


class DealSchema(Schema):
    customer_id = Uuid(required=True)
    title = Text(required=True)
    stage = choice(STAGES)
    lost_reason = Text(MEDIUM)
    ball = choice(["ours", "customer"])
    amount = yen()
    expected_close = Day()
    competitors = fields.List(fields.Nested(Competitor), validate=validate.Length(max=50), allow_none=True)
    situation = fields.List(
        choice(["competitor", "budget_tight", "spec_change", "decision_maker_change", "postponed"]),
        validate=validate.Length(max=10), allow_none=True)
    owner_id = Uuid()


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
    status = choice(["draft", "submitted", "accepted", "rejected"])
    # Past-quote database (issue 7), additive: mm figures where known, and "make it again".
    length_mm = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=10**7))
    width_mm = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=10**7))
    thickness_mm = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=10**7))
    diameter_mm = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=10**7))
    source_quote_id = Uuid()
    carried_notes = Text(LONG)


# Deals, ball and follow-up (issue 6): a typed customer-side event on a deal.
EVENT_KINDS = ["competitor", "budget_tight", "spec_change", "decision_maker_change", "postponed", "note"]


class DealEventSchema(Schema):
    customer_id = Uuid(required=True)
    deal_id = Uuid(required=True)
    kind = choice(EVENT_KINDS, required=True)
    competitor_name = Text()
    competitor_product = Text()
    competitor_price = yen()
    note = Text(LONG)
    occurred_at = Instant()


class FollowSchema(Schema):
    customer_id = Uuid(required=True)
    user_id = Uuid()


class ConflictSchema(Schema):
    """Clients may only mark a conflict resolved; every other field is written by the server."""

    resolved = fields.Boolean(truthy={True}, falsy={False})


class Entity:
    """What the engine needs to know about one entity."""

    def __init__(self, name, schema, fields_, references=(), defaults=None, server_fields=(),
                 immutable=(), writable=True, creatable=True):
        self.name = name
        self.schema = schema
        self.fields = list(fields_)
        self.references = dict(references)
        self.defaults = defaults or {}
        self.server_fields = set(server_fields)
        self.immutable = set(immutable)
        self.writable = writable
        self.creatable = creatable
        self.required = [n for n, f in schema.fields.items() if f.required] if schema else []


ALWAYS_SERVER_OWNED = {"id", "version", "created_at", "updated_at", "deleted", "author_id"}

ENTITIES = {e.name: e for e in [
    Entity("customers", CustomerSchema(), CustomerSchema._declared_fields,
           references={"owner_id": "users"}),
    Entity("contacts", ContactSchema(), ContactSchema._declared_fields,
           references={"customer_id": "customers"}, immutable={"customer_id"}),
    Entity("visits", VisitSchema(), list(VisitSchema._declared_fields) + ["author_id"],
           references={"customer_id": "customers", "contact_ids": "contacts", "deal_id": "deals"},
           defaults={"contact_ids": []}, immutable={"customer_id"}),
    Entity("requests", RequestSchema(),
           list(RequestSchema._declared_fields) + ["author_id", "route_rule"],
           references={"customer_id": "customers", "visit_id": "visits", "assignee_id": "users"},
           defaults={"urgency": "normal", "status": "new"}, server_fields={"route_rule"},
           immutable={"customer_id"}),
    Entity("deals", DealSchema(), list(DealSchema._declared_fields) + ["ball_since"],
           references={"customer_id": "customers", "owner_id": "users"},
           defaults={"stage": "card_exchange", "ball": "ours", "competitors": [], "situation": []},
           server_fields={"ball_since"}, immutable={"customer_id"}),
    Entity("quotes", QuoteSchema(), QuoteSchema._declared_fields,
           references={"customer_id": "customers", "deal_id": "deals", "source_quote_id": "quotes"},
           defaults={"status": "draft"}, immutable={"customer_id"}),
    Entity("follows", FollowSchema(), FollowSchema._declared_fields,
           references={"customer_id": "customers", "user_id": "users"},
           immutable={"customer_id", "user_id"}),
    Entity("users", None, ["name", "role", "team"], writable=False),
    Entity("conflicts", ConflictSchema(),
           ["entity", "record_id", "field", "kept_value", "kept_by", "kept_hlc",
            "lost_value", "lost_by", "lost_hlc", "resolved"], creatable=False,
           server_fields={"entity", "record_id", "field", "kept_value", "kept_by", "kept_hlc",
                          "lost_value", "lost_by", "lost_hlc"}),
]}

# Deals, ball and follow-up (issue 6)
ENTITIES["deal_events"] = Entity(
    "deal_events", DealEventSchema(), list(DealEventSchema._declared_fields) + ["author_id"],
    references={"customer_id": "customers", "deal_id": "deals"},
    immutable={"customer_id", "deal_id"})

ENTITIES["history"] = Entity(
    "history", None, ["entity", "record_id", "record_version", "changes", "by", "hlc", "at"],
    writable=False)
# Each change of these keeps a ``history`` record: the audit trail of a request, the stage
# and ball history of a deal.
HISTORY_ENTITIES = {"requests", "deals"}

# Parents first, so a client applying a page in order never meets a dangling reference.
ENTITY_ORDER = ["users", "customers", "contacts", "deals", "deal_events", "visits", "requests", "quotes",
                "follows", "conflicts", "history"]

# --- attachments (photos and documents, issue 8) -------------------------------------------
# The record syncs like any other; its bytes move through /api/v1/attachments/{id}/content.
ATTACHMENT_TYPES = ["image/jpeg", "image/png", "image/heic", "image/heif", "image/webp",
                    "application/pdf"]


class AttachmentSchema(Schema):
    customer_id = Uuid(required=True)
    owner_entity = choice(["visits", "requests"], required=True)
    owner_id = Uuid(required=True)
    filename = Text(255)
    content_type = choice(ATTACHMENT_TYPES, required=True)
    size = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=2**31 - 1))
    sha256 = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9a-f]{64}$", error="must be the SHA-256 of the bytes as 64 lower-case hex digits"))
    taken_at = Instant()


ENTITIES["attachments"] = Entity(
    "attachments", AttachmentSchema(),
    list(AttachmentSchema._declared_fields) + ["author_id", "uploaded"],
    references={"customer_id": "customers"}, server_fields={"uploaded"},
    immutable={"customer_id", "owner_entity", "owner_id", "content_type", "size", "sha256"})
ENTITY_ORDER.append("attachments")
