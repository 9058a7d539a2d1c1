"""Search past quotes in Japanese, and rank the quotes most like one quote.

The database narrows the candidates (bigram terms, filters, scope, in one statement); the
few best are then checked and scored here against the folded fields, which also says why
each one matched.
"""
import json
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import and_, case, false, func, or_, select, union_all

from sync.models import Record
from sync.scope import customer_ids_in_scope, readable

from .quote_index import QuoteIndex, QuoteTerm, index_rows, synonyms
from .quote_text import (DIMENSIONS, FIELD_WEIGHTS, SYNONYM_WEIGHT, terms_of, word_conditions,
                         word_in, words_of)
from .text import fold

JST = timezone(timedelta(hours=9))
CANDIDATES = 60
EXACT_BONUS = 1.0


def in_scope(actor):
    """A WHERE clause over ``QuoteIndex`` for the quotes of customers the actor sees."""
    if actor.sees_everything:
        return QuoteIndex.quote_id.isnot(None)
    return QuoteIndex.customer_id.in_(customer_ids_in_scope(actor))


def condition_matches(condition):
    """A select of (quote_id, w) for quotes whose index satisfies one word condition."""
    kind, value = condition
    if kind == "prefix":
        where, having = and_(QuoteTerm.term >= value, QuoteTerm.term < value + "\U0010ffff"), None
    else:
        where, having = QuoteTerm.term.in_(value), func.count() == len(value)
    query = (select(QuoteTerm.quote_id, func.max(QuoteTerm.weight).label("w"))
             .where(where).group_by(QuoteTerm.quote_id))
    return query.having(having) if having is not None else query


def word_matches(word):
    """A select of (quote_id, w): quotes whose index holds the word (all its conditions)."""
    parts = [condition_matches(c).subquery() for c in word_conditions(word)]
    first = parts[0]
    query = select(first.c.quote_id, first.c.w)
    for part in parts[1:]:
        query = query.join(part, part.c.quote_id == first.c.quote_id)
    return query


def text_candidates(words):
    """A subquery of (quote_id, score): per query word the weight of its best field, summed."""
    hits = union_all(*[word_matches(word) for word in words]).subquery()
    return (select(hits.c.quote_id, func.sum(hits.c.w).label("score"))
            .group_by(hits.c.quote_id).subquery())


def candidate_statements(query_words, families, query):
    """The statements whose union holds the best quotes: the words as typed, and, for each
    word naming a material or method group (ステンレス, アルミ, 鉄…), that group's quotes
    holding the other words, newest first."""
    recent = QuoteIndex.submitted_ms.desc()
    if not query_words:
        return [select(QuoteIndex.quote_id).order_by(*exact_first(query), recent)]
    hits = text_candidates(query_words)
    statements = [select(QuoteIndex.quote_id).join(hits, hits.c.quote_id == QuoteIndex.quote_id)
                  .order_by(hits.c.score.desc(), *exact_first(query), recent)]
    for word, family in families.items():
        if not family:
            continue
        others = [w for w in query_words if w != word]
        for column in (QuoteIndex.material_family, QuoteIndex.method_family):
            statement = select(QuoteIndex.quote_id).where(column == family)
            if others:
                rest = text_candidates(others)
                statement = (statement.join(rest, rest.c.quote_id == QuoteIndex.quote_id)
                             .order_by(rest.c.score.desc(), recent))
            statements.append(statement.order_by(recent))
    return statements


def exact_first(query):
    """ORDER BY terms putting quotes whose material or method holds the very word typed in a
    filter before those found through a synonym."""
    out = []
    for name, column in (("material", QuoteIndex.material), ("processing_method", QuoteIndex.method)):
        if query.get(name):
            out.append(case((column.contains(fold(query[name]), autoescape=True), 0), else_=1))
    return out


