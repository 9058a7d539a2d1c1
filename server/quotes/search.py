"""Search past quotes in Japanese, and rank the quotes most like one quote.

The database finds a few dozen candidates by reading term postings best and newest first
(filters and scope checked as it goes) and stops; those are then checked and scored here
against the folded fields, which also says why each one matched.
"""

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import aliased

from sync import live_record, live_records
from sync.scope import root_ids_in_scope

from server.core.engine import ENGINE
from server.core.text import fold
from server.quotes.index import QuoteIndex, QuoteTerm, index_rows, synonyms
from server.quotes.text import (
    DIMENSIONS,
    FIELD_WEIGHTS,
    SYNONYM_WEIGHT,
    terms_of,
    word_conditions,
    word_in,
    words_of,
)

JST = timezone(timedelta(hours=9))
CANDIDATES = 60
PROBE = 1000
NEAR = 20
LAST_CHARACTER = "\U0010ffff"
EXACT_BONUS = 1.0


def in_scope(session, actor):
    """A WHERE clause over ``QuoteIndex`` for the quotes of customers the actor sees (None
    for everyone's). The ids are read first: a list the database probes per row is much
    cheaper than the scope's union evaluated inside every scan."""
    if actor.sees_everything:
        return None
    ids = sorted(set(session.execute(root_ids_in_scope(ENGINE, actor)).scalars()))
    # coalesce() keeps the planner from walking the customer index and sorting what it finds:
    # the scans here read the best and newest first and stop, checking the list as they go.
    return func.coalesce(QuoteIndex.customer_id, "").in_(ids)


def clause(table, condition):
    """The WHERE clause of one word condition over a ``quote_terms`` alias."""
    kind, value = condition
    if kind == "prefix":
        return and_(table.term >= value, table.term < value + LAST_CHARACTER)
    return table.term == value


def holds(condition, quote_id):
    """Whether the quote ``quote_id`` has a term meeting the condition (an index seek).

    OFFSET 0 keeps PostgreSQL from turning the EXISTS into a semi-join that reads every
    posting of the other term first; asked per row, it stops with the scan."""
    other = aliased(QuoteTerm)
    return select(literal(1)).where(other.quote_id == quote_id, clause(other, condition)).offset(0).exists()


def postings(session, conditions, families):
    """How many postings each condition (and quotes each ``(column, family)``) has, counted
    up to ``PROBE``, enough to pick the rarest to drive a scan, in one round trip."""
    probes = [select(literal(1)).where(clause(QuoteTerm, c)) for c in conditions]
    probes += [select(literal(1)).where(column == family) for column, family in families]
    counts = [select(func.count()).select_from(p.limit(PROBE).subquery()).scalar_subquery() for p in probes]
    row = session.execute(select(*counts)).one() if counts else ()
    return dict(zip([*conditions, *families], row, strict=True))


def scan(conditions, counts, quote_filters, whole_words=True):
    """Quotes meeting every condition, read from the rarest one's postings best and newest
    first (the others checked by index seeks); ``quote_filters`` are over ``QuoteIndex``.

    A prefix drives as the whole word (``sus304``), whose postings are in order; with
    ``whole_words=False`` it drives as the prefix (``sus304l`` too), which needs a sort."""
    driver = min(conditions, key=lambda c: (counts[c], c[0] == "prefix"))
    where = (QuoteTerm.term == driver[1]) if whole_words else clause(QuoteTerm, driver)
    statement = select(QuoteTerm.quote_id).where(
        where, *[holds(c, QuoteTerm.quote_id) for c in conditions if c != driver]
    )
    if quote_filters:
        statement = statement.join(QuoteIndex, QuoteIndex.quote_id == QuoteTerm.quote_id).where(
            *quote_filters
        )
    return statement.order_by(QuoteTerm.weight.desc(), QuoteTerm.submitted_ms.desc())


FAMILY_COLUMNS = (QuoteIndex.material_family, QuoteIndex.method_family)


