"""router: the items the intake refused, for the reports' "refused, by reason" (issue 14)

Revision ID: 0004_router_refusals
Revises: 0003_console
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import services.kit.columns

revision: str = "0004_router_refusals"
down_revision: str | None = "0003_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STRING = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "router_refusal",
        sa.Column("case_id", _STRING(length=32), nullable=False),
        sa.Column("received_at", services.kit.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("channel", _STRING(length=16), nullable=False),
        sa.Column("reason", _STRING(length=32), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("router_refusal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_router_refusal_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("router_refusal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_router_refusal_received_at"))
    op.drop_table("router_refusal")
