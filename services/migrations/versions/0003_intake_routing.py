"""intake: the agency and deadlines the router set for each case, for the receipt, issue 14

Revision ID: 0003_intake_routing
Revises: 0002_intake
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import services.kit.columns

revision: str = "0003_intake_routing"
down_revision: str | None = "0002_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STRING = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "intake_case_routing",
        sa.Column("case_id", _STRING(length=32), nullable=False),
        sa.Column("agency", _STRING(length=16), nullable=False),
        sa.Column("agency_name", _STRING(length=300), nullable=False),
        sa.Column("hop", sa.Integer(), nullable=False),
        sa.Column("due_classify", sa.Date(), nullable=False),
        sa.Column("due_forward", sa.Date(), nullable=False),
        sa.Column("due_answer", sa.Date(), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("waiting_info", sa.Boolean(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("updated_at", services.kit.columns.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )


def downgrade() -> None:
    op.drop_table("intake_case_routing")
