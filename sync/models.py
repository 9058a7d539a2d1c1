"""Tables of the sync engine, on a plain SQLAlchemy declarative base shared with the server."""

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow():
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


def key(length):
    """Text that is compared as bytes: ids, entity names, HLCs (all ASCII), search terms.

    PostgreSQL compares text by the database's collation, through the C library's ``strcoll``
    for any but "C" (``C.UTF-8`` included, before PostgreSQL 17), about twenty times for each
    key an index takes or finds. UTF-8's byte order is its code points' order, so the order is
    the same; the sync tables' keys are "C" since migration 0009, the quote index's terms since
    it was made (0004). SQLite compares bytes already.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Record(Base):
    """The latest version of one synced record, stored as its wire JSON plus per-field clocks.

    ``customer_id`` is the scope root the record goes with (its own id for a root, NULL for
    records everyone reads); ``owner_id`` and ``team`` copy the fields its entity names as
    ``owner_field`` and ``team_field``, which the scope rules read.
    """

    __tablename__ = "records"

    entity: Mapped[str] = mapped_column(key(16), primary_key=True)
    id: Mapped[str] = mapped_column(key(36), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(key(36))
    owner_id: Mapped[str | None] = mapped_column(key(36))
    team: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    compacted: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[str | None] = mapped_column(Text)
    clocks: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seq: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        Index("ix_records_seq", "seq", unique=True),
        Index("ix_records_customer", "customer_id", "entity"),
        # Only records with an owner or a team are looked up by them: most records (visits,
        # contacts) have neither, and leaving them out spares every push two index entries a record.
        Index(
            "ix_records_owner",
            "entity",
            "owner_id",
            postgresql_where=text("owner_id IS NOT NULL"),
            sqlite_where=text("owner_id IS NOT NULL"),
        ),
        Index(
            "ix_records_team",
            "entity",
            "team",
            postgresql_where=text("team IS NOT NULL"),
            sqlite_where=text("team IS NOT NULL"),
        ),
    )


class Feed(Base):
    """One row: the last feed position handed out and the highest HLC stored.

    A push takes this row's lock just before commit, so feed positions become visible in
    commit order (a reader never sees position n+1 before n is committed).
    """

    __tablename__ = "feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hlc: Mapped[str] = mapped_column(String(96))
    compacted_seq: Mapped[int] = mapped_column(BigInteger, default=0)


FEED_TABLE = Feed.__table__
FEED_ROW = select(FEED_TABLE.c.seq, FEED_TABLE.c.hlc, FEED_TABLE.c.compacted_seq).where(FEED_TABLE.c.id == 1)


def read_feed(session):
    """The feed row as plain columns (``seq``, ``hlc``, ``compacted_seq``): no ORM object."""
    return session.connection().execute(FEED_ROW).one()


class ScopeEvent(Base):
    """A user gained or lost a scope root: an entry in their feed and a fact in scope history.

    ``part`` is None for the whole root. ``OWNER_PART`` marks a loss of what only the root's
    owner reads (who else asked to follow it), by an owner who handed the root to someone and
    still sees it: their next pull evicts those records and nothing else, and the loss is not
    one of scope (the root stays theirs to read and write).
    """

    __tablename__ = "scope_events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[str] = mapped_column(key(36))
    customer_id: Mapped[str] = mapped_column(key(36))
    gained: Mapped[bool] = mapped_column(Boolean)
    hlc: Mapped[str] = mapped_column(key(96))
    part: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (
        Index("ix_scope_events_user_seq", "user_id", "seq"),
        Index("ix_scope_events_user_customer", "user_id", "customer_id", "hlc"),
    )


OWNER_PART = "owner"  # ScopeEvent.part: what only a root's owner reads


class SeenMutation(Base):
    """Every mutation a device pushed, with its first outcome, so a repeat changes nothing."""

    __tablename__ = "seen_mutations"

    device_id: Mapped[str] = mapped_column(key(36), primary_key=True)
    mutation_id: Mapped[str] = mapped_column(key(36), primary_key=True)
    entity: Mapped[str | None] = mapped_column(String(16))
    record_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))
    errors: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DeadLetter(Base):
    """A rejected mutation with its errors for an admin to inspect; ``mutation`` keeps at most
    the first 64 KB of it, ``size`` and ``sha256`` describe the whole."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[str] = mapped_column(String(36))
    mutation_id: Mapped[str] = mapped_column(String(36))
    entity: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(64))
    mutation: Mapped[str] = mapped_column(Text)
    errors: Mapped[str] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
