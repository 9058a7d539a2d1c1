"""Visits: which customer, when, met whom, what was discussed and done."""

from marshmallow import Schema, fields, validate

from sync import Entity, Rules
from sync.entity import LONG, MEDIUM, Day, Instant, Text, Uuid, choice
from sync.hlc import physical_ms
from sync.wire import iso_from_ms

from server.core.vocabulary import codes


class Part(Schema):
    name = Text(required=True)
    quantity = fields.Float(allow_none=True, validate=validate.Range(min=0, max=1_000_000))


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
    work_minutes = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(min=0, max=7 * 24 * 60)
    )
    parts = fields.List(fields.Nested(Part), validate=validate.Length(max=100), allow_none=True)
    signed_by = Text()
    signed_at = Instant()
    # The requests heard on the visit that the sign screen showed: one heard later is marked on
    # the report. Not checked against the requests: a record of what was shown, nothing more.
    signed_request_ids = fields.List(
        Uuid(allow_none=False), validate=validate.Length(max=100), allow_none=True
    )


# What the customer confirms by signing: the facts the sign screen shows and the service report
# prints (pwa/js/server-fields.js has the same list). Who signed and when, the people met and
# the deal are not part of what is signed.
SIGNED_CONTENT = (
    "kind",
    "visited_at",
    "work_minutes",
    "purpose",
    "handling",
    "notes",
    "parts",
    "next_action",
    "next_action_due",
)


class SignatureRules(Rules):
    """Mark a signed visit whose content changes afterwards: ``changed_after_signing_at`` is
    the time (by the changing write's HLC, as ``ball_since``) of the latest change of
    ``SIGNED_CONTENT`` that landed on a visit with ``signed_at`` and brought no new
    ``signed_at`` with it; a new signature clears it, and so does taking the signature away.

    Any such change counts, whenever it was made: an edit made offline on another device
    before the signature but arriving after it marks the visit too. The customer signed what
    the signing device showed, which did not hold that edit; and an HLC is the device's own
    clock (only clamped from the future), so excusing an "earlier" write would let a device
    hide a change by dating it back. The signing device's own earlier edits never mark it:
    they reach the server before its signature (the outbox keeps order) or in the same write.
    """

    def on_update(self, ctx, current, stored, hlc):
        before = current.data
        signed_at = stored.get("signed_at", before.get("signed_at"))
        new_signature = "signed_at" in stored and stored["signed_at"] != before.get("signed_at")
        if new_signature or not signed_at:
            if before.get("changed_after_signing_at") is not None:
                stored["changed_after_signing_at"] = None
        elif any(name in stored and stored[name] != before.get(name) for name in SIGNED_CONTENT):
            stored["changed_after_signing_at"] = iso_from_ms(physical_ms(hlc))


VISITS = Entity(
    "visits",
    VisitSchema(),
    extra_fields=["author_id", "changed_after_signing_at"],
    references={"customer_id": "customers", "contact_ids": "contacts", "deal_id": "deals"},
    same_scope={"contact_ids", "deal_id"},
    defaults={"contact_ids": [], "parts": []},
    server_fields={"changed_after_signing_at"},
    immutable={"customer_id"},
    rules=[SignatureRules()],
)
