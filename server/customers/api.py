"""Customer endpoints: the online search (to follow customers outside one's scope), likely
duplicates within it, and merging two customers."""

import time

from flask import current_app, g

from sync import live_records

from server.core.auth import role_required, token_required
from server.core.blueprint import Blueprint
from server.core.db import db, writing_session
from server.core.engine import ENGINE
from server.core.text import digits, fold
from server.core.vocabulary import OFFICE_ROLES
from server.customers.duplicates import candidates
from server.customers.merge import merge_customer
from server.customers.schemas import (
    CustomerSearchSchema,
    DuplicatesQuerySchema,
    DuplicatesSchema,
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
