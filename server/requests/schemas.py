"""The requests' HTTP schemas: the inbox filters, the routing rules and a routing trial."""

from marshmallow import Schema, fields, validate

from sync.entity import Text

from server.core.schemas import Arguments
from server.core.vocabulary import REQUEST_STATUSES, ROUTES, URGENCIES, codes
from server.core.words import Said

KINDS = codes("request.kind")


class ExportQuerySchema(Arguments):
    """The inbox filters: team (route_to), status (or ``open``), customer, overdue, age, search."""

    invalid_message = Said(
        "Check the inbox filters: team, status, customer_id, overdue, min_age, q.",
        "受信箱の絞り込み（チーム・状態・顧客・期限切れ・経過日数・検索語）を確かめてください。",
    )

    team = fields.String(validate=validate.OneOf(ROUTES), metadata={"description": "route_to"})
    status = fields.String(
        validate=validate.OneOf(REQUEST_STATUSES + ["open", "all"]),
        load_default="open",
        metadata={"description": "a status, `open` (new, triaged, in_progress) or `all`"},
    )
    customer_id = fields.UUID()
    overdue = fields.Boolean(metadata={"description": "true: only overdue; false: only those within target"})
    min_age = fields.Integer(
        validate=validate.Range(min=0, max=3650),
        metadata={"description": "at least this many business days old"},
    )
    q = Text(
        100,
        metadata={
            "description": "a request number (123, No.123, 受付番号 123), or words of its title, details or customer"
        },
    )


def word_list(**kwargs):
    return fields.List(Text(100, required=True), validate=validate.Length(max=100), **kwargs)


class RuleSchema(Arguments):
    """A routing rule as it is written: every condition must hold for it to fire."""

    invalid_message = Said(
        "Check the highlighted fields of the rule.", "ルールの印の付いた項目を確かめてください。"
    )

    name = Text(200, required=True)
    route_to = fields.String(required=True, validate=validate.OneOf(ROUTES))
    kinds = fields.List(fields.String(validate=validate.OneOf(KINDS)), load_default=list)
    keywords = word_list(load_default=list)
    customer_ids = fields.List(fields.UUID(), load_default=list)
    urgencies = fields.List(fields.String(validate=validate.OneOf(URGENCIES)), load_default=list)
    assignee_id = fields.UUID(allow_none=True, load_default=None)
    position = fields.Integer(validate=validate.Range(min=1), metadata={"description": "1 is tried first"})
    active = fields.Boolean(load_default=True)


class TrialSchema(Arguments):
    invalid_message = RuleSchema.invalid_message

    title = Text(200, load_default="")
    details = Text(10000, load_default="")
    kind = fields.String(load_default="request", validate=validate.OneOf(KINDS))
    urgency = fields.String(load_default="normal", validate=validate.OneOf(URGENCIES))
    customer_id = fields.UUID(allow_none=True, load_default=None)


class RuleOut(Schema):
    id = fields.Integer()
    position = fields.Integer()
    name = fields.String()
    route_to = fields.String()
    kinds = fields.List(fields.String())
    keywords = fields.List(fields.String())
    customer_ids = fields.List(fields.String())
    urgencies = fields.List(fields.String())
    assignee_id = fields.String(allow_none=True)
    active = fields.Boolean()


class RuleListSchema(Schema):
    rules = fields.List(fields.Nested(RuleOut))


class RuleDeletedSchema(Schema):
    deleted = fields.Integer(metadata={"description": "the removed rule's id"})


class TrialResultSchema(Schema):
    route_to = fields.String()
    rule = fields.String(allow_none=True, metadata={"description": "the rule that fires, if any"})
