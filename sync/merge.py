"""The conflict rule: which write of a field wins.

A pushed field supersedes the stored value when the pusher had seen it (its ``base_version``
is at least the version that wrote the stored value) or when the same device wrote it (a device
has always seen its own writes). Otherwise the writes are concurrent and the higher HLC wins;
the loser, when the values differ, is kept as a ``conflicts`` record.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldClock:
    """Who last wrote a field: its HLC, the record version it produced, device and user."""

    hlc: str
    version: int
    device_id: str | None  # None: written on behalf of another record (a merged one)
    user_id: str

    def to_list(self) -> list:
        return [self.hlc, self.version, self.device_id, self.user_id]

    @classmethod
    def from_list(cls, values: list) -> "FieldClock":
        return cls(*values)


@dataclass(frozen=True)
class Outcome:
    pushed_wins: bool
    concurrent: bool


def resolve_field(
    stored: FieldClock | None, base_version: int | None, hlc: str, device_id: str | None
) -> Outcome:
    """Decide a pushed write of one field against the stored field clock (or None)."""
    if stored is None:
        return Outcome(pushed_wins=True, concurrent=False)
    own = device_id is not None and stored.device_id == device_id
    seen = (base_version or 0) >= stored.version or own
    if seen:
        return Outcome(pushed_wins=True, concurrent=False)
    return Outcome(pushed_wins=hlc > stored.hlc, concurrent=True)