def candidate_statements(session, query_words, families, quote_filters):
    """Statements for the best quotes: those holding every word, and for each word naming a
    material or method group (ステンレス, アルミ, 鉄…) that family's quotes holding the others;
    then, run only when too few were found, prefixes and each word alone."""
    conditions = {word: word_conditions(word) for word in query_words}
    kin = sorted(
        {(column, family) for family in families.values() if family for column in FAMILY_COLUMNS},
        key=lambda k: (k[0].key, k[1]),
    )
    counts = postings(session, sorted({c for cs in conditions.values() for c in cs}), kin)
    every = [c for word in query_words for c in conditions[word]]
    statements = [scan(every, counts, quote_filters)]
    fallback = []
    if any(kind == "prefix" for kind, _ in every):
        fallback.append(scan(every, counts, quote_filters, whole_words=False))
    for word, family in families.items():
        for column in FAMILY_COLUMNS:
            if not family or not counts[(column, family)]:
                continue
            rest = [c for other in query_words if other != word for c in conditions[other]]
            if rest and min(counts[c] for c in rest) < counts[(column, family)]:
                statements.append(scan(rest, counts, [*quote_filters, column == family]))
            else:
                statements.append(
                    select(QuoteIndex.quote_id)
                    .where(column == family, *[holds(c, QuoteIndex.quote_id) for c in rest], *quote_filters)
                    .order_by(QuoteIndex.submitted_ms.desc())
                )
    if len(query_words) > 1:
        fallback += [scan(conditions[word], counts, quote_filters) for word in query_words]
    return statements, fallback


def filter_statements(query, quote_filters):
    """Statements for a search by filters alone, newest first: the material or method as
    typed before those of its family."""
    recent = QuoteIndex.submitted_ms.desc()
    typed = [
        column.contains(fold(query[name]), autoescape=True)
        for name, column in (("material", QuoteIndex.material), ("processing_method", QuoteIndex.method))
        if query.get(name)
    ]
    first = [select(QuoteIndex.quote_id).where(*typed, *quote_filters).order_by(recent)] if typed else []
    return first + [select(QuoteIndex.quote_id).where(*quote_filters).order_by(recent)]


def filter_conditions(query, words):
    """WHERE clauses over ``QuoteIndex`` for the structured filters of a search."""
    out = []
    if query.get("customer_id"):
        out.append(QuoteIndex.customer_id == str(query["customer_id"]))
    for name, column, kin in (
        ("material", QuoteIndex.material, QuoteIndex.material_family),
        ("processing_method", QuoteIndex.method, QuoteIndex.method_family),
    ):
        if query.get(name):
            word = fold(query[name])
            # A grade (SUS316, A5052) is matched as typed; a family word (ステンレス) finds its kin.
            family = None if any(c.isdigit() for c in word) else words.group_of(word)
            same = column.contains(word, autoescape=True)
            out.append(or_(same, kin == family) if family else same)
    for name, column in (("product", QuoteIndex.product), ("drawing_no", QuoteIndex.drawing_no)):
        if query.get(name):
            out.append(column.contains(fold(query[name]), autoescape=True))
    if query.get("length_min") is not None:
        out.append(QuoteIndex.length_mm >= query["length_min"])
    if query.get("length_max") is not None:
        out.append(QuoteIndex.length_mm <= query["length_max"])
    if query.get("submitted_from"):
        out.append(QuoteIndex.submitted_ms >= day_ms(query["submitted_from"]))
    if query.get("submitted_to"):
        out.append(QuoteIndex.submitted_ms < day_ms(query["submitted_to"] + timedelta(days=1)))
    return out


def day_ms(day):
    """Midnight of a date in Japan, in epoch milliseconds."""
    return int(datetime.combine(day, time(0), JST).timestamp() * 1000)


