"""The shape of one pushed mutation, before its entity's own fields are checked."""
import uuid

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates

from . import hlc as hlcs
from .entities import ENTITIES


class MutationSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    mutation_id = fields.UUID(required=True)
    entity = fields.String(required=True, validate=validate.OneOf(
        list(ENTITIES), error="unknown entity; expected one of: {choices}"))
    record_id = fields.String(required=True)
    op = fields.String(required=True, validate=validate.OneOf(["upsert", "delete"]))
    base_version = fields.Integer(strict=True, allow_none=True, load_default=None,
                                  validate=validate.Range(min=0, max=2**31 - 1))
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
