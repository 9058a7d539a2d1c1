"""scope_events: a loss of only what a root's owner reads

Revision ID: 0011_owner_part_of_scope_events
Revises: 0010_partial_owner_team_indexes

An owner who hands a customer to a teammate still sees the customer, but no longer who asked to
follow it. ``part`` marks such a loss (``owner``); the whole root's events keep it NULL, so every
event written before reads as it did.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_owner_part_of_scope_events"
down_revision = "0010_partial_owner_team_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scope_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("part", sa.String(length=8), nullable=True))


def downgrade():
    op.execute("DELETE FROM scope_events WHERE part IS NOT NULL")
    with op.batch_alter_table("scope_events", schema=None) as batch_op:
        batch_op.drop_column("part")
