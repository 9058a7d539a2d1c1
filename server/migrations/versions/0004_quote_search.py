"""quote search: a folded, numeric row per quote and its bigram terms, backfilled

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TERM = sa.String(32).with_variant(sa.String(32, collation="C"), "postgresql")


def upgrade():
    op.create_table(
        "quote_index",
        sa.Column("quote_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("submitted_ms", sa.BigInteger(), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("drawing_no", sa.String(length=100), nullable=True),
        sa.Column("material", sa.String(length=100), nullable=True),
        sa.Column("material_family", sa.String(length=64), nullable=True),
        sa.Column("method", sa.String(length=200), nullable=True),
        sa.Column("method_family", sa.String(length=64), nullable=True),
        sa.Column("length_mm", sa.Float(), nullable=True),
        sa.Column("width_mm", sa.Float(), nullable=True),
        sa.Column("thickness_mm", sa.Float(), nullable=True),
        sa.Column("diameter_mm", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("quote_id"),
    )
    op.create_index("ix_quote_index_customer", "quote_index", ["customer_id"])
    op.create_index("ix_quote_index_family", "quote_index", ["material_family", "length_mm"])
    op.create_index("ix_quote_index_material_recent", "quote_index", ["material_family", "submitted_ms"])
    op.create_index("ix_quote_index_method_family", "quote_index", ["method_family", "submitted_ms"])
    op.create_index("ix_quote_index_method_length", "quote_index", ["method_family", "length_mm"])
    op.create_index("ix_quote_index_product", "quote_index", ["product", "length_mm"])
    op.create_index("ix_quote_index_drawing", "quote_index", ["drawing_no"])
    op.create_index("ix_quote_index_submitted", "quote_index", ["submitted_ms"])
    op.create_table(
        "quote_terms",
        sa.Column("term", TERM, nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("submitted_ms", sa.BigInteger(), nullable=False),
        sa.Column("quote_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("term", "weight", "submitted_ms", "quote_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_quote_terms_quote", "quote_terms", ["quote_id", "term"])
    # The index rules live in server.quotes.text; the backfill applies today's rules once.
    from server.quotes.index import backfill

    backfill(Session(bind=op.get_bind()))


def downgrade():
    op.drop_table("quote_terms")
    op.drop_table("quote_index")
