"""The deal board's filters."""

from marshmallow import fields, validate

from server.core.schemas import Arguments
from server.core.vocabulary import STAGES
from server.core.words import Said


class BoardQuerySchema(Arguments):
    """The board's filters: a rep, a stage, open deals only, those needing follow-up."""

    invalid_message = Said(
        "Check the board filters: owner_id, stage, status, follow_up.",
        "案件ボードの絞り込み（担当・段階・状態・フォロー）を確かめてください。",
    )

    owner_id = fields.UUID(metadata={"description": "one rep's deals"})
    stage = fields.String(validate=validate.OneOf(STAGES))
    status = fields.String(
        validate=validate.OneOf(["open", "all"]),
        load_default="open",
        metadata={"description": "`open` (not won or lost) or `all`"},
    )
    follow_up = fields.Boolean(metadata={"description": "true: only deals needing follow-up"})
