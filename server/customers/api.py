"""Customer endpoints: the online search (to follow customers outside one's scope), likely
duplicates within it, and merging two customers."""
import time

from flask import Blueprint, current_app, g, request
from marshmallow import ValidationError

from sync import live_records

from server.core.auth import require_role, token_required
from server.core.db import db, writing_session
from server.core.engine import ENGINE
from server.core.errors import ApiError
from server.core.schemas import CustomerSearchSchema, SearchQuerySchema
from server.core.text import digits, fold
from server.core.vocabulary import OFFICE_ROLES
from server.customers.duplicates import candidates
from server.customers.merge import merge_customer
from server.customers.schemas import DuplicatesQuerySchema, DuplicatesSchema, MergeSchema

bp = Blueprint("customers", __name__)
query_schema = SearchQuerySchema()
result_schema = CustomerSearchSchema()
duplicates_query = DuplicatesQuerySchema()
duplicates_schema = DuplicatesSchema()
merge_schema = MergeSchema()


@bp.get("/customers/search")
@token_required
def search():
    """Find customers by name, kana or phone; answer only their ids and names."""
    try:
        query = query_schema.load(request.args)
    except ValidationError as err:
        raise ApiError(422, "Type at least one character to search for.", errors=err.messages)
    needle, number = fold(query["q"]), digits(query["q"])
    hits = []
    for data in live_records(db.session, "customers"):  # every customer: the search is for those outside one's scope
        rank = match_rank(data, needle, number)
        if rank is not None:
            hits.append((rank, data["name"], data["id"]))
    hits.sort()
    return result_schema.dump({"results": [{"id": i, "name": n} for _, n, i in hits[:query["limit"]]]})


def match_rank(customer, needle, number):
    """0 for a match at the start of the name or kana, 1 inside them, 2 by phone; else None."""
    names = [fold(customer.get("name")), fold(customer.get("name_kana"))]
    if any(name.startswith(needle) for name in names):
        return 0
    if any(needle in name for name in names):
        return 1
    if len(number) >= 3 and number in digits(customer.get("phone")):
        return 2
    return None


@bp.get("/customers/duplicates")
@token_required
def duplicates():
    """Customers in the user's scope that are likely the same as the one described."""
    try:
        query = duplicates_query.load(request.args)
    except ValidationError as err:
        raise ApiError(422, "Give a name, a phone number or an email address to compare.",
                       errors=err.messages)
    customers = live_records(db.session, "customers", engine=ENGINE, actor=g.actor)
    contacts = {}
    for contact in live_records(db.session, "contacts", engine=ENGINE, actor=g.actor):
        contacts.setdefault(contact["customer_id"], []).append(contact)
    return duplicates_schema.dump({"candidates": candidates(query, customers, contacts)})


@bp.post("/customers/<uuid:customer_id>/merge")
@token_required
def merge(customer_id):
    """Merge a customer into another (office, manager, admin); answer the survivor."""
    require_role(*OFFICE_ROLES)
    try:
        body = merge_schema.load(request.get_json(silent=True) or {})
    except ValidationError as err:
        raise ApiError(422, "Say which customer to merge into: {\"into\": id}.", errors=err.messages)
    session = writing_session()
    survivor = merge_customer(session, g.actor.user_id, str(customer_id), body["into"],
                              now_ms=int(time.time() * 1000),
                              node=current_app.config["SERVER_NODE"])
    session.commit()
    return {"record": survivor}
