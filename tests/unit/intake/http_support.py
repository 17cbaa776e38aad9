"""The intake service's HTTP app on a migrated SQLite database, for the channel tests."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from services.intake.models import IntakeAttachment, IntakeCase, RawPayload
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.kit.outbox import OutboxMessage
from services.kit.settings import data_dir_url
from tests.support import STAFF_SECRET, office_pass, staff_csrf
from tests.unit.databases import migrated_template

GOOD = {
    "name": "Nguyễn Thị Hoa",
    "address": "45 Lê Lợi, phường Hội Thương, TP Pleiku, tỉnh Gia Lai",
    "phone": "0905 123 456",
    "email": "hoa.nguyen@example.com",
    "title": "Kiến nghị sửa quy định về hạn mức đất ở",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi cho phù hợp."
    ),
    "regulation": "Quyết định số 22/2016/QĐ-UBND",
}
PORTAL_KEY = "portal-key-for-tests"
OPEN311_KEY = "secret"  # the api_key of test_api_channels.OPEN311
PORTAL_AUTH = {"Authorization": f"Bearer {PORTAL_KEY}"}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"


@dataclass
class Intake:
    service: IntakeService
    client: httpx.AsyncClient

    async def cases(self) -> list[IntakeCase]:
        async with self.service.db.session() as session:
            return list((await session.exec(select(IntakeCase))).all())

    async def raws(self) -> list[RawPayload]:
        async with self.service.db.session() as session:
            query = select(RawPayload).order_by(col(RawPayload.id))
            return list((await session.exec(query)).all())

    async def attachments(self) -> list[IntakeAttachment]:
        async with self.service.db.session() as session:
            return list((await session.exec(select(IntakeAttachment))).all())

    async def events(self) -> list[dict[str, Any]]:
        async with self.service.db.session() as session:
            rows = (await session.exec(select(OutboxMessage))).all()
        return [json.loads(row.payload) for row in rows]


@pytest.fixture(scope="session")
def migrated_db() -> Path:
    """Migrating takes a second; every test copies one migrated SQLite file instead (the
    one every component test shares: tests.unit.databases)."""
    return migrated_template()


def intake_settings(folder: Path, **changes: Any) -> IntakeSettings:
    values: dict[str, Any] = {
        "database_url": data_dir_url(folder, "intake"),
        "attachment_dir": folder / "files",
        "attachment_max_files": 2,
        "attachment_max_bytes": 4096,
        "public_base_url": "https://pakn.gialai.gov.vn",
        "staff_secret": STAFF_SECRET,
        "channel_keys": f"portal:{hashlib.sha256(PORTAL_KEY.encode()).hexdigest()}",
        "open311_keys": f"tests:{hashlib.sha256(OPEN311_KEY.encode()).hexdigest()}",
        # The channel tests send many items from one address; the limits' own tests
        # (test_public_limits.py) set them low.
        "submissions_per_client": 100_000,
        "submissions_per_recipient": 100_000,
        "invalid_bodies_per_client": 100_000,
    }
    return IntakeSettings(**{**values, **changes})


@pytest.fixture
async def intake(tmp_path: Path, migrated_db: Path) -> AsyncIterator[Intake]:
    shutil.copyfile(migrated_db, tmp_path / "intake.db")
    service = IntakeService(intake_settings(tmp_path))
    transport = httpx.ASGITransport(app=service.web())
    # Logged in as an office officer: the staff pages need the console's pass.
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://intake",
        cookies=office_pass(),
        headers={"X-CSRF-Token": staff_csrf()},  # the staff JSON APIs want it
    ) as client:
        yield Intake(service, client)
    await service.db.dispose()
