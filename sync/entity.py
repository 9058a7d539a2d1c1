"""What the engine knows of an entity: its fields, their validation, and the server's rules.

The engine names no business entity. The server describes each of its entities with an
``Entity`` (fields from a marshmallow schema, references, defaults, which fields the server
owns) and hangs its business rules on it as ``Rules``; the engine calls those rules at fixed
points of a push. The generic field types below are the vocabulary entity schemas are written
in: values come out of ``load`` already in their wire form (dates and instants as strings).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from marshmallow import Schema, ValidationError, fields, validate

if TYPE_CHECKING:  # the push's context imports this module
    from .batch import Batch, Working

SHORT, MEDIUM, LONG = 200, 1000, 10000

# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; Cs is U+D800-U+DFFF.
UNCLEAN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text):
    """False if the text holds control characters (but tab and newlines) or lone surrogates."""
    return UNCLEAN.search(text) is None


class Whole(validate.Regexp):
    """``validate.Regexp`` that the whole value must match. Python's ``$`` also matches before
    a final newline (``"2026-12\\n"`` passed ``^...$``), while the OpenAPI document needs the
    pattern written as JSON Schema reads it (``\\Z`` is not ECMAScript): write ``^...$`` and
    use this."""

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class Text(fields.String):
    """A string of bounded length without NUL or other control characters but tab and newline."""

    def __init__(self, max_length=SHORT, required=False, **kwargs):
        length = validate.Length(min=1 if required else 0, max=max_length)
        super().__init__(validate=length, required=required, allow_none=not required, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not clean_text(text):
            raise ValidationError("must not contain control characters such as NUL, or broken characters")
        return text


class Flag(fields.Boolean):
    """JSON true or false: "yes", "true" or "no" as text is an error, not a guess."""

    def __init__(self, **kwargs):
        super().__init__(truthy={True}, falsy={False}, **kwargs)


class Uuid(fields.UUID):
    """A UUID, kept as its lower-case string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))


# The years a date or time may name, in a record or a query: more than any real record needs,
# and few enough that moving one to UTC or to Japan, or on by weeks, stays within Python's dates
# (a visit dated 0001-01-01T00:00+14:00 stored once made every report of its day answer 500).
YEARS = range(1900, 2200)
YEARS_HELP = "must be in the years 1900 to 2199"


def within_years(value):
    """A validator: a date or datetime in ``YEARS``."""
    if value.year not in YEARS:
        raise ValidationError(YEARS_HELP)


INSTANT_HELP = "must be an RFC 3339 time with an offset, e.g. 2026-11-27T10:30:00+09:00"


class Instant(fields.Field):
    """An RFC 3339 instant with an offset, kept as given once checked."""

    def __init__(self, **kwargs):
        super().__init__(allow_none=not kwargs.get("required", False), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 40:
            raise ValidationError(INSTANT_HELP)
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(INSTANT_HELP)
        if parsed.tzinfo is None or "T" not in value.upper():
            raise ValidationError("must include a time and an offset, e.g. 2026-11-27T10:30:00+09:00")
        within_years(parsed)
        return parsed.isoformat()


class Day(fields.Date):
    """A calendar date ``YYYY-MM-DD`` in ``YEARS``, kept as a string."""

    def __init__(self, **kwargs):
        super().__init__(allow_none=not kwargs.get("required", False), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        within_years(day)
        return day.isoformat()


def choice(values, **kwargs):
    """A string that must be one of ``values``."""
    kwargs.setdefault("allow_none", not kwargs.get("required", False))
    return fields.String(validate=validate.OneOf(values), **kwargs)


def yen(**kwargs):
    """An amount of money in whole yen."""
    return fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=10**12), **kwargs)


