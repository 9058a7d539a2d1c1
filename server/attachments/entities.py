"""Attachments: the record of a photo or file syncs like any other; its bytes move through
``/api/v1/attachments/{id}/content``."""

from marshmallow import Schema, fields, validate

from sync import Entity, Rejected, Rules, survivor_of
from sync.entity import Instant, Text, Uuid, Whole, choice

from server.core.vocabulary import codes

ATTACHMENT_TYPES = ["image/jpeg", "image/png", "image/heic", "image/heif", "image/webp", "application/pdf"]


class AttachmentSchema(Schema):
    customer_id = Uuid(required=True)
    owner_entity = choice(["visits", "requests", "customers", "contacts"], required=True)
    owner_id = Uuid(required=True)
    filename = Text(255)
    content_type = choice(ATTACHMENT_TYPES, required=True)
    size = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=2**31 - 1))
    sha256 = fields.String(
        required=True,
        validate=Whole(
            r"^[0-9a-f]{64}$", error="must be the SHA-256 of the bytes as 64 lower-case hex digits"
        ),
    )
    taken_at = Instant()
    purpose = choice(codes("attachment.purpose"))


class AttachmentRules(Rules):
    """An attachment goes with the customer of the record it belongs to, so it is seen (and
    its bytes are served) exactly where that record is."""

    def check(self, ctx, current, values):
        if current is not None:
            return
        owner = ctx.get(values["owner_entity"], owner_id(ctx, values))
        if owner is None:
            raise Rejected({"owner_id": [f"{values['owner_entity']} {values['owner_id']} does not exist"]})
        if owner.scope_id != values["customer_id"]:
            raise Rejected({"customer_id": ["not_allowed"]})

    def on_create(self, ctx, data, hlc):
        data["owner_id"] = owner_id(ctx, data)


def owner_id(ctx, values):
    """The owner a new attachment names, or the customer it was merged into: a card photographed
    offline of a customer merged meanwhile goes with its survivor, as the customer's records do."""
    if values["owner_entity"] != ctx.engine.scope.root:
        return values["owner_id"]
    ctx.get(ctx.engine.scope.root, values["owner_id"])  # survivor_of reads what the batch holds
    return survivor_of(ctx, values["owner_id"])


ATTACHMENTS = Entity(
    "attachments",
    AttachmentSchema(),
    extra_fields=["author_id", "uploaded", "card_status", "card"],
    references={"customer_id": "customers"},
    defaults={"purpose": "photo"},
    server_fields={"uploaded", "card_status", "card"},
    immutable={"customer_id", "owner_entity", "owner_id", "content_type", "size", "sha256"},
    rules=[AttachmentRules()],
)
