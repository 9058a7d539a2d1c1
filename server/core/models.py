"""Server-only tables of people: users, their devices and tokens.

Synced records live in the engine's tables (``sync.models``); the ``users`` entity is the
public part of ``User`` (name, role, team), published to every device as a directory.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sync.models import Base, utcnow

__all__ = ["Base", "User", "Device", "Token", "AuditEvent"]


class User(Base):
    """A person who signs in."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Tokens issued before this moment answer token_expired: a new password ends old sign-ins.
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Device(Base):
    """A tablet or phone, belonging to the first user who signed in on it; revoking it cuts
    every token it holds and wipes it on next sync.

    ``pulled_seq`` is a feed position the device has pulled past, kept when it passes the loss
    of a customer: a write made before that loss is accepted only until then.
    """

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pulled_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Token(Base):
    """A bearer token, stored as its SHA-256 only, expiring after a sliding idle period."""

    __tablename__ = "tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Something an administrator may need to know later: a sign-in, a failed one, an export,
    an admin change, a revocation. ``detail`` is JSON."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="{}")
