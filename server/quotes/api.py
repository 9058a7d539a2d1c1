"""Past quotes: search them in Japanese, find the ones most like a quote, and bring in the
history kept in Excel."""

from flask import g

from sync import live_records

from server.core import audit
from server.core.auth import role_required, token_required
from server.core.blueprint import Blueprint
from server.core.calendar import today
from server.core.db import db
from server.core.errors import ApiError
from server.core.list_import import FILE_BODY, uploaded
from server.core.schemas import ImportQuerySchema
from server.core.spreadsheet import XLSX, download, workbook
from server.core.vocabulary import OFFICE_ROLES
from server.core.words import Said
from server.quotes.importer import export_table, import_quotes
from server.quotes.schemas import (
    QuoteImportSchema,
    QuoteResultsSchema,
    QuoteSearchQuerySchema,
    SimilarQuerySchema,
)
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
            raise ApiError(
                404,
                Said(
                    "There is no quote with this id that you may see.",
                    "見られる見積の中に、このIDのものはありません。",
                ),
            )
        return {"results": similar(db.session, g.actor, quote, query["limit"])}
    finally:
        db.session.rollback()


@bp.get("/quotes/export.xlsx")
@role_required(*OFFICE_ROLES)
@bp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type=XLSX,
    description="one sheet 見積台帳: a row per quote, under the import's headers",
)
def export_quotes():
    """Every quote of a kept customer as an Excel workbook (見積台帳), in the columns the import
    reads with 見積ID first: 原価 or 状態 filled in Excel and imported fill those quotes, new
    rows become quotes."""
    headers, rows = export_table(live_records(db.session, "quotes"), live_records(db.session, "customers"))
    audit.note(g.user.id, "export", what="quotes", rows=len(rows))
    day = today().isoformat()
    return download(workbook("見積台帳", headers, rows), XLSX, f"quotes_{day}.xlsx", f"見積台帳_{day}.xlsx")


@bp.post("/quotes/import")
@role_required(*OFFICE_ROLES)
@bp.arguments(ImportQuerySchema, location="query")
@bp.doc(**FILE_BODY)
@bp.error(422, "an unreadable file, or rows to correct (errors keyed by row number)")
@bp.response(200, QuoteImportSchema)
def quote_import(query):
    """Create past quotes from a quote list kept in Excel (見積台帳); all rows or none.

    A CSV in UTF-8 (with or without BOM) or Shift_JIS, or an .xlsx; a header row naming 顧客名
    (a stored customer's name, or 顧客ID) and any of 見積番号, 見積日 (2023/4/5, 令和5年4月5日),
    図番, 品名, 材質, 寸法, 加工方法, 加工内容, 数量, 金額, 原価, 納期日数, 苦労した点, 状態
    (提出済み, 受注, 不採用). 見積番号 and other columns are kept in 加工内容. A quote imported
    before gets the fields it leaves empty and an outcome further along (受注 where it was 提出済み),
    never another value: each preview row lists the headers it fills (``filled``) and those it
    gives otherwise (``differs``). A quote deleted since is not brought back. The same file twice
    writes nothing. ``dry_run`` answers the same and writes nothing.
    """
    content, filename = uploaded()
    return import_quotes(content, filename, g.user.id, dry_run=query["dry_run"])
