"""Server-only tables of requests: the editable routing rules and the request numbers."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sync.models import Base, utcnow


class RoutingRule(Base):
    """An editable routing rule; ``conditions`` is JSON with kinds, keywords, customer_ids
    and urgencies (each a list, empty meaning any)."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    route_to: Mapped[str] = mapped_column(String(16))
    conditions: Mapped[str] = mapped_column(Text, default="{}")
    assignee_id: Mapped[str | None] = mapped_column(String(36))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class RequestCounter(Base):
    """One row: the last request number handed out. A push that creates a request raises it
    and holds the row's lock until it commits, so numbers are unique and follow commit order."""

    __tablename__ = "request_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(BigInteger, default=0)
