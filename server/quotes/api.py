"""Past quotes: search them in Japanese, and find the ones most like a quote."""

from flask import g

from server.core.auth import token_required
from server.core.blueprint import Blueprint
from server.core.db import db
from server.core.errors import ApiError
from server.quotes.schemas import QuoteResultsSchema, QuoteSearchQuerySchema, SimilarQuerySchema
from server.quotes.search import readable_quote, search, similar

bp = Blueprint("quotes", __name__)


@bp.get("/quotes/search")
@token_required
@bp.arguments(QuoteSearchQuerySchema, location="query")
@bp.response(200, QuoteResultsSchema)
def quote_search(query):
    """Past quotes matching free text and filters, best first, each with why it matched.

    Width, kana and case are folded, synonyms and 2-character words found, and what people say
    around the thing (前回と同じ…を作って下さい) left out; neither text nor a filter answers no
    results.
    """
    try:
        return {"results": search(db.session, g.actor, query)}
    finally:
        db.session.rollback()


@bp.get("/quotes/<uuid:quote_id>/similar")
@token_required
@bp.arguments(SimilarQuerySchema, location="query")
@bp.error(404, "no such quote in your scope")
@bp.response(200, QuoteResultsSchema)
def quote_similar(query, quote_id):
    """Past quotes most like this one by material, method, size, product and text."""
    try:
        quote = readable_quote(db.session, g.actor, str(quote_id))
        if quote is None:
            raise ApiError(404, "There is no quote with this id that you may see.")
        return {"results": similar(db.session, g.actor, quote, query["limit"])}
    finally:
        db.session.rollback()
