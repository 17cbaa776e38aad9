"""intake: attachments; indexes for the same-letter and reference lookups and the failed list

Revision ID: 0002_intake
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import services.kit.columns

revision: str = "0002_intake"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intake_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("raw_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("received_at", services.kit.columns.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intake_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_attachment_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_intake_attachment_raw_id"), ["raw_id"])
        batch_op.create_index(batch_op.f("ix_intake_attachment_sha256"), ["sha256"])
    # Batches look references up by the second column of the unique constraints; an index
    # led by it keeps the lookup an index scan even before PostgreSQL's statistics catch up
    # with a bulk load.
    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_case_email"), ["email"])
        batch_op.create_index(batch_op.f("ix_intake_case_channel_ref"), ["channel_ref"])
    with op.batch_alter_table("intake_raw_payload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_raw_payload_status"), ["status"])
        batch_op.create_index(batch_op.f("ix_intake_raw_payload_source_ref"), ["source_ref"])


def downgrade() -> None:
    with op.batch_alter_table("intake_raw_payload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_raw_payload_source_ref"))
        batch_op.drop_index(batch_op.f("ix_intake_raw_payload_status"))
    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_case_channel_ref"))
        batch_op.drop_index(batch_op.f("ix_intake_case_email"))
    op.drop_table("intake_attachment")
