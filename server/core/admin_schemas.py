"""Schemas of the admin API: users, their devices, the audit trail."""

from marshmallow import EXCLUDE, Schema, fields, validate

from sync.entity import Text, within_years

from server.core.audit import AUDIT_ACTIONS
from server.core.schemas import Arguments, UtcDateTime
from server.core.vocabulary import ROLES
from server.core.words import Said


class NewUserSchema(Arguments):
    invalid_message = Said("Check the fields marked.", "印の付いた項目を確かめてください。")

    class Meta:
        unknown = EXCLUDE

    login = Text(64, required=True)
    name = Text(100, required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    team = Text(64)
    password = fields.String(required=True, validate=validate.Length(min=8, max=256))


class UserChangeSchema(Arguments):
    invalid_message = Said("Check the fields marked.", "印の付いた項目を確かめてください。")

    class Meta:
        unknown = EXCLUDE

    name = Text(100)
    role = fields.String(validate=validate.OneOf(ROLES))
    team = Text(64)
    password = fields.String(validate=validate.Length(min=8, max=256))
    active = fields.Boolean(truthy={True}, falsy={False})


class AdminUserSchema(Schema):
    id = fields.String()
    login = fields.String()
    name = fields.String()
    role = fields.String()
    team = fields.String(allow_none=True)
    active = fields.Boolean()
    last_seen = UtcDateTime(allow_none=True)
    devices = fields.Integer(metadata={"description": "devices not revoked"})


class AdminUserListSchema(Schema):
    users = fields.List(fields.Nested(AdminUserSchema))


class AdminDeviceSchema(Schema):
    id = fields.String()
    name = fields.String()
    first_seen = UtcDateTime()
    last_seen = UtcDateTime(allow_none=True)
    revoked = fields.Boolean()


class AdminDeviceListSchema(Schema):
    devices = fields.List(fields.Nested(AdminDeviceSchema))


class AuditQuerySchema(Arguments):
    invalid_message = (
        "Ask as since=<RFC 3339 time>&limit=N (N from 1 to 1000), optionally with "
        f"action=<one of {', '.join(AUDIT_ACTIONS)}> and order=newest&before=<event id>."
    )

    class Meta:
        unknown = EXCLUDE

    since = fields.AwareDateTime(load_default=None, default_timezone=None, validate=within_years)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    action = fields.String(load_default=None, validate=validate.OneOf(AUDIT_ACTIONS))
    order = fields.String(load_default="oldest", validate=validate.OneOf(["oldest", "newest"]))
    before = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))  # an id


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = UtcDateTime()
    user_id = fields.String(allow_none=True)
    action = fields.String()
    detail = fields.Dict()


class AuditListSchema(Schema):
    events = fields.List(fields.Nested(AuditEventSchema))
