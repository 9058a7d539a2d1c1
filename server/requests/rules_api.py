"""Routing rules over HTTP: office and admins edit them, managers read them, anyone who
triages can test a text against them."""
import json

from flask import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, select

from sync.entity import Text, field_errors

from server.core.auth import json_object, require_role, token_required
from server.core.db import db, writing_session
from server.core.errors import ApiError
from server.core.models import User
from server.requests.models import RoutingRule
from server.requests.routing import ROUTES, decide, load_rules, to_rule

bp = Blueprint("routing", __name__)
EDITORS = ("office", "admin")
READERS = ("office", "manager", "admin")


def word_list(**kwargs):
    return fields.List(Text(100, required=True), validate=validate.Length(max=100), **kwargs)


class RuleSchema(Schema):
    name = Text(200, required=True)
    route_to = fields.String(required=True, validate=validate.OneOf(ROUTES))
    kinds = fields.List(fields.String(validate=validate.OneOf(["request", "complaint", "question"])),
                        load_default=list)
    keywords = word_list(load_default=list)
    customer_ids = fields.List(fields.UUID(), load_default=list)
    urgencies = fields.List(fields.String(validate=validate.OneOf(["low", "normal", "high"])),
                            load_default=list)
    assignee_id = fields.UUID(allow_none=True, load_default=None)
    position = fields.Integer(validate=validate.Range(min=1))
    active = fields.Boolean(load_default=True)


class TrialSchema(Schema):
    title = Text(200, load_default="")
    details = Text(10000, load_default="")
    kind = fields.String(load_default="request", validate=validate.OneOf(["request", "complaint", "question"]))
    urgency = fields.String(load_default="normal", validate=validate.OneOf(["low", "normal", "high"]))
    customer_id = fields.UUID(allow_none=True, load_default=None)


rule_schema, trial_schema = RuleSchema(), TrialSchema()


def dump(row):
    rule = to_rule(row)
    return {"id": row.id, "position": row.position, "name": row.name, "route_to": row.route_to,
            "kinds": rule.kinds, "keywords": rule.keywords, "customer_ids": rule.customer_ids,
            "urgencies": rule.urgencies, "assignee_id": row.assignee_id, "active": row.active}


def load(schema, partial=False):
    try:
        return schema.load(json_object(), partial=partial)
    except ValidationError as err:
        raise ApiError(422, "Check the highlighted fields of the rule.", errors=field_errors(err.messages))


def ordered(session):
    return list(session.execute(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)).scalars())


def place(session, row, position):
    """Put a rule at ``position`` (1 = first) and number the others after it."""
    rows = [r for r in ordered(session) if r.id != row.id]
    position = min(max(position, 1), len(rows) + 1)
    rows.insert(position - 1, row)
    for index, r in enumerate(rows, start=1):
        r.position = index


def remove(session, row):
    """Delete a rule and number the rest 1..n again."""
    session.delete(row)
    session.flush()
    for index, r in enumerate(ordered(session), start=1):
        r.position = index


def apply_fields(session, row, data):
    if data.get("assignee_id") is not None and session.get(User, str(data["assignee_id"])) is None:
        raise ApiError(422, "The assignee must be a user.", errors={"assignee_id": ["no such user"]})
    for name in ("name", "route_to", "active"):
        if name in data:
            setattr(row, name, data[name])
    if "assignee_id" in data:
        row.assignee_id = str(data["assignee_id"]) if data["assignee_id"] else None
    conditions = json.loads(row.conditions or "{}")
    for name in ("kinds", "keywords", "customer_ids", "urgencies"):
        if name in data:
            conditions[name] = [str(v) for v in data[name]]
    row.conditions = json.dumps(conditions, ensure_ascii=False)


@bp.get("/routing/rules")
@token_required
def list_rules():
    """The routing rules in the order they are tried."""
    require_role(*READERS)
    return {"rules": [dump(row) for row in ordered(db.session)]}


@bp.post("/routing/rules")
@token_required
def add_rule():
    """Add a rule (at the end, or at ``position``); it routes requests created from now on."""
    require_role(*EDITORS)
    data = load(rule_schema)
    session = writing_session()
    row = RoutingRule(conditions="{}", position=0)
    apply_fields(session, row, data)
    session.add(row)
    count = session.execute(select(func.count()).select_from(RoutingRule)).scalar()
    place(session, row, data.get("position", count + 1))
    session.commit()
    return dump(row), 201


@bp.patch("/routing/rules/<int:rule_id>")
@token_required
def edit_rule(rule_id):
    """Change a rule or move it (``position``); existing requests keep their route."""
    require_role(*EDITORS)
    data = load(rule_schema, partial=True)
    session = writing_session()
    row = session.get(RoutingRule, rule_id)
    if row is None:
        raise ApiError(404, "There is no routing rule with this id.")
    apply_fields(session, row, data)
    if "position" in data:
        place(session, row, data["position"])
    session.commit()
    return dump(row)


@bp.delete("/routing/rules/<int:rule_id>")
@token_required
def remove_rule(rule_id):
    """Remove a rule."""
    require_role(*EDITORS)
    session = writing_session()
    row = session.get(RoutingRule, rule_id)
    if row is None:
        raise ApiError(404, "There is no routing rule with this id.")
    remove(session, row)
    session.commit()
    return {"deleted": rule_id}


@bp.post("/routing/test")
@token_required
def test_rules():
    """Show where a request with this text would go, and which rule fires."""
    require_role(*READERS)
    data = load(trial_schema)
    data["customer_id"] = str(data["customer_id"]) if data["customer_id"] else None
    decision = decide(load_rules(db.session), data)
    return {"route_to": decision["route_to"], "rule": decision["route_rule"]}
