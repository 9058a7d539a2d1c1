"""records: index owners and teams only where a record has one

Revision ID: 0010_partial_owner_team_indexes
Revises: 0009_keys_in_byte_order

``ix_records_owner`` and ``ix_records_team`` held an entry for every record, though only
records with an owner or a team (customers, memberships, reports, users, private records) are
looked up by them; visits and contacts, most of the table, have neither. Every statement that
uses them compares the column with a value, which implies it is not NULL, so both databases use
the partial indexes as before. A push of 100 visits writes 200 index entries fewer.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_partial_owner_team_indexes"
down_revision = "0009_keys_in_byte_order"
branch_labels = None
depends_on = None

INDEXES = {"ix_records_owner": ("entity", "owner_id"), "ix_records_team": ("entity", "team")}


def upgrade():
    for name, (entity, column) in INDEXES.items():
        op.drop_index(name, table_name="records")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            name, "records", [entity, column], unique=False, postgresql_where=where, sqlite_where=where
        )


def downgrade():
    for name, columns in INDEXES.items():
        op.drop_index(name, table_name="records")
        op.create_index(name, "records", list(columns), unique=False)
