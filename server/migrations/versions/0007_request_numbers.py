"""request numbers: a short number people quote on the phone, older requests numbered in the
order they were created and sent to every device as a new version

Revision ID: 0007_request_numbers
Revises: 0006_jobs
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007_request_numbers"
down_revision = "0006_jobs"
branch_labels = None
depends_on = None

FNV_OFFSET, FNV_PRIME = 0x811C9DC5, 0x01000193


def record_hash(entity, record_id, version):
    """A copy of ``sync.digest.record_hash``: a migration keeps doing what it did when written."""
    value = FNV_OFFSET
    for byte in f"{entity}:{record_id}:{version}".encode():
        value = ((value ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return value


def upgrade():
    counter = op.create_table(
        "request_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, version, data FROM records WHERE entity = 'requests' AND data IS NOT NULL")
    ).all()
    requests = sorted(
        ((json.loads(data), record_id, version) for record_id, version, data in rows),
        key=lambda row: (row[0].get("created_at") or "", row[1]),
    )
    feed_seq = conn.execute(sa.text("SELECT seq FROM feed WHERE id = 1")).scalar() or 0
    # Each numbered request is a new version at a new feed position, so devices pull it.
    for number, (data, record_id, version) in enumerate(requests, start=1):
        data["number"], data["version"] = number, version + 1
        conn.execute(
            sa.text(
                "UPDATE records SET data = :data, version = :version, seq = :seq, digest = :digest"
                " WHERE entity = 'requests' AND id = :id"
            ),
            dict(
                data=json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                version=version + 1,
                seq=feed_seq + number,
                digest=record_hash("requests", record_id, version + 1),
                id=record_id,
            ),
        )
    if requests:
        conn.execute(sa.text("UPDATE feed SET seq = :seq WHERE id = 1"), dict(seq=feed_seq + len(requests)))
    op.bulk_insert(counter, [{"id": 1, "last": len(requests)}])


def downgrade():
    op.drop_table("request_counter")
