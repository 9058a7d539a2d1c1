"""Likely duplicates of a customer (名寄せ): by folded name, phone digits and email domain.

Scoring is a pure function over plain values; the endpoint reads the candidates in scope.
"""

import re

from server.core.text import digits, fold

COMPANY_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|\(株\)|\(有\)|㈱|㈲|kabushikikaisha|co\.?,?ltd\.?|inc\.?"
)
# Addresses at these domains say nothing about which company a person works for.
FREE_MAIL = {
    "gmail.com",
    "yahoo.co.jp",
    "icloud.com",
    "outlook.com",
    "outlook.jp",
    "hotmail.com",
    "docomo.ne.jp",
    "ezweb.ne.jp",
    "softbank.ne.jp",
    "i.softbank.jp",
    "au.com",
}
WEIGHTS = {"name": 0.6, "name_partial": 0.35, "phone": 0.5, "email_domain": 0.3}


def company_key(name):
    """A customer's name folded, without its company form (株式会社 etc.)."""
    return COMPANY_FORMS.sub("", fold(name))


def email_domain(email):
    domain = (email or "").rpartition("@")[2].strip().lower()
    return "" if not domain or domain in FREE_MAIL else domain


def match(query, customer, contacts=()):
    """``(score, why)`` of a customer (with its contacts) against a query, or None."""
    why = []
    wanted, theirs = company_key(query.get("name")), company_key(customer.get("name"))
    if wanted and theirs:
        if wanted == theirs:
            why.append("name")
        elif min(len(wanted), len(theirs)) >= 2 and (wanted in theirs or theirs in wanted):
            why.append("name_partial")
    number = digits(query.get("phone"))
    numbers = {
        digits(p)
        for p in [customer.get("phone")] + [c.get(k) for c in contacts for k in ("phone", "mobile", "fax")]
    }
    if len(number) >= 6 and number in numbers:
        why.append("phone")
    domain = email_domain(query.get("email"))
    domains = {email_domain(e) for e in [customer.get("email")] + [c.get("email") for c in contacts]}
    if domain and domain in domains:
        why.append("email_domain")
    if not why:
        return None
    return min(1.0, round(sum(WEIGHTS[w] for w in why), 2)), why


def candidates(query, customers, contacts_by_customer, limit=20):
    """The best-scoring customers for a query, highest first."""
    found = []
    for customer in customers:
        scored = match(query, customer, contacts_by_customer.get(customer["id"], ()))
        if scored is not None:
            found.append(
                {"id": customer["id"], "name": customer["name"], "score": scored[0], "why": scored[1]}
            )
    found.sort(key=lambda c: (-c["score"], c["name"]))
    return found[:limit]
