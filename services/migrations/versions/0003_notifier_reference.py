"""notifier: the router's reference data (agency directory, working-day calendar), issue 11

Revision ID: 0003_notifier_reference
Revises: 0002_notifier
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import services.kit.columns

revision: str = "0003_notifier_reference"
down_revision: str | None = "0002_notifier"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STRING = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "notifier_reference_data",
        sa.Column("kind", _STRING(length=16), nullable=False),
        sa.Column("version", _STRING(length=64), nullable=False),
        sa.Column("event_id", _STRING(length=64), nullable=False),
        sa.Column("published_at", services.kit.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("received_at", services.kit.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind"),
    )


def downgrade() -> None:
    op.drop_table("notifier_reference_data")
