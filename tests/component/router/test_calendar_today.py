"""Where each year of the calendar came from, on a router's SQLite database and through
`pakn holidays log` (the pure calendar for today: tests/unit/router/test_calendar_today.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from services.cli import main
from services.router.calendars import year_sources
from services.router.domain.calendar import YearTable, default_year
from services.router.holidays_admin import load_year_tables
from tests.unit.databases import migrated_copy
from tests.unit.router.lifecycle_support import RouterHarness


@pytest.fixture
async def router(tmp_path: Path) -> AsyncIterator[RouterHarness]:
    harness = await RouterHarness.start(tmp_path, today=date(2026, 12, 2))
    yield harness
    await harness.close()


def _notice_2027() -> YearTable:
    return default_year(2027).model_copy(
        update={"official": True, "source": "Thông báo thử nghiệm năm 2027"}
    )


async def test_year_sources_name_who_loaded_a_year(router: RouterHarness) -> None:
    service = router.service
    async with service.db.session() as session:
        before = await year_sources(session, service.calendars, today=date(2026, 12, 2))
    assert [(s.year, s.kind) for s in before] == [
        (2023, "official"),
        (2024, "official"),
        (2025, "official"),
        (2026, "official"),
        (2027, "rule"),
    ]
    assert before[-1].loaded_by is None
    await load_year_tables(
        service.db,
        core=service.core,
        store=service.calendars,
        tables=[_notice_2027()],
        changed_by="admin.vpub",
        source="/tmp/2027.yaml",
    )
    async with service.db.session() as session:
        after = await year_sources(session, service.calendars, [2026, 2027])
    assert after[0] == before[3]
    assert (after[1].kind, after[1].loaded_by) == ("official", "admin.vpub")
    assert after[1].loaded_at is not None
    assert after[1].label.startswith(
        "Lịch chính thức: Thông báo thử nghiệm năm 2027 (do admin.vpub nạp lúc "
    )


def test_the_log_command_shows_each_year_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = migrated_copy(tmp_path, "cli")  # migrated once: tests.unit.databases
    monkeypatch.setenv("PAKN_ROUTER_DATABASE_URL", url)
    assert main(["holidays", "log"]) == 0
    out = capsys.readouterr().out
    assert "Nguồn lịch nghỉ từng năm:" in out
    assert "Năm 2026: Lịch chính thức: VB 12729/VPCP-KGVX" in out
    assert "Năm 2027: Theo quy tắc, chờ thông báo chính thức" in out
    assert "Chưa ai nạp lịch." in out
    path = tmp_path / "2027.yaml"
    table = _notice_2027().model_dump(mode="json")
    path.write_text(yaml.safe_dump({"years": [table]}, allow_unicode=True), encoding="utf-8")
    assert main(["holidays", "load", str(path), "--by", "admin.vpub"]) == 0
    assert "Năm 2027: Lịch chính thức: Thông báo thử nghiệm năm 2027 (do admin.vpub nạp lúc" in (
        capsys.readouterr().out
    )
    assert main(["holidays", "log"]) == 0
    out = capsys.readouterr().out
    assert "Năm 2027: Lịch chính thức: Thông báo thử nghiệm năm 2027 (do admin.vpub" in out
    assert "Các lần thay đổi lịch (mới nhất trước):" in out
