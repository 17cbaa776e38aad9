"""notifier: mail delivery claims and HTML parts, public deadlines, overdue flags, transfers

Revision ID: 0002_notifier
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import services.kit.columns

revision: str = "0002_notifier"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STRING = sqlmodel.sql.sqltypes.AutoString
_PUBLIC_DATES = ("due_classify", "due_forward", "handled_on", "taken_on", "info_requested_on")


def upgrade() -> None:
    op.create_table(
        "notifier_public_transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", _STRING(length=32), nullable=False),
        sa.Column("hop", sa.Integer(), nullable=False),
        sa.Column("from_agency", _STRING(length=16), nullable=False),
        sa.Column("from_agency_name", _STRING(length=300), nullable=False),
        sa.Column("to_agency", _STRING(length=16), nullable=False),
        sa.Column("to_agency_name", _STRING(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("transferred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notifier_public_transfer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifier_public_transfer_case_id"), ["case_id"], unique=False
        )

    with op.batch_alter_table("notifier_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_html", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("claim_token", _STRING(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_at", services.kit.columns.UtcDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("notifier_public_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refusal_message", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("guidance_agency", _STRING(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("regulation", _STRING(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("case_class", _STRING(length=16), nullable=True))
        batch_op.add_column(sa.Column("kind", _STRING(length=16), nullable=True))
        for name in _PUBLIC_DATES:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("extended_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("extension_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("overdue", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("missed", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("outcome", _STRING(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifier_public_case", schema=None) as batch_op:
        for name in ("outcome", "missed", "overdue", "extension_reason", "extended_from"):
            batch_op.drop_column(name)
        for name in reversed(_PUBLIC_DATES):
            batch_op.drop_column(name)
        for name in ("kind", "case_class", "regulation", "guidance_agency", "refusal_message"):
            batch_op.drop_column(name)

    with op.batch_alter_table("notifier_delivery", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claim_token")
        batch_op.drop_column("body_html")

    with op.batch_alter_table("notifier_public_transfer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifier_public_transfer_case_id"))
    op.drop_table("notifier_public_transfer")
