"""The past-quote search: its query, the similar-quotes query and their answer."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from sync.entity import Text, within_years

from server.core.schemas import Arguments

MM = dict(allow_nan=False, validate=validate.Range(min=0, max=10**7))
INVALID = (
    "Check the search: q up to 200 characters, sizes in mm, dates as YYYY-MM-DD, minimum not above maximum."
)


class QuoteSearchQuerySchema(Arguments):
    """Free text ``q`` and the filters; at least one of them to get results."""

    invalid_message, invalid_status = INVALID, 400

    class Meta:
        unknown = EXCLUDE

    q = Text(200, load_default="", metadata={"description": "free text"})
    customer_id = fields.UUID()
    material = Text(100, metadata={"description": "synonyms included (ステンレス finds SUS304)"})
    processing_method = Text(100, metadata={"description": "e.g. 旋盤"})
    product = Text(200)
    drawing_no = Text(100, metadata={"description": "the drawing number or a part of it"})
    length_min = fields.Float(**MM, metadata={"description": "longest dimension at least (mm)"})
    length_max = fields.Float(**MM, metadata={"description": "longest dimension at most (mm)"})
    submitted_from = fields.Date(
        validate=within_years, metadata={"description": "submitted on or after (Japan)"}
    )
    submitted_to = fields.Date(
        validate=within_years, metadata={"description": "submitted on or before (Japan)"}
    )
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))

    @validates_schema
    def ranges_in_order(self, data, **kwargs):
        for low, high in (("length_min", "length_max"), ("submitted_from", "submitted_to")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                raise ValidationError(f"must not be below {low}", high)


class SimilarQuerySchema(Arguments):
    invalid_message, invalid_status = INVALID, 400

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class QuoteHitSchema(Schema):
    quote = fields.Dict()
    score = fields.Float()
    why = fields.List(fields.Dict(), metadata={"description": "which field matched which word"})


class QuoteResultsSchema(Schema):
    results = fields.List(fields.Nested(QuoteHitSchema))


class QuoteImportRowSchema(Schema):
    row = fields.Integer(metadata={"description": "the row's number as Excel shows it"})
    action = fields.String(
        metadata={
            "description": "create, existing (imported before) or deleted (deleted since: not brought back)"
        }
    )
    name = fields.String(metadata={"description": "customer・product (or drawing number)"})
    filled = fields.List(
        fields.String(),
        metadata={
            "description": "headers of the kept quote's empty fields (or outcome further along) the row fills"
        },
    )
    differs = fields.List(
        fields.String(),
        metadata={"description": "headers of kept values the row gives otherwise: shown, not written"},
    )
    later = fields.Boolean(
        metadata={
            "description": "a row past the first 100 shown because it needs a look (differs, deleted, moved)"
        }
    )


class QuoteImportSchema(Schema):
    dry_run = fields.Boolean()
    rows = fields.Integer()
    quotes_created = fields.Integer()
    quotes_existing = fields.Integer()
    quotes_updated = fields.Integer(
        metadata={"description": "kept quotes whose empty fields or outcome are filled"}
    )
    quotes_deleted = fields.Integer(
        metadata={"description": "rows of quotes deleted since: not brought back"}
    )
    notes_columns = fields.List(fields.String(), metadata={"description": "headers kept in 加工内容"})
    preview = fields.List(
        fields.Nested(QuoteImportRowSchema),
        metadata={"description": "the first 100 rows, then up to 100 later ones that need a look"},
    )
