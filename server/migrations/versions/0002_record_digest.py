"""record digest: a per-record hash for convergence checks

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from sync.digest import record_hash

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("records") as batch_op:
        batch_op.add_column(sa.Column("digest", sa.BigInteger(), nullable=False, server_default="0"))
    records = sa.table(
        "records",
        sa.column("entity", sa.String),
        sa.column("id", sa.String),
        sa.column("version", sa.Integer),
        sa.column("digest", sa.BigInteger),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(records.c.entity, records.c.id, records.c.version)).all()
    for entity, record_id, version in rows:
        connection.execute(
            records.update()
            .where(records.c.entity == entity, records.c.id == record_id)
            .values(digest=record_hash(entity, record_id, version))
        )


def downgrade():
    with op.batch_alter_table("records") as batch_op:
        batch_op.drop_column("digest")
