"""Finding a request the way the inbox's search box does (``pwa/js/ui/inbox.js``): a number as
read out on the phone (「123」「No.123」「受付番号 123」) finds that request; other words its
title, details or customer's name, folded (width, case, kana)."""

import re
import unicodedata

from server.core.text import fold

NUMBER = re.compile(r"^(?:no\.?|#|受付番号)?\s*(\d+)$", re.IGNORECASE)


def matches_search(request, customer_name, q):
    """Whether ``request`` (its wire dict) is the one ``q`` searches for; an empty ``q`` finds all."""
    plain = unicodedata.normalize("NFKC", q or "").strip()
    if not plain:
        return True
    number = NUMBER.match(plain)
    if number:
        return request.get("number") == int(number[1])
    words = fold(plain)
    return any(words in fold(text) for text in (request.get("title"), request.get("details"), customer_name))
