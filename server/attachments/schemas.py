"""The answer to sending an attachment's bytes (the bytes themselves are not JSON)."""

from marshmallow import Schema, fields


class UploadSchema(Schema):
    id = fields.String()
    received = fields.Integer(
        metadata={"description": "bytes of the file the server has (also Upload-Offset)"}
    )
    size = fields.Integer()
    uploaded = fields.String(allow_none=True, metadata={"description": "when the last byte arrived"})
    record = fields.Dict(metadata={"description": "the attachments record, once complete"})
