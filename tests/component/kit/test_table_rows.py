"""A row built by `Table.__init__` is stored, read back and changed as SQLModel's own would
be (services/kit/table.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, SQLModel, create_engine, select

from services.intake.models import IntakeCase

RECEIVED = datetime(2025, 7, 1, 8, tzinfo=UTC)


def test_a_row_is_stored_read_back_and_changed() -> None:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine, tables=[IntakeCase.__table__])  # type: ignore[attr-defined]
    with Session(engine) as session:
        row = IntakeCase(  # type: ignore[call-arg]  # two fields are set after building
            tracking_code="GL-1", channel="web", received_at=RECEIVED
        )
        row.submitter_type, row.status = "individual", "accepted"
        session.add(row)
        session.commit()
        row.title = "đổi"
        session.commit()
    with Session(engine) as session:
        stored = session.exec(select(IntakeCase)).one()
    assert (stored.tracking_code, stored.status, stored.title) == ("GL-1", "accepted", "đổi")
    assert stored.received_at == RECEIVED and stored.attachments == []
