"""Online customer search: find customers outside one's scope to follow them."""
from sync import live_records

from server.core.auth import token_required
from server.core.blueprint import Blueprint
from server.core.db import db
from server.core.text import digits, fold
from server.customers.schemas import CustomerSearchSchema, SearchQuerySchema

bp = Blueprint("customers", __name__)


@bp.get("/customers/search")
@token_required
@bp.arguments(SearchQuerySchema, location="query")
@bp.response(200, CustomerSearchSchema)
def search(query):
    """Find customers by name, kana or phone; answer only their ids and names."""
    needle, number = fold(query["q"]), digits(query["q"])
    hits = []
    for data in live_records(db.session, "customers"):  # every customer: the search is for those outside one's scope
        rank = match_rank(data, needle, number)
        if rank is not None:
            hits.append((rank, data["name"], data["id"]))
    hits.sort()
    return {"results": [{"id": i, "name": n} for _, n, i in hits[:query["limit"]]]}


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