def search(session, actor, query):
    """The quotes matching ``query`` (the loaded search parameters), best first."""
    words = synonyms()
    query_words = words_of(query.get("q"))
    # A product or drawing-number filter also finds its candidates through the term index.
    query_words += [
        w for name in ("product", "drawing_no") for w in words_of(query.get(name)) if w not in query_words
    ]
    filters = filter_conditions(query, words)
    if not query_words and not filters:
        return []
    families = {w: words.group_of(w) for w in query_words}
    limit = query.get("limit", 20)
    quote_filters = [c for c in [in_scope(session, actor), *filters] if c is not None]
    if query_words:
        statements, singles = candidate_statements(session, query_words, families, quote_filters)
    else:
        statements, singles = filter_statements(query, quote_filters), []
    ids = []
    for statement in statements + [None] + singles:
        if statement is None:  # the quotes holding only some of the words, if too few hold all
            if len(ids) >= limit:
                break
            continue
        for quote_id in session.execute(statement.limit(max(CANDIDATES, limit * 3))).scalars():
            if quote_id not in ids:
                ids.append(quote_id)
    quotes = load_quotes(session, ids)
    results = []
    for quote_id in ids:
        quote = quotes.get(quote_id)
        if quote is None:
            continue
        score, why = explain(quote, query_words, families)
        if query_words and score == 0:
            continue  # the bigrams were all there, but not the word itself
        reasons = filter_reasons(query, quote)
        score += sum(r.get("exact", 0) for r in reasons)
        why.extend(reasons)
        results.append({"quote": quote, "score": round(score, 3), "why": why})
    results.sort(key=lambda r: (-r["score"], -(instant_key(r["quote"]))))
    return results[:limit]


def instant_key(quote):
    value = quote.get("submitted_at") or quote.get("created_at")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if value else 0
    except ValueError:
        return 0


def load_quotes(session, ids):
    if not ids:
        return {}
    return {quote["id"]: quote for quote in live_records(session, "quotes", ids=ids)}


def explain(quote, query_words, families):
    """Score a quote against the query words and list which field matched which word."""
    folded = {field: fold(quote.get(field)) for field in FIELD_WEIGHTS}
    words = synonyms()
    kin = {
        "material": words.family(quote.get("material")),
        "processing_method": words.family(quote.get("processing_method")),
    }
    score, why = 0.0, []
    for word in query_words:
        best, reason = 0.0, None
        for field, field_weight in FIELD_WEIGHTS.items():
            if word_in(word, folded[field]):
                value = field_weight + (EXACT_BONUS if folded[field] == word else 0)
                if value > best:
                    best, reason = value, {"field": field, "term": word, "word": word}
        family = families.get(word)
        for field, value in kin.items():
            if family and value == family and not reason:
                best = FIELD_WEIGHTS["material"] * SYNONYM_WEIGHT
                reason = {"field": field, "term": fold(quote.get(field)), "word": word, "synonym": True}
        if reason:
            score += best
            why.append(reason)
    return score, why


def filter_reasons(query, quote):
    """The filters a quote passed; ``exact`` when it holds the word typed, not a synonym."""
    reasons = []
    for name in ("material", "processing_method", "product", "drawing_no"):
        if query.get(name):
            word = fold(query[name])
            reason = {"field": name, "term": word, "filter": True}
            if word in fold(quote.get(name)):
                reason["exact"] = 1
            reasons.append(reason)
    if query.get("length_min") is not None or query.get("length_max") is not None:
        reasons.append({"field": "length_mm", "filter": True})
    return reasons


# -- similar quotes ------------------------------------------------------------------------

SIMILAR_WEIGHTS = {
    "material": 0.25,
    "processing_method": 0.2,
    "dimensions": 0.25,
    "product": 0.2,
    "drawing_no": 0.15,
    "text": 0.1,
}


def readable_quote(session, actor, quote_id):
    """The live quote with this id if the actor may read it, else None."""
    return live_record(session, "quotes", quote_id, engine=ENGINE, actor=actor)


