"""records: drop the index of the id alone; records are read by their primary key

Revision ID: 0008_drop_records_id_index
Revises: 0007_request_numbers

A pushed record's id is a random UUID: its entry in this index landed on a page of its own,
one more page written (and, past SQLite's page cache, read) for every record of every push.
Every lookup names the entity, which the primary key ``(entity, id)`` serves.
"""

from alembic import op

revision = "0008_drop_records_id_index"
down_revision = "0007_request_numbers"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_records_id", table_name="records")


def downgrade():
    op.create_index("ix_records_id", "records", ["id"], unique=False)
