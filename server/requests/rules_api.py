"""Routing rules over HTTP: office and admins edit them, managers read them, anyone who
triages can test a text against them."""

import json

from sqlalchemy import func, select

from server.core.auth import role_required
from server.core.blueprint import Blueprint
from server.core.db import db, writing_session
from server.core.errors import ApiError
from server.core.models import User
from server.core.words import Said
from server.requests.models import RoutingRule
from server.requests.routing import decide, load_rules, to_rule
from server.requests.schemas import (
    RuleDeletedSchema,
    RuleListSchema,
    RuleOut,
    RuleSchema,
    TrialResultSchema,
    TrialSchema,
)

bp = Blueprint("routing", __name__)
EDITORS = ("office", "admin")
READERS = ("office", "manager", "admin")


# Rule ids are the database's 32-bit integers: a larger number in the path is no rule's.
MAX_ID = 2**31 - 1


def rule_or_404(session, rule_id):
    """The rule ``rule_id``, or a 404 (a number past the database's integers included: the
    database would refuse to compare it)."""
    row = session.get(RoutingRule, rule_id) if rule_id <= MAX_ID else None
    if row is None:
        raise ApiError(
            404, Said("There is no routing rule with this id.", "このIDの振り分けルールはありません。")
        )
    return row


def rule_data(row):
    """The rule as ``RuleOut`` shows it: its conditions out of their JSON column."""
    rule = to_rule(row)
    return {
        "id": row.id,
        "position": row.position,
        "name": row.name,
        "route_to": row.route_to,
        "kinds": rule.kinds,
        "keywords": rule.keywords,
        "customer_ids": rule.customer_ids,
        "urgencies": rule.urgencies,
        "assignee_id": row.assignee_id,
        "active": row.active,
    }


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
        raise ApiError(
            422,
            Said("The assignee must be a user.", "担当者は利用者から選んでください。"),
            errors={"assignee_id": ["no such user"]},
        )
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
@role_required(*READERS)
@bp.response(200, RuleListSchema)
def list_rules():
    """The routing rules in the order they are tried."""
    return {"rules": [rule_data(row) for row in ordered(db.session)]}


@bp.post("/routing/rules")
@role_required(*EDITORS)
@bp.arguments(RuleSchema)
@bp.response(201, RuleOut)
def add_rule(data):
    """Add a rule (at the end, or at ``position``); it routes requests created from now on."""
    session = writing_session()
    row = RoutingRule(conditions="{}", position=0)
    apply_fields(session, row, data)
    session.add(row)
    count = session.execute(select(func.count()).select_from(RoutingRule)).scalar()
    place(session, row, data.get("position", count + 1))
    session.commit()
    return rule_data(row)


@bp.patch("/routing/rules/<int:rule_id>")
@role_required(*EDITORS)
@bp.arguments(RuleSchema(partial=True))
@bp.error(404, "no such rule")
@bp.response(200, RuleOut)
def edit_rule(data, rule_id):
    """Change a rule or move it (``position``); existing requests keep their route."""
    session = writing_session()
    row = rule_or_404(session, rule_id)
    apply_fields(session, row, data)
    if "position" in data:
        place(session, row, data["position"])
    session.commit()
    return rule_data(row)


@bp.delete("/routing/rules/<int:rule_id>")
@role_required(*EDITORS)
@bp.error(404, "no such rule")
@bp.response(200, RuleDeletedSchema)
def remove_rule(rule_id):
    """Remove a rule."""
    session = writing_session()
    row = rule_or_404(session, rule_id)
    remove(session, row)
    session.commit()
    return {"deleted": rule_id}


@bp.post("/routing/test")
@role_required(*READERS)
@bp.arguments(TrialSchema)
@bp.response(200, TrialResultSchema)
def test_rules(data):
    """Show where a request with this text would go, and which rule fires."""
    data["customer_id"] = str(data["customer_id"]) if data["customer_id"] else None
    decision = decide(load_rules(db.session), data)
    return {"route_to": decision["route_to"], "rule": decision["route_rule"]}