def similar(session, actor, quote, limit=10):
    """Past quotes most like ``quote``, each with its score and why."""
    target, _ = index_rows(quote)
    base = select(QuoteIndex.quote_id).where(
        QuoteIndex.quote_id != quote["id"], *[c for c in [in_scope(session, actor)] if c is not None]
    )
    statements = []
    for column, key in (
        (QuoteIndex.material_family, "material_family"),
        (QuoteIndex.method_family, "method_family"),
        (QuoteIndex.product, "product"),
    ):
        if target[key]:
            statements.extend(nearest(base.where(column == target[key]), target["length_mm"]))
    if target["drawing_no"]:
        statements.append(base.where(QuoteIndex.drawing_no == target["drawing_no"]).limit(NEAR))
    ids = []
    for statement in statements:
        ids.extend(i for i in session.execute(statement).scalars() if i not in ids)
    rows = (
        {
            row.quote_id: dict(row._mapping)
            for row in session.execute(
                select(*QuoteIndex.__table__.columns).where(QuoteIndex.quote_id.in_(ids))
            )
        }
        if ids
        else {}
    )
    quotes = load_quotes(session, ids)
    text = terms_of(fold(quote.get("processing_details")) + fold(quote.get("difficulties")))
    results = []
    for quote_id in ids:
        if quote_id in quotes and quote_id in rows:
            score, why = resemblance(target, text, rows[quote_id], quotes[quote_id])
            if score > 0:
                results.append({"quote": quotes[quote_id], "score": round(score, 3), "why": why})
    results.sort(key=lambda r: (-r["score"], -instant_key(r["quote"])))
    return results[:limit]


def nearest(statement, length):
    """The quotes of ``statement`` nearest in length on either side (two index range scans),
    or the newest when the length is unknown."""
    if not length:
        return [statement.order_by(QuoteIndex.submitted_ms.desc()).limit(NEAR)]
    return [
        statement.where(QuoteIndex.length_mm >= length).order_by(QuoteIndex.length_mm).limit(NEAR),
        statement.where(QuoteIndex.length_mm < length).order_by(QuoteIndex.length_mm.desc()).limit(NEAR),
    ]


def resemblance(target, text, other, quote):
    """How alike two quotes are (0–1) by material, method, size, product and text, and why."""
    score, why = 0.0, []
    if target["material"] and other["material"] == target["material"]:
        score += SIMILAR_WEIGHTS["material"]
        why.append({"field": "material", "match": "same"})
    elif target["material_family"] and other["material_family"] == target["material_family"]:
        score += SIMILAR_WEIGHTS["material"] / 2
        why.append({"field": "material", "match": "family", "family": target["material_family"]})
    if target["method"] and other["method"] == target["method"]:
        score += SIMILAR_WEIGHTS["processing_method"]
        why.append({"field": "processing_method", "match": "same"})
    closeness = [
        min(target[d], other[d]) / max(target[d], other[d]) for d in DIMENSIONS if target[d] and other[d]
    ]
    if closeness:
        near = sum(closeness) / len(closeness)
        score += SIMILAR_WEIGHTS["dimensions"] * near
        why.append({"field": "dimensions", "match": "close", "closeness": round(near, 2)})
    for field in ("product", "drawing_no"):
        if target[field] and other[field] == target[field]:
            score += SIMILAR_WEIGHTS[field]
            why.append({"field": field, "match": "same"})
        elif field == "product" and target[field] and other[field]:
            overlap = jaccard(terms_of(target[field]), terms_of(other[field]))
            if overlap >= 0.3:
                score += SIMILAR_WEIGHTS[field] * overlap
                why.append({"field": field, "match": "alike", "closeness": round(overlap, 2)})
    overlap = jaccard(text, terms_of(fold(quote.get("processing_details")) + fold(quote.get("difficulties"))))
    if overlap >= 0.2:
        score += SIMILAR_WEIGHTS["text"] * overlap
        why.append({"field": "text", "match": "alike", "closeness": round(overlap, 2)})
    return score, why


def jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0
