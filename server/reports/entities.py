"""The daily report: one per person and day, written from any of their devices, approved by a
manager. It goes with no customer: only its author, office, managers and admins read it."""

import uuid

from marshmallow import Schema, fields, validate

from sync import Entity, Rejected, Rules
from sync.entity import LONG, Day, Text, choice
from sync.hlc import physical_ms
from sync.wire import iso_from_ms

from server.core.vocabulary import OFFICE_ROLES, codes

REPORT_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
APPROVER_ONLY = ("manager_comment",)
WRITTEN = ("summary", "notes", "hours")  # what the author writes, and an approval covers


def daily_report_id(user_id, date):
    """The one id of a person's report of a day, the same on every device."""
    return str(uuid.uuid5(REPORT_NAMESPACE, f"genba:daily_report:{user_id}:{date}"))


class DailyReportSchema(Schema):
    date = Day(required=True)
    summary = Text(LONG)
    notes = Text(LONG)
    hours = fields.Float(allow_none=True, validate=validate.Range(min=0, max=24))
    status = choice(codes("daily_report.status"))
    manager_comment = Text(LONG)


def not_allowed(field):
    return Rejected({field: ["not_allowed"]})


class DailyReportRules(Rules):
    """The author writes their report and submits it; office, managers and admins comment on
    it and approve it. ``submitted_at`` is when it was (last) submitted, by the edit's clock.
    What the author changes after the approval is submitted again (an approval covers what was
    read), and a submitted or approved report is not the author's to delete."""

    def check(self, ctx, current, values):
        approver = ctx.actor.role in OFFICE_ROLES
        if (
            values.get("status") == "approved"
            and not approver
            and (current is None or current.data.get("status") != "approved")
        ):
            raise not_allowed("status")
        for name in APPROVER_ONLY:
            if (
                name in values
                and not approver
                and values[name] != (current.data.get(name) if current else None)
            ):
                raise not_allowed(name)

    def on_create(self, ctx, data, hlc):
        data["user_id"] = ctx.actor.user_id
        if data["id"] != daily_report_id(data["user_id"], data["date"]):
            raise Rejected(
                {
                    "record_id": [
                        "a daily report's id is the UUIDv5 of genba:daily_report:<your user id>:<date>"
                    ]
                }
            )
        if data.get("status") == "submitted":
            data["submitted_at"] = iso_from_ms(physical_ms(hlc))

    def check_delete(self, ctx, current):
        if ctx.actor.role not in OFFICE_ROLES and current.data.get("status") in ("submitted", "approved"):
            raise not_allowed("record_id")

    def on_update(self, ctx, current, stored, hlc):
        if (
            ctx.actor.role not in OFFICE_ROLES
            and current.data.get("status") == "approved"
            and stored.get("status", "approved") == "approved"
            and any(name in stored and stored[name] != current.data.get(name) for name in WRITTEN)
        ):
            stored["status"] = "submitted"
        if stored.get("status") == "submitted" and current.data.get("status") != "submitted":
            stored["submitted_at"] = iso_from_ms(physical_ms(hlc))


DAILY_REPORTS = Entity(
    "daily_reports",
    DailyReportSchema(),
    extra_fields=["user_id", "submitted_at"],
    references={},
    defaults={"status": "draft"},
    server_fields={"user_id", "submitted_at"},
    immutable={"date"},
    scoped=False,
    private=True,
    owner_field="user_id",
    keeps_history=False,
    rules=[DailyReportRules()],
)
