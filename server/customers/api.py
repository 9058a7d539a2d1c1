"""Customer endpoints: the online search (to follow customers outside one's scope), likely
duplicates within it, merging two customers, and importing a customer list from Excel."""

import time

from flask import current_app, g
from sqlalchemy import select

from sync import live_records

from server.core import audit
from server.core.auth import role_required, token_required
from server.core.blueprint import Blueprint
from server.core.calendar import today
from server.core.db import db, writing_session
from server.core.engine import ENGINE
from server.core.list_import import FILE_BODY, uploaded
from server.core.models import User
from server.core.spreadsheet import XLSX, download, workbook
from server.core.text import digits, fold
from server.core.vocabulary import OFFICE_ROLES
from server.customers.duplicates import candidates
from server.customers.importer import export_table, import_list
from server.customers.merge import merge_customer
from server.customers.schemas import (
    CustomerImportQuerySchema,
    CustomerSearchSchema,
    DuplicatesQuerySchema,
    DuplicatesSchema,
    ImportSchema,
    MergeSchema,
    SearchQuerySchema,
)

bp = Blueprint("customers", __name__)


@bp.get("/customers/search")
@token_required
@bp.arguments(SearchQuerySchema, location="query")
@bp.response(200, CustomerSearchSchema)
def search(query):
    """Find customers by name, kana or phone; answer only their ids and names."""
    needle, number = fold(query["q"]), digits(query["q"])
    hits = []
    for data in live_records(
        db.session, "customers"
    ):  # every customer: the search is for those outside one's scope
        rank = match_rank(data, needle, number)
        if rank is not None:
            hits.append((rank, data["name"], data["id"]))
    hits.sort()
    return {"results": [{"id": i, "name": n} for _, n, i in hits[: query["limit"]]]}


def match_rank(customer, needle, number):
    """0 for a match at the start of the name or kana, 1 inside them, 2 by the whole phone
    number (a part of one would list every customer of an area code); else None."""
    names = [fold(customer.get("name")), fold(customer.get("name_kana"))]
    if any(name.startswith(needle) for name in names):
        return 0
    if any(needle in name for name in names):
        return 1
    if len(number) >= 6 and number == digits(customer.get("phone")):
        return 2
    return None


@bp.get("/customers/duplicates")
@token_required
@bp.arguments(DuplicatesQuerySchema, location="query")
@bp.response(200, DuplicatesSchema)
def duplicates(query):
    """Customers in the user's scope likely the same as the one described: folded name
    (without 株式会社 and the like), phone digits, email domain; each with a score and why."""
    customers = live_records(db.session, "customers", engine=ENGINE, actor=g.actor)
    contacts = {}
    for contact in live_records(db.session, "contacts", engine=ENGINE, actor=g.actor):
        contacts.setdefault(contact["customer_id"], []).append(contact)
    return {"candidates": candidates(query, customers, contacts)}


@bp.post("/customers/<uuid:customer_id>/merge")
@role_required(*OFFICE_ROLES)
@bp.arguments(MergeSchema)
@bp.error(404, "no such live customer")
@bp.alt_response(200, schema={"type": "object"}, description='{"record": the survivor}')
def merge(body, customer_id):
    """Merge a customer into another: its records move to the survivor as versioned changes,
    it becomes a tombstone with ``merged_into``, and later pushes naming it land on the survivor."""
    session = writing_session()
    survivor = merge_customer(
        session,
        g.actor.user_id,
        str(customer_id),
        body["into"],
        now_ms=int(time.time() * 1000),
        node=current_app.config["SERVER_NODE"],
    )
    session.commit()
    return {"record": survivor}


@bp.get("/customers/export.xlsx")
@role_required(*OFFICE_ROLES)
@bp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type=XLSX,
    description="one sheet 顧客一覧: a row per contact person, under the import's headers",
)
def export_customers():
    """Every customer and its contact people as an Excel workbook, in the columns the import
    reads: edited in Excel (new rows, new people) and imported, it adds only what is new."""
    users = [
        {"id": u.id, "login": u.login, "name": u.name, "active": u.active}
        for u in db.session.execute(select(User)).scalars()
    ]
    headers, rows = export_table(
        live_records(db.session, "customers"), live_records(db.session, "contacts"), users
    )
    audit.note(g.user.id, "export", what="customers", rows=len(rows))
    day = today().isoformat()
    return download(
        workbook("顧客一覧", headers, rows), XLSX, f"customers_{day}.xlsx", f"顧客一覧_{day}.xlsx"
    )


@bp.post("/customers/import")
@role_required(*OFFICE_ROLES)
@bp.arguments(CustomerImportQuerySchema, location="query")
@bp.doc(**FILE_BODY)
@bp.error(422, "an unreadable file, or rows to correct (errors keyed by row number)")
@bp.response(200, ImportSchema)
def import_customers(query):
    """Create the customers and contact people of a customer list (顧客台帳); all rows or none.

    A CSV in UTF-8 (with or without BOM) or Shift_JIS as Excel saves it, or an .xlsx; a header
    row naming 会社名 (or 顧客名, 得意先名) and any of フリガナ, 郵便番号, 住所, 電話番号, FAX,
    メール, URL, 営業担当 (a user's name or login), 区分, 出所, 備考, 担当者名, 部署, 役職, 携帯.
    Other columns go into the customer's notes. A customer stored already (its 顧客ID, as the
    export writes it, else the same name and no other phone number) gains the contact people it
    lacks, and the fields it and its people leave empty are filled; what they hold is not
    changed (the app may hold newer values than the file), and each preview row lists the
    headers it fills (``filled``) and those it gives otherwise (``differs``); with ``reassign``
    a kept customer whose row names another 営業担当 moves to that rep and their team (担当替え).
    A new customer whose rows name no 営業担当 is ``owner``'s, else the importer's.
    The same file twice writes nothing. ``dry_run`` answers the same and writes nothing.
    """
    content, filename = uploaded()
    return import_list(
        content,
        filename,
        g.user.id,
        dry_run=query["dry_run"],
        reassign=query["reassign"],
        owner=query["owner"],
    )
