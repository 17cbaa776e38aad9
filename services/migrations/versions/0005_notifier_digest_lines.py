"""notifier: the daily digest's lines in a table of their own, rendered when mailed

Adding a line used to re-render the whole digest into its `notifier_delivery` row, whose
`meta` listed every event id and line so far: quadratic for a backlog of thousands of
overdue cases. Each line is now a row of `notifier_digest_line` (unique per digest and
event) and the mailer renders the digest when it claims it.

The upgrade moves the lines of the digests already staged from `meta` to the new table
(their recipient's name is the one their body greets), so that a digest pending at the
upgrade goes out whole. The downgrade puts them back into `meta`; the older code renders a
digest again only when a line is added, so downgrade when no digest is pending (after
the digest hour) or those staged since the upgrade go out with an empty body.

Revision ID: 0005_notifier_digest_lines
Revises: 0004_notifier_notify
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_notifier_digest_lines"
down_revision: str | None = "0004_notifier_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STRING = sqlmodel.sql.sqltypes.AutoString
_GREETING = "Kính gửi "  # the first line of templates/email/digest.txt: "Kính gửi {name},"

_DELIVERY = sa.table(
    "notifier_delivery",
    sa.column("id", sa.Integer()),
    sa.column("case_id", sa.String()),
    sa.column("template", sa.String()),
    sa.column("body_text", sa.Text()),
    sa.column("meta", sa.JSON()),
)
_LINE = sa.table(
    "notifier_digest_line",
    sa.column("id", sa.Integer()),
    sa.column("digest_id", sa.Integer()),
    sa.column("event_id", sa.String()),
    sa.column("case_id", sa.String()),
    sa.column("recipient_name", sa.String()),
    sa.column("text", sa.Text()),
)


def upgrade() -> None:
    op.create_table(
        "notifier_digest_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("event_id", _STRING(length=64), nullable=False),
        sa.Column("case_id", _STRING(length=32), nullable=False),
        sa.Column("recipient_name", _STRING(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["digest_id"], ["notifier_delivery.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest_id", "event_id", name="uq_digest_line_event"),
    )
    with op.batch_alter_table("notifier_digest_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifier_digest_line_event_id"), ["event_id"], unique=False
        )
    _lines_out_of_meta()


def downgrade() -> None:
    _lines_into_meta()
    with op.batch_alter_table("notifier_digest_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifier_digest_line_event_id"))
    op.drop_table("notifier_digest_line")


def _digests() -> list[Any]:
    query = sa.select(_DELIVERY.c.id, _DELIVERY.c.case_id, _DELIVERY.c.body_text, _DELIVERY.c.meta)
    return list(op.get_bind().execute(query.where(_DELIVERY.c.template == "digest")).all())


def _lines_out_of_meta() -> None:
    bind = op.get_bind()
    for digest_id, case_id, body, meta in _digests():
        events = json.loads((meta or {}).get("events", "[]"))
        texts = json.loads((meta or {}).get("lines", "[]"))
        first = (body or "").split("\n", 1)[0]
        name = (
            first.removeprefix(_GREETING).removesuffix(",") if first.startswith(_GREETING) else ""
        )
        rows = [
            {
                "digest_id": digest_id,
                "event_id": event,
                "case_id": case_id,
                "recipient_name": name,
                "text": text,
            }
            for event, text in zip(events, texts, strict=True)
        ]
        if rows:
            bind.execute(_LINE.insert(), rows)
        bind.execute(_DELIVERY.update().where(_DELIVERY.c.id == digest_id).values(meta={}))


def _lines_into_meta() -> None:
    bind = op.get_bind()
    for digest_id, *_ in _digests():
        query = sa.select(_LINE.c.event_id, _LINE.c.text).where(_LINE.c.digest_id == digest_id)
        lines = bind.execute(query.order_by(_LINE.c.id)).all()
        meta = {
            "events": json.dumps([event for event, _ in lines]),
            "lines": json.dumps([text for _, text in lines], ensure_ascii=False),
        }
        bind.execute(_DELIVERY.update().where(_DELIVERY.c.id == digest_id).values(meta=meta))
