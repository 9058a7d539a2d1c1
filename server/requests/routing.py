"""Where a new request goes: ordered, editable rules over its kind, text, customer and urgency.

The first active rule whose every condition holds sets ``route_to`` (and, if it names one,
the assignee); a request no rule matches goes to ``triage``. Keywords are compared folded
(NFKC, case, katakana as hiragana, no spaces), so 「ｲｵﾝ」, 「イオン」 and 「いおん」 are one word.
"""

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from server.core.text import fold
from server.core.vocabulary import ROUTES  # noqa: F401 (the routing rules API takes it from here)
from server.requests.models import RoutingRule

# The rules a new installation starts with (also seeded by migration 0003).
DEFAULT_RULES = [
    {
        "name": "品質・故障の苦情 → 製造",
        "route_to": "manufacturing",
        "keywords": [
            "異音",
            "不良",
            "破損",
            "故障",
            "漏れ",
            "寸法",
            "傷",
            "錆",
            "割れ",
            "変形",
            "振動",
            "バリ",
            "noise",
            "defect",
            "broken",
            "leak",
            "crack",
            "rust",
            "dimension",
        ],
    },
    {
        "name": "見積・価格・納期 → 営業",
        "route_to": "sales",
        "keywords": [
            "見積",
            "価格",
            "値段",
            "追加",
            "仕様変更",
            "納期",
            "発注",
            "注文",
            "新規",
            "値引",
            "quote",
            "price",
            "order",
            "delivery",
            "spec change",
        ],
    },
    {
        "name": "操作・保守の相談 → サービス",
        "route_to": "service",
        "keywords": [
            "操作",
            "使い方",
            "メンテナンス",
            "点検",
            "保守",
            "部品交換",
            "設定",
            "取扱",
            "how to",
            "operation",
            "maintenance",
            "inspection",
            "manual",
        ],
    },
    {"name": "質問 → サービス", "route_to": "service", "kinds": ["question"]},
]


@dataclass
class Rule:
    """One routing rule; an empty condition list means "any"."""

    id: int | None
    name: str
    route_to: str
    kinds: list = field(default_factory=list)
    keywords: list = field(default_factory=list)
    customer_ids: list = field(default_factory=list)
    urgencies: list = field(default_factory=list)
    assignee_id: str | None = None

    def matches(self, request, text):
        return (
            (not self.kinds or request.get("kind") in self.kinds)
            and (not self.urgencies or (request.get("urgency") or "normal") in self.urgencies)
            and (not self.customer_ids or request.get("customer_id") in self.customer_ids)
            and (not self.keywords or any(fold(word) in text for word in self.keywords))
        )


def first_match(rules, request):
    """The first rule that matches a request (a dict of its fields), or None."""
    text = fold(" ".join(filter(None, [request.get("title"), request.get("details")])))
    return next((rule for rule in rules if rule.matches(request, text)), None)


def decide(rules, request):
    """Return ``{"route_to", "route_rule", "assignee_id"}`` for a new request."""
    rule = first_match(rules, request)
    if rule is None:
        return {"route_to": "triage", "route_rule": None, "assignee_id": None}
    return {"route_to": rule.route_to, "route_rule": rule.name, "assignee_id": rule.assignee_id}


def to_rule(row):
    conditions = json.loads(row.conditions)
    return Rule(
        row.id,
        row.name,
        row.route_to,
        conditions.get("kinds", []),
        conditions.get("keywords", []),
        conditions.get("customer_ids", []),
        conditions.get("urgencies", []),
        row.assignee_id,
    )


def load_rules(session):
    """The active rules in order."""
    rows = session.execute(
        select(RoutingRule).where(RoutingRule.active.is_(True)).order_by(RoutingRule.position, RoutingRule.id)
    ).scalars()
    return [to_rule(row) for row in rows]


def router(session):
    """A ``route_request`` hook for one push: the rules are read once, when first needed."""
    rules = []

    def route_request(request, customer):
        if not rules:
            rules.append(load_rules(session))
        return decide(rules[0], request)

    return route_request
