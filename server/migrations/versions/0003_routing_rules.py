"""routing rules: ordered, editable, seeded with the defaults

Revision ID: 0003
Revises: 0002
"""

import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# A copy, not an import: a migration must keep doing what it did when it was written.
DEFAULTS = [
    (
        "品質・故障の苦情 → 製造",
        "manufacturing",
        {
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
            ]
        },
    ),
    (
        "見積・価格・納期 → 営業",
        "sales",
        {
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
            ]
        },
    ),
    (
        "操作・保守の相談 → サービス",
        "service",
        {
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
            ]
        },
    ),
    ("質問 → サービス", "service", {"kinds": ["question"]}),
]


def upgrade():
    rules = op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("route_to", sa.String(length=16), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("assignee_id", sa.String(length=36), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    from datetime import datetime

    now = datetime.now(UTC)
    op.bulk_insert(
        rules,
        [
            {
                "position": i + 1,
                "name": name,
                "route_to": route,
                "conditions": json.dumps(cond, ensure_ascii=False),
                "assignee_id": None,
                "active": True,
                "updated_at": now,
            }
            for i, (name, route, cond) in enumerate(DEFAULTS)
        ],
    )


def downgrade():
    op.drop_table("routing_rules")