def field_errors(messages):
    """Turn marshmallow's nested messages into ``{"field" or "a.b": [str]}``."""
    out = {}
    for key, value in messages.items():
        key = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
        if isinstance(value, dict):
            for inner_key, inner in field_errors(value).items():
                out[f"{key}.{inner_key}"] = inner
        else:
            out[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out


class Rejected(Exception):
    """A mutation that cannot apply; ``errors`` maps a field to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class Rules:
    """Business rules of one entity, called by the engine at fixed points of a write.

    Subclass and override what the entity needs; every method's default does nothing. ``ctx``
    is the push (``sync.batch.Batch``): its ``actor``, ``session``, ``get``, ``readable`` and
    ``change``.
    """

    def same_as(self, ctx: Batch, values: dict[str, Any]) -> Working | None:
        """The live record a create of ``values`` stands for, when the entity keeps one record
        per key (the create is then applied to it), or None."""
        return None

    def check(self, ctx: Batch, current: Working | None, values: dict[str, Any]) -> None:
        """Raise ``Rejected`` if the actor may not write ``values`` (``current`` is None on create)."""

    def check_delete(self, ctx: Batch, current: Working) -> None:
        """Raise ``Rejected`` if the actor may not delete ``current``."""

    def prepare_update(self, ctx: Batch, current: Working, values: dict[str, Any]) -> None:
        """Add to ``values`` (a client's or the server's change) before it is merged."""

    def on_create(self, ctx: Batch, data: dict[str, Any], hlc: str) -> None:
        """Fill in server-owned fields of a new record's ``data`` before it is stored."""

    def on_update(self, ctx: Batch, current: Working, stored: dict[str, Any], hlc: str) -> None:
        """Adjust ``stored``: the fields that won the merge, about to be written."""

    def after_write(
        self, ctx: Batch, before: dict[str, Any] | None, record: dict[str, Any], hlc: str
    ) -> None:
        """Write what a stored change (a delete too: ``record.deleted``) implies elsewhere
        (through ``ctx.change``)."""


class Entity:
    """One synced entity as the engine sees it.

    A ``scoped`` record goes with the scope root its field ``scope_field`` (the engine's
    scope model names it) points at; others are read by every user. ``owner_field`` and ``team_field`` are copied into
    indexed columns for the scope rules. ``server_fields`` are ignored when a client sends
    them, ``create_only_server_fields`` only on create, ``fixed`` may be set at create only
    (later values are ignored), ``immutable`` may never change after create. A ``private``
    record (unscoped) is read and written only by the user its ``owner_field`` names and by
    actors who read private records; so are the conflicts of its fields (and their loser). A
    ``personal`` one is private and read by its owner alone, not by actors who read private
    records either.
    A tombstone compacted past the window forgets its content but for ``kept_when_compacted``
    (the scope root's ``redirect_field`` always): what still names it where it lives on.
    The ``references`` named in ``same_scope`` must go with the record's own scope root (a
    visit's deal is one of the visit's customer).
    """

    def __init__(
        self,
        name: str,
        schema: Schema | None,
        *,
        extra_fields: Iterable[str] = (),
        references: dict[str, str] | None = None,
        same_scope: Iterable[str] = (),
        defaults: dict[str, Any] | None = None,
        server_fields: Iterable[str] = (),
        create_only_server_fields: Iterable[str] = (),
        fixed: Iterable[str] = (),
        immutable: Iterable[str] = (),
        writable: bool = True,
        creatable: bool = True,
        deletable: bool = True,
        keeps_history: bool = False,
        scoped: bool = True,
        owner_field: str | None = None,
        team_field: str | None = None,
        private: bool = False,
        personal: bool = False,
        kept_when_compacted: Iterable[str] = (),
        rules: Iterable[Rules] = (),
    ) -> None:
        self.name = name
        self.schema = schema
        declared = list(schema.fields) if schema is not None else []
        self.fields = declared + [f for f in extra_fields if f not in declared]
        self.references = dict(references or {})
        self.same_scope = frozenset(same_scope)
        assert self.same_scope <= self.references.keys(), "same_scope names references"
        self.defaults = defaults or {}
        self.server_fields = set(server_fields)
        self.create_only_server_fields = set(create_only_server_fields)
        self.fixed = set(fixed)
        self.immutable = set(immutable)
        self.writable = writable
        self.creatable = creatable
        self.deletable = deletable
        self.keeps_history = keeps_history
        self.scoped = scoped
        self.scope_field: str | None = None  # set by the engine: the scope model's field when scoped
        self.owner_field = owner_field
        self.team_field = team_field
        self.private = private or personal
        self.personal = personal
        self.kept_when_compacted = frozenset(kept_when_compacted)
        assert not self.private or (owner_field and not team_field), "a private record needs an owner"
        self.rules = list(rules)
        self.required = [n for n, f in schema.fields.items() if f.required] if schema else []
        self.list_fields = (
            {n for n, f in schema.fields.items() if isinstance(f, fields.List)} if schema else set()
        )

    def __repr__(self) -> str:
        return f"Entity({self.name!r})"


ALWAYS_SERVER_OWNED = frozenset({"id", "version", "created_at", "updated_at", "deleted", "author_id"})

# The engine's own entities: what it writes when two edits of a field meet, and the story of
# the records whose entity keeps history.


class ConflictSchema(Schema):
    """Clients may only mark a conflict resolved; every other field is written by the engine."""

    resolved = Flag()


CONFLICT_FIELDS = [
    "entity",
    "record_id",
    "field",
    "kept_value",
    "kept_by",
    "kept_hlc",
    "lost_value",
    "lost_by",
    "lost_hlc",
]


def conflicts_entity(rules=()):
    """The ``conflicts`` entity; the server may add rules (who may resolve one)."""
    return Entity(
        "conflicts",
        ConflictSchema(),
        extra_fields=CONFLICT_FIELDS,
        creatable=False,
        deletable=False,
        server_fields=CONFLICT_FIELDS,
        owner_field="lost_by",
        rules=rules,
    )


def history_entity():
    """The ``history`` entity: one record per stored change of an entity that keeps history."""
    return Entity(
        "history",
        None,
        extra_fields=["entity", "record_id", "record_version", "changes", "by", "hlc", "at"],
        writable=False,
    )
