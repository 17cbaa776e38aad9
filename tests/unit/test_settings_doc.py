"""`.env.example` documents every setting of every service."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.intake.settings import IntakeSettings
from services.notifier.settings import NotifierSettings
from services.settings_doc import render

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_is_generated_from_the_settings_classes() -> None:
    committed = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m services.settings_doc > .env.example"


def test_the_example_placeholder_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="CHANGE-ME"):
        IntakeSettings(database_url="postgresql+asyncpg://pakn:CHANGE-ME@db/pakn")


def test_the_digest_time_is_documented_as_it_is_typed() -> None:
    lines = render().splitlines()
    documented = lines.index("# PAKN_NOTIFIER_DIGEST_AT=07:30")
    assert "digest" in lines[documented - 1] and "Vietnam time" in lines[documented - 1]
    typed = lines[documented].removeprefix("# PAKN_NOTIFIER_DIGEST_AT=")
    assert NotifierSettings(digest_at=typed).digest_at == NotifierSettings().digest_at
