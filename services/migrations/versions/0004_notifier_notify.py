"""notifier: a submitter imported with `pakn import --no-notify` is never mailed, issue 14

Revision ID: 0004_notifier_notify
Revises: 0003_notifier_reference
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_notifier_notify"
down_revision: str | None = "0003_notifier_reference"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "notifier_contact",
        sa.Column("notify", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    with op.batch_alter_table("notifier_contact") as batch:
        batch.drop_column("notify")
