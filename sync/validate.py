"""Load a mutation's changes with its entity's marshmallow fields, without the schema's overhead.

``Schema.load`` costs more than the checks it runs. For changes made only of plain fields, each
value is checked in the schema's field order: text, UUIDs and choices directly (the same tests
the fields run), other plain fields by their own ``deserialize``. Anything else, and any value
that does not pass, goes through ``Schema.load`` itself, so the result and the error messages
are the schema's.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from .batch import canonical_uuid
from .entity import YEARS, Day, Instant, Text, Uuid, clean_text

PLAIN = (Text, Uuid, Instant, Day, fields.String, fields.Integer, fields.Boolean)


class Fallback(Exception):
    """Leave this one to the schema."""


def checker(field):
    """A function that returns the loaded value of ``field`` or raises ``Fallback``."""
    allow_none = field.allow_none
    validators = field.validators
    if (
        type(field) is Text
        and len(validators) == 1
        and isinstance(validators[0], validate.Length)
        and validators[0].equal is None
    ):
        low = validators[0].min or 0
        high = validators[0].max if validators[0].max is not None else float("inf")

        def text(value):
            if type(value) is str and low <= len(value) <= high and clean_text(value):
                return value
            if value is None and allow_none:
                return None
            raise Fallback

        return text
    if type(field) is Uuid and not validators:

        def uuid_(value):
            if type(value) is str:
                loaded = canonical_uuid(value)
                if loaded is not None:
                    return loaded
            elif value is None and allow_none:
                return None
            raise Fallback

        return uuid_
    if type(field) is Instant and not validators:

        def instant(value):
            # What Instant._deserialize accepts, loaded as it loads it; anything else (and
            # every error message) is the field's.
            if type(value) is str and len(value) <= 40 and "T" in value.upper():
                try:
                    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    raise Fallback
                if parsed.tzinfo is not None and parsed.year in YEARS:
                    return parsed.isoformat()
            elif value is None and allow_none:
                return None
            raise Fallback

        return instant
    if type(field) is fields.String and len(validators) == 1 and isinstance(validators[0], validate.OneOf):
        choices = frozenset(validators[0].choices)

        def choice(value):
            if type(value) is str and value in choices:
                return value
            if value is None and allow_none:
                return None
            raise Fallback

        return choice

    def other(value):
        try:
            return field.deserialize(value)
        except ValidationError:
            raise Fallback

    return other


def plain(field):
    if isinstance(field, fields.List):
        return isinstance(field.inner, PLAIN)
    return isinstance(field, PLAIN)


CHECKERS: dict[int, tuple[Schema, dict[str, Callable[[Any], Any]], frozenset[str]]] = {}


def load_changes(schema, changes, partial):
    """Return ``schema.load(changes, partial=partial)``."""
    known = CHECKERS.get(id(schema))
    if known is None:
        # A schema with hooks (validates, pre_load, post_load, ...) checks more than its
        # fields: it always loads itself.
        hooked = any(schema._hooks.values())
        checks = {} if hooked else {name: checker(f) for name, f in schema.load_fields.items() if plain(f)}
        required = frozenset(name for name, f in schema.load_fields.items() if f.required)
        known = CHECKERS[id(schema)] = (schema, checks, required)
    checks, required = known[1], known[2]
    if checks and checks.keys() >= changes.keys() and (partial or required <= changes.keys()):
        try:
            return {name: check(changes[name]) for name, check in checks.items() if name in changes}
        except Fallback:
            pass
    return schema.load(changes, partial=partial)
