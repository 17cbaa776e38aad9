"""`pakn import --no-notify`: a backlog's cases carry `notify_submitter = false` on their
registration events, so that the notifier mails none of their submitters (issue 14)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from services.intake.import_command import run_import
from services.intake.models import IntakeCase
from services.kit.outbox import OutboxMessage
from tests.component.intake.test_bulk_import import rows, settings
from tests.unit.intake.http_support import migrated_db
from tests.unit.intake.test_bulk_import import ITEM, jsonl

__all__ = ["migrated_db", "settings"]


def _facts(message: OutboxMessage) -> dict[str, Any]:
    return dict(json.loads(message.payload)["case"])


async def test_a_backlog_imported_without_notices_says_so_on_its_events(
    tmp_path: Path, settings: Any
) -> None:
    path = tmp_path / "ton-dong-2023.jsonl"
    path.write_bytes(jsonl(ITEM))
    await run_import(path, settings=settings, err=io.StringIO(), progress=False, notify=False)
    (message,) = await rows(settings, OutboxMessage)
    assert _facts(message)["notify_submitter"] is False
    (case,) = await rows(settings, IntakeCase)
    assert case.extra.get("pakn_no_notify") is True


async def test_an_ordinary_import_notifies(tmp_path: Path, settings: Any) -> None:
    path = tmp_path / "hop-thu.jsonl"
    path.write_bytes(jsonl(ITEM))
    await run_import(path, settings=settings, err=io.StringIO(), progress=False)
    (message,) = await rows(settings, OutboxMessage)
    assert _facts(message)["notify_submitter"] is True
