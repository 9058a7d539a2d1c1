"""Past quotes: search them in Japanese, and find the ones most like a quote."""
from flask import Blueprint, g, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from sync.entity import Text, field_errors

from server.core.auth import token_required
from server.core.db import db
from server.core.errors import ApiError, bad_request
from server.quotes.search import readable_quote, search, similar

bp = Blueprint("quotes", __name__)
MM = dict(allow_nan=False, validate=validate.Range(min=0, max=10**7))


class QuoteSearchQuerySchema(Schema):
    """Free text ``q`` and the filters; at least one of them to get results."""

    class Meta:
        unknown = EXCLUDE

    q = Text(200, load_default="")
    customer_id = fields.UUID()
    material = Text(100)
    processing_method = Text(100)
    product = Text(200)
    drawing_no = Text(100)
    length_min = fields.Float(**MM)
    length_max = fields.Float(**MM)
    submitted_from = fields.Date()
    submitted_to = fields.Date()
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))

    @validates_schema
    def ranges_in_order(self, data, **kwargs):
        for low, high in (("length_min", "length_max"), ("submitted_from", "submitted_to")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                raise ValidationError(f"must not be below {low}", high)


class SimilarQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class QuoteHitSchema(Schema):
    quote = fields.Dict()
    score = fields.Float()
    why = fields.List(fields.Dict(), metadata={"description": "which field matched which word"})


class QuoteResultsSchema(Schema):
    results = fields.List(fields.Nested(QuoteHitSchema))


search_query, similar_query, results_schema = QuoteSearchQuerySchema(), SimilarQuerySchema(), QuoteResultsSchema()


def load_query(schema):
    try:
        return schema.load(request.args)
    except ValidationError as err:
        raise bad_request("Check the search: q up to 200 characters, sizes in mm, dates as "
                          "YYYY-MM-DD, minimum not above maximum.", field_errors(err.messages))


@bp.get("/quotes/search")
@token_required
def quote_search():
    """Past quotes matching free text and filters, best first, each with why it matched."""
    query = load_query(search_query)
    try:
        return results_schema.dump({"results": search(db.session, g.actor, query)})
    finally:
        db.session.rollback()


@bp.get("/quotes/<uuid:quote_id>/similar")
@token_required
def quote_similar(quote_id):
    """Past quotes most like this one by material, method, size, product and text."""
    query = load_query(similar_query)
    try:
        quote = readable_quote(db.session, g.actor, str(quote_id))
        if quote is None:
            raise ApiError(404, "There is no quote with this id that you may see.")
        return results_schema.dump({"results": similar(db.session, g.actor, quote, query["limit"])})
    finally:
        db.session.rollback()
