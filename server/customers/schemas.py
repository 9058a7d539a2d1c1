"""Input and output of the customer endpoints: the online search, duplicates and merge."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates, validates_schema

from sync.entity import Text, Uuid

from server.core.schemas import Arguments, ImportQuerySchema
from server.core.words import Said


class SearchQuerySchema(Arguments):
    invalid_message = Said(
        "Type at least one character to search for.", "探す言葉を1文字以上入れてください。"
    )

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


class DuplicatesQuerySchema(Arguments):
    invalid_message = Said(
        "Give a name, a phone number or an email address to look for.",
        "探す名前・電話番号・メールアドレスを入れてください。",
    )

    class Meta:
        unknown = EXCLUDE

    name = Text(200)
    phone = Text(40)
    email = Text(254)

    @validates_schema
    def needs_something(self, data, **kwargs):
        if not any(data.get(k) for k in ("name", "phone", "email")):
            raise ValidationError("give a name, a phone number or an email address", "name")


class CandidateSchema(Schema):
    id = fields.String()
    name = fields.String()
    score = fields.Float()
    why = fields.List(fields.String())


class DuplicatesSchema(Schema):
    candidates = fields.List(fields.Nested(CandidateSchema))


class MergeSchema(Arguments):
    invalid_message = Said(
        'Name the customer to merge into as {"into": id}.', "統合先の顧客を選んでください。"
    )

    into = Uuid(required=True)


class ImportRowSchema(Schema):
    row = fields.Integer(metadata={"description": "the row's number as Excel shows it"})
    action = fields.String(
        metadata={
            "description": "create, existing (a stored customer), same_as_row or deleted (not brought back)"
        }
    )
    name = fields.String()
    customer_id = fields.String(
        allow_none=True, metadata={"description": "the stored customer, for existing"}
    )
    same_as_row = fields.Integer(allow_none=True, metadata={"description": "the row that creates it"})
    contact = fields.String(allow_none=True, metadata={"description": "the contact person added, if any"})
    filled = fields.List(
        fields.String(),
        metadata={"description": "headers of the stored customer's (or person's) empty fields the row fills"},
    )
    differs = fields.List(
        fields.String(),
        metadata={"description": "headers of stored values the row gives otherwise: shown, not written"},
    )
    reassigned_to = fields.String(
        allow_none=True, metadata={"description": "the 営業担当 the stored customer moves to (with reassign)"}
    )
    later = fields.Boolean(
        metadata={
            "description": "a row past the first 100 shown because it needs a look (differs, deleted, moved)"
        }
    )


class CustomerImportQuerySchema(ImportQuerySchema):
    invalid_message = Said(
        "dry_run and reassign are true or false; owner is a user's id, login or name.",
        "dry_run と reassign は true か false、owner は利用者のID・ログインID・名前です。",
    )

    reassign = fields.Boolean(
        load_default=False,
        metadata={"description": "make a kept customer the rep its row's 営業担当 names (担当替え)"},
    )
    owner = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "the user (id, login or name) who owns the new customers whose rows name no "
            "営業担当; without it, the importer"
        },
    )


class ImportSchema(Schema):
    dry_run = fields.Boolean()
    rows = fields.Integer()
    customers_created = fields.Integer()
    customers_existing = fields.Integer()
    customers_deleted = fields.Integer(
        metadata={"description": "deleted customers rows name: not brought back"}
    )
    contacts_created = fields.Integer()
    customers_reassigned = fields.Integer(
        metadata={"description": "kept customers moved to the rep their row names (with reassign)"}
    )
    customers_unowned = fields.Integer(
        metadata={"description": "new customers whose rows name no 営業担当: the importer's own"}
    )
    customers_updated = fields.Integer(
        metadata={"description": "stored customers whose empty fields are filled"}
    )
    contacts_updated = fields.Integer(
        metadata={"description": "stored contact persons whose empty fields are filled"}
    )
    notes_columns = fields.List(fields.String(), metadata={"description": "headers kept in the notes"})
    preview = fields.List(
        fields.Nested(ImportRowSchema),
        metadata={"description": "the first 100 rows, then up to 100 later ones that need a look"},
    )
