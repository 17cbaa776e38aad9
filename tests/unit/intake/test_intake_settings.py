"""Intake's settings: where attachments go, and how large a request may be."""

from __future__ import annotations

from pathlib import Path

from services.intake.settings import IntakeSettings


def test_attachments_live_beside_a_sqlite_database_unless_told() -> None:
    embedded = IntakeSettings(database_url="sqlite+aiosqlite:////srv/pakn/embedded/intake.db")
    assert embedded.attachment_folder == Path("/srv/pakn/embedded/attachments")
    server = IntakeSettings(database_url="postgresql+asyncpg://u:p@db/pakn_intake")
    assert server.attachment_folder == Path("var/data/attachments")
    told = IntakeSettings(attachment_dir=Path("/data/files"))
    assert told.attachment_folder == Path("/data/files")


def test_a_request_may_carry_every_attachment_at_its_limit() -> None:
    settings = IntakeSettings(attachment_max_files=5, attachment_max_bytes=10 * 1024 * 1024)
    assert settings.max_request_bytes > 50 * 1024 * 1024
    assert IntakeSettings().mailbox_port is None  # no SMTP listener unless configured


def test_settings_come_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAKN_INTAKE_MAILBOX_PORT", "2525")
    monkeypatch.setenv("PAKN_INTAKE_ATTACHMENT_MAX_FILES", "3")
    settings = IntakeSettings()
    assert (settings.mailbox_port, settings.attachment_max_files) == (2525, 3)
