"""Hybrid logical clock values: ``"<ms:13>:<counter:6>:<node>"``, compared as plain strings."""

import re
from datetime import UTC, datetime

# ASCII digits only: HLCs compare as strings, and "１７…" (full width, which \d takes) would sort
# after every real clock: its write would win every concurrent edit of the field, for good.
HLC_PATTERN = re.compile(r"([0-9]{13}):([0-9]{6}):([A-Za-z0-9._-]{1,64})\Z")
ZERO = "0000000000000:000000:0"


class InvalidHLC(ValueError):
    """The string is not an HLC value."""


def parse(value: object) -> tuple[int, int, str]:
    """Return ``(ms, counter, node)`` of an HLC string."""
    match = HLC_PATTERN.match(value) if isinstance(value, str) else None
    if not match:
        raise InvalidHLC("must look like 0001700000000000:000000:device-id")
    return int(match.group(1)), int(match.group(2)), match.group(3)


def format_hlc(ms: int, counter: int, node: str) -> str:
    return f"{ms:013d}:{counter:06d}:{node}"


def physical_ms(value: str) -> int:
    return int(value[:13])


def clamp(value: str, limit_ms: int) -> str:
    """Pull an HLC whose physical part runs ahead of ``limit_ms`` back to it."""
    ms, counter, node = parse(value)
    if ms <= limit_ms:
        return value
    return format_hlc(limit_ms, counter, node)


def tick(latest: str | None, now_ms: int, node: str) -> str:
    """Return the next clock value after ``latest`` (an HLC string) at wall time ``now_ms``."""
    last_ms, last_counter, _ = parse(latest) if latest else (0, 0, node)
    if now_ms > last_ms:
        return format_hlc(now_ms, 0, node)
    return format_hlc(last_ms, last_counter + 1, node)


def to_datetime(value: str) -> datetime:
    """Return the physical time of an HLC as an aware UTC datetime."""
    return datetime.fromtimestamp(physical_ms(value) / 1000, tz=UTC)
