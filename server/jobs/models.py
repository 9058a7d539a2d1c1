"""The background job table: the queue every worker on every machine shares."""

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sync.models import Base


class Job(Base):
    """One unit of background work.

    Times are epoch milliseconds so SQLite (naive datetimes) and PostgreSQL compare them alike.
    A ``running`` job whose ``claimed_ms`` is older than the lease belongs to a worker that
    died: the next claim takes it over.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after_ms: Mapped[int] = mapped_column(BigInteger)
    claimed_ms: Mapped[int | None] = mapped_column(BigInteger)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_ms: Mapped[int] = mapped_column(BigInteger)
    finished_ms: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_jobs_ready", "status", "run_after_ms"),)
