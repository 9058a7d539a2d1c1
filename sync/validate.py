"""Load a mutation's changes with its entity's marshmallow fields, without the schema's overhead.

``Schema.load`` costs more than the checks it runs. For changes made only of plain fields, each
field's own ``deserialize`` (its type, validators and ``allow_none``) is called in the schema's
field order, which is what ``load`` does for them; anything else, and any error, goes through
``Schema.load`` itself, so the result and the error messages are the schema's.
"""
from marshmallow import ValidationError, fields

from .entities import Day, Instant, Text, Uuid

PLAIN = (Text, Uuid, Instant, Day, fields.String, fields.Integer, fields.Boolean)


def plain(field):
    if isinstance(field, fields.List):
        return isinstance(field.inner, PLAIN)
    return isinstance(field, PLAIN)


PLAIN_FIELDS = {}


def load_changes(schema, changes, partial):
    """Return ``schema.load(changes, partial=partial)``."""
    known = PLAIN_FIELDS.get(id(schema))
    if known is None:
        known = PLAIN_FIELDS[id(schema)] = (
            schema, {name: f for name, f in schema.load_fields.items() if plain(f)})
    _, plain_fields = known
    if all(name in plain_fields for name in changes) and (
            partial or all(name in changes for name, f in schema.load_fields.items() if f.required)):
        try:
            return {name: field.deserialize(changes[name], name, changes)
                    for name, field in plain_fields.items() if name in changes}
        except ValidationError:
            pass
    return schema.load(changes, partial=partial)
