"""The shape of one pushed mutation, before its entity's own fields are checked."""

import uuid

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates

from . import hlc as hlcs
from .batch import canonical_uuid


class MutationSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    mutation_id = fields.UUID(required=True)
    entity = fields.String(required=True)
    record_id = fields.String(required=True)
    op = fields.String(required=True, validate=validate.OneOf(["upsert", "delete"]))
    base_version = fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(min=0, max=2**31 - 1)
    )
    changes = fields.Dict(keys=fields.String(), load_default=dict)
    hlc = fields.String(required=True)

    @validates("record_id")
    def check_record_id(self, value, data_key):
        try:
            uuid.UUID(value)
        except (ValueError, AttributeError, TypeError):
            raise ValidationError("must be a UUID such as 1b4e28ba-2fa1-11d2-883f-0016d3cca427")

    @validates("hlc")
    def check_hlc(self, value, data_key):
        try:
            hlcs.parse(value)
        except hlcs.InvalidHLC as err:
            raise ValidationError(str(err))

    @post_load
    def normalise(self, data, **kwargs):
        data["record_id"] = str(uuid.UUID(data["record_id"]))
        data["mutation_id"] = str(data["mutation_id"])
        return data


OPS = ("upsert", "delete")
SCHEMAS: dict[int, Schema] = {}


def mutation_schema(engine):
    """The mutation schema whose ``entity`` must be one of the engine's entities."""
    schema = SCHEMAS.get(id(engine))
    if schema is None:
        schema = MutationSchema()
        schema.fields["entity"].validators.append(
            validate.OneOf(list(engine.entities), error="unknown entity; expected one of: {choices}")
        )
        SCHEMAS[id(engine)] = schema
    return schema


STR_ONLY = {str}


def load_mutation(raw, engine):
    """Load one mutation as ``MutationSchema`` does; raise ``ValidationError`` as it does.

    A well-formed mutation (the usual case) is checked directly; anything else goes through
    the schema, which gives the same answer and the error messages.
    """
    try:
        entity, op, base, changes, hlc = (
            raw["entity"],
            raw["op"],
            raw.get("base_version"),
            raw.get("changes", {}),
            raw["hlc"],
        )
        if (
            type(entity) is str
            and entity in engine.entities
            and type(op) is str
            and op in OPS
            and (base is None or (type(base) is int and 0 <= base <= 2**31 - 1))
            and type(changes) is dict
            and set(map(type, changes)) <= STR_ONLY
            and type(hlc) is str
            and hlcs.HLC_PATTERN.match(hlc)
            and (mutation_id := canonical_uuid(raw["mutation_id"])) is not None
            and (record_id := canonical_uuid(raw["record_id"])) is not None
        ):
            return {
                "mutation_id": mutation_id,
                "entity": entity,
                "record_id": record_id,
                "op": op,
                "base_version": base,
                "changes": dict(changes),
                "hlc": hlc,
            }
    except (KeyError, ValueError):
        pass
    return mutation_schema(engine).load(raw)
