"""Online customer search: find customers outside one's scope to follow them."""
import json

from flask import Blueprint, request
from marshmallow import ValidationError
from sqlalchemy import false, select

from sync import live_records

from server.core.auth import token_required
from server.core.db import db
from server.core.errors import ApiError
from server.core.schemas import CustomerSearchSchema, SearchQuerySchema
from server.core.text import digits, fold

bp = Blueprint("customers", __name__)
query_schema = SearchQuerySchema()
result_schema = CustomerSearchSchema()


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
