"""Resource groups, company holidays and load entries: read by everyone, written by the office.

Unscoped: every user's device holds them, so the load can be shown while quoting offline.
"""

from marshmallow import Schema, ValidationError, fields, validate

from sync import Entity, Rejected, Rules
from sync.entity import Day, Flag, Text, Uuid, choice

from server.core.vocabulary import OFFICE_ROLES, codes
from server.load.weeks import monday_of

MAX_HOURS = 100000


class IsoWeek(fields.String):
    """An ISO week ``YYYY-Www`` that exists (``2027-W60`` does not; W53 only in long years)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        week = super()._deserialize(value, attr, data, **kwargs)
        try:
            monday_of(week)
        except ValueError as err:
            raise ValidationError(str(err)) from None
        return week


def hours(**kwargs):
    """A number of hours, not negative."""
    kwargs.setdefault("allow_none", not kwargs.get("required", False))
    return fields.Float(allow_nan=False, validate=validate.Range(min=0, max=MAX_HOURS), **kwargs)


class ResourceGroupSchema(Schema):
    name = Text(100, required=True)
    hours_per_day = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=24))
    efficiency = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=1))
    sort = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=-(10**6), max=10**6))
    active = Flag(allow_none=True)


class CompanyHolidaySchema(Schema):
    date = Day(required=True)
    name = Text(100)


class LoadEntrySchema(Schema):
    resource_group_id = Uuid(required=True)
    week = IsoWeek(required=True)
    hours = hours(required=True)
    confidence = choice(codes("load.confidence"))
    deal_id = Uuid()
    quote_id = Uuid()
    label = Text()
    source = choice(codes("load.source"))


class OfficeWrites(Rules):
    """Only office, manager and admin change the factory's calendar and load."""

    def check(self, ctx, current, values):
        if ctx.actor.role not in OFFICE_ROLES:
            raise Rejected({name: ["not_allowed"] for name in values} or {"entity": ["not_allowed"]})

    def check_delete(self, ctx, current):
        if ctx.actor.role not in OFFICE_ROLES:
            raise Rejected({"deleted": ["not_allowed"]})


RESOURCE_GROUPS = Entity(
    "resource_groups",
    ResourceGroupSchema(),
    scoped=False,
    defaults={"hours_per_day": 8, "efficiency": 0.85, "sort": 0, "active": True},
    rules=[OfficeWrites()],
)
COMPANY_HOLIDAYS = Entity("company_holidays", CompanyHolidaySchema(), scoped=False, rules=[OfficeWrites()])
LOAD_ENTRIES = Entity(
    "load_entries",
    LoadEntrySchema(),
    scoped=False,
    references={"resource_group_id": "resource_groups", "deal_id": "deals", "quote_id": "quotes"},
    defaults={"confidence": "firm", "source": "manual"},
    keeps_history=True,
    rules=[OfficeWrites()],
)