def filter_conditions(query, words):
    """WHERE clauses over ``QuoteIndex`` for the structured filters of a search."""
    out = []
    if query.get("customer_id"):
        out.append(QuoteIndex.customer_id == str(query["customer_id"]))
    for name, column, kin in (("material", QuoteIndex.material, QuoteIndex.material_family),
                              ("processing_method", QuoteIndex.method, QuoteIndex.method_family)):
        if query.get(name):
            word = fold(query[name])
            family = words.group_of(word)
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
    filters = filter_conditions(query, words)
    if not query_words and not filters:
        return []
    families = {w: words.group_of(w) for w in query_words}
    limit = query.get("limit", 20)
    ids = []
    for statement in candidate_statements(query_words, families, query):
        statement = statement.where(in_scope(actor), *filters).limit(max(CANDIDATES, limit * 3))
        ids.extend(i for i in session.execute(statement).scalars() if i not in ids)
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
    rows = session.execute(select(Record.id, Record.data).where(
        Record.entity == "quotes", Record.id.in_(ids), Record.deleted == false()))
    return {row.id: json.loads(row.data) for row in rows}


def explain(quote, query_words, families):
    """Score a quote against the query words and list which field matched which word."""
    folded = {field: fold(quote.get(field)) for field in FIELD_WEIGHTS}
    words = synonyms()
    kin = {"material": words.family(quote.get("material")),
           "processing_method": words.family(quote.get("processing_method"))}
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

SIMILAR_WEIGHTS = {"material": 0.25, "processing_method": 0.2, "dimensions": 0.25,
                   "product": 0.2, "drawing_no": 0.15, "text": 0.1}


def readable_quote(session, actor, quote_id):
    """The live quote with this id if the actor may read it, else None."""
    data = session.execute(select(Record.data).where(
        Record.entity == "quotes", Record.id == quote_id, Record.deleted == false(),
        readable(actor))).scalar()
    return json.loads(data) if data else None


def similar(session, actor, quote, limit=10):
    """Past quotes most like ``quote``, each with its score and why."""
    target, _ = index_rows(quote)
    length = target["length_mm"]
    base = select(QuoteIndex.quote_id).where(QuoteIndex.quote_id != quote["id"], in_scope(actor))
    recent = QuoteIndex.submitted_ms.desc()
    queries = []
    if target["material_family"]:
        nearby = base.where(QuoteIndex.material_family == target["material_family"])
        if length:
            nearby = nearby.where(QuoteIndex.length_mm.between(length / 2, length * 2)).order_by(
                func.abs(QuoteIndex.length_mm - length))
        queries.append(nearby.order_by(recent).limit(CANDIDATES))
    if target["method"]:
        same_method = base.where(QuoteIndex.method == target["method"])
        if length:
            same_method = same_method.where(QuoteIndex.length_mm.between(length / 2, length * 2)).order_by(
                func.abs(QuoteIndex.length_mm - length))
        queries.append(same_method.order_by(recent).limit(CANDIDATES))
    if target["product"] and len(target["product"]) > 1:
        product_terms = sorted(terms_of(target["product"]) - {target["product"][-1]})
        queries.append(
            select(QuoteTerm.quote_id).join(QuoteIndex, QuoteIndex.quote_id == QuoteTerm.quote_id)
            .where(QuoteTerm.term.in_(product_terms), QuoteTerm.weight >= 3,
                   QuoteTerm.quote_id != quote["id"], in_scope(actor))
            .group_by(QuoteTerm.quote_id).order_by(func.count().desc()).limit(CANDIDATES // 2))
    if target["product"]:
        same = base.where(QuoteIndex.product == target["product"])
        if length:
            same = same.order_by(func.abs(func.coalesce(QuoteIndex.length_mm, 0) - length))
        queries.append(same.order_by(recent).limit(CANDIDATES))
    if target["drawing_no"]:
        queries.append(base.where(QuoteIndex.drawing_no == target["drawing_no"]).limit(20))
    ids = []
    for statement in queries:
        ids.extend(i for i in session.execute(statement).scalars() if i not in ids)
    rows = {row.quote_id: dict(row._mapping) for row in session.execute(
        select(*QuoteIndex.__table__.columns).where(QuoteIndex.quote_id.in_(ids)))} if ids else {}
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
    closeness = [min(target[d], other[d]) / max(target[d], other[d])
                 for d in DIMENSIONS if target[d] and other[d]]
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
