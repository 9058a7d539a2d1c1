"""The quote search index: a row of folded, numeric facts per quote and its bigram terms.

It is written by the push's ``records_written`` hook in the push's own transaction, so a
quote is searchable exactly when it is committed. A plain term table works the same on
SQLite and PostgreSQL, and, unlike FTS5's trigram tokenizer, finds two-character words
such as 溶接 or 旋盤 (see README, design notes).
"""

import json
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import BigInteger, Float, Index, Integer, String, delete, false, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from sync.models import Base, Record, key

from server.core.text import fold
from server.quotes.text import DIMENSIONS, FIELD_WEIGHTS, Synonyms, dimensions_of, terms_of

TERM = key(32)
_synonyms = {}


class QuoteIndex(Base):
    """What the search filters and the similar-quote ranking read without parsing JSON."""

    __tablename__ = "quote_index"

    quote_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    submitted_ms: Mapped[int] = mapped_column(BigInteger)  # submitted, else created
    product: Mapped[str | None] = mapped_column(String(200))
    drawing_no: Mapped[str | None] = mapped_column(String(100))
    material: Mapped[str | None] = mapped_column(String(100))
    material_family: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str | None] = mapped_column(String(200))
    method_family: Mapped[str | None] = mapped_column(String(64))
    length_mm: Mapped[float | None] = mapped_column(Float)
    width_mm: Mapped[float | None] = mapped_column(Float)
    thickness_mm: Mapped[float | None] = mapped_column(Float)
    diameter_mm: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_quote_index_customer", "customer_id"),
        Index("ix_quote_index_family", "material_family", "length_mm"),
        Index("ix_quote_index_material_recent", "material_family", "submitted_ms"),
        Index("ix_quote_index_method_family", "method_family", "submitted_ms"),
        Index("ix_quote_index_method_length", "method_family", "length_mm"),
        Index("ix_quote_index_product", "product", "length_mm"),
        Index("ix_quote_index_drawing", "drawing_no"),
        Index("ix_quote_index_submitted", "submitted_ms"),
    )


class QuoteTerm(Base):
    """One term of a quote's folded text, the best field weight it occurs in, and the quote's
    submitted time: the key orders each term's postings best and newest first, so a search
    reads the first few and stops."""

    __tablename__ = "quote_terms"

    term: Mapped[str] = mapped_column(TERM, primary_key=True)
    weight: Mapped[int] = mapped_column(Integer, primary_key=True)
    submitted_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    quote_id: Mapped[str] = mapped_column(String(36), primary_key=True)

    # (quote_id, term) answers "does this quote hold that term?" and deletes a quote's terms.
    __table_args__ = (Index("ix_quote_terms_quote", "quote_id", "term"), {"sqlite_with_rowid": False})


def synonyms():
    """The synonym list named by ``QUOTE_SYNONYMS_FILE`` (read once per file)."""
    path = current_app.config.get("QUOTE_SYNONYMS_FILE") if has_app_context() else None
    if path not in _synonyms:
        _synonyms[path] = Synonyms.load(path)
    return _synonyms[path]


synonyms.cache_clear = _synonyms.clear


def instant_ms(value):
    if not value:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def index_rows(quote, words=None):
    """The ``quote_index`` row and ``quote_terms`` rows of one live quote (a wire dict)."""
    words = words or synonyms()
    dims = dimensions_of(quote)
    # The longest side: the filter's "length" of a disc such as φ200×t20 is its diameter.
    dims["length_mm"] = dims["length_mm"] or max((v for v in dims.values() if v), default=None)
    row = dict(
        quote_id=quote["id"],
        customer_id=quote["customer_id"],
        submitted_ms=instant_ms(quote.get("submitted_at")) or instant_ms(quote.get("created_at")) or 0,
        product=fold(quote.get("product"))[:200] or None,
        drawing_no=fold(quote.get("drawing_no"))[:100] or None,
        material=fold(quote.get("material"))[:100] or None,
        material_family=words.family(quote.get("material")),
        method=fold(quote.get("processing_method"))[:200] or None,
        method_family=words.family(quote.get("processing_method")),
        **dims,
    )
    weights = {}
    for field, weight in FIELD_WEIGHTS.items():
        for term in terms_of(fold(quote.get(field))):
            if weights.get(term, 0) < weight:
                weights[term] = weight
    terms = [
        dict(term=t, weight=w, submitted_ms=row["submitted_ms"], quote_id=quote["id"])
        for t, w in weights.items()
    ]
    return row, terms


def reindex(session, quotes, fresh=()):
    """Replace the index entries of ``quotes`` (wire dicts; deleted ones leave the index);
    the ids in ``fresh`` were just created, so there is nothing of theirs to delete."""
    if not quotes:
        return
    ids = [q["id"] for q in quotes if q["id"] not in fresh]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(delete(QuoteTerm).where(QuoteTerm.quote_id.in_(chunk)))
        session.execute(delete(QuoteIndex).where(QuoteIndex.quote_id.in_(chunk)))
    rows, terms = [], []
    words = synonyms()
    for quote in quotes:
        if quote.get("deleted") or not quote.get("customer_id"):
            continue
        row, quote_terms = index_rows(quote, words)
        rows.append(row)
        terms.extend(quote_terms)
    if rows:
        session.execute(insert(QuoteIndex), rows)
    for start in range(0, len(terms), 5000):
        session.execute(insert(QuoteTerm), terms[start : start + 5000])


# What a quote's index rows are made of: a change of anything else (its outcome, its cost)
# leaves them as they are.
INDEXED = frozenset(
    {*FIELD_WEIGHTS, *DIMENSIONS, "customer_id", "submitted_at", "created_at", "dimensions", "deleted"}
    | {"product", "drawing_no", "material", "processing_method"}
)


def records_written(session, touched):
    """Push hook: index the quotes a push wrote, in its transaction (those whose indexed fields
    it changed)."""
    written = [
        w
        for w in touched
        if w.entity == "quotes" and (w.created or w.changed is None or not w.changed.isdisjoint(INDEXED))
    ]
    quotes = [dict(w.data, id=w.id, deleted=w.deleted) for w in written]
    reindex(session, quotes, fresh={w.id for w in written if w.created})


def backfill(session):
    """Index every live quote afresh and return how many (migration 0004, ``genba reindex-quotes``)."""
    rows = session.execute(
        select(Record.data).where(
            Record.entity == "quotes", Record.deleted == false(), Record.compacted == false()
        )
    ).scalars()
    batch, count = [], 0
    for data in rows:
        batch.append(json.loads(data))
        count += 1
        if len(batch) == 1000:
            reindex(session, batch)
            batch = []
    reindex(session, batch)
    return count
