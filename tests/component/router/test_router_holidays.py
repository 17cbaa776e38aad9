"""An administrator loads a year's schedule: open cases' deadlines are recalculated and logged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from schemas.actions import RecordInfoReceived, RequestInfo, SubmitAnswer
from services.cli import main
from services.router.domain.calendar import CalendarDataError, load_calendar
from services.router.holidays_admin import change_log, load_year_tables, read_tables
from services.router.models import RoutedCase
from tests.unit.databases import migrated_copy
from tests.unit.router.lifecycle_support import DISTRICT, RouterHarness


@pytest.fixture
async def router(tmp_path: Path) -> AsyncIterator[RouterHarness]:
    harness = await RouterHarness.start(tmp_path)
    yield harness
    await harness.close()


def _schedule_2023(router: RouterHarness, path: Path, *extra_days: date) -> Path:
    """The packaged 2023 table plus `extra_days` off, as an administrator would write it."""
    table = router.service.core.calendar.table_for(2023).model_dump(mode="json")
    table["source"] = "Thông báo thử nghiệm"
    table["days_off"] += [{"date": d.isoformat(), "name": "Nghỉ đột xuất"} for d in extra_days]
    path.write_text(yaml.safe_dump({"years": [table]}, allow_unicode=True), encoding="utf-8")
    return path


async def _load(router: RouterHarness, path: Path) -> object:
    return await load_year_tables(
        router.service.db,
        core=router.service.core,
        store=router.service.calendars,
        tables=read_tables(path),
        changed_by="admin.vpub",
        source=str(path),
    )


async def test_a_new_day_off_moves_open_cases_and_is_logged(
    router: RouterHarness, tmp_path: Path
) -> None:
    await router.accept("open", DISTRICT)
    await router.accept("done", DISTRICT)
    await router.accept("paused", DISTRICT)
    await router.act(
        SubmitAnswer(correlation_id="d", case_id="done", agency="IGR", officer="x", answer="a")
    )
    router.clock[0] = date(2023, 3, 8)
    await router.act(
        RequestInfo(correlation_id="p", case_id="paused", agency="IGR", officer="x", question="?")
    )
    router.clock[0] = date(2023, 3, 13)  # 3 working days given back: forward 16, answer 23
    await router.act(
        RecordInfoReceived(correlation_id="p", case_id="paused", agency="IGR", officer="x")
    )
    before = await router.case("open")
    update = await _load(router, _schedule_2023(router, tmp_path / "h.yaml", date(2023, 3, 15)))
    assert getattr(update, "cases_recalculated", None) == 2
    case = await router.case("open")
    assert (case.due_forward, case.due_answer) == (date(2023, 3, 13), date(2023, 3, 21))
    paused = await router.case("paused")  # the pause still counts under the new table
    assert (paused.due_forward, paused.due_answer) == (date(2023, 3, 17), date(2023, 3, 24))
    assert case.calendar_version != before.calendar_version
    closed = await router.case("done")
    assert closed.calendar_version == before.calendar_version  # kept as computed
    recalculated = await router.published(event_type="case.deadlines_recalculated")
    assert sorted(e["case_id"] for e in recalculated) == ["open", "paused"]
    [moved] = [e for e in recalculated if e["case_id"] == "open"]
    assert moved["previous"]["answer"] == "2023-03-20"
    assert moved["deadlines"]["answer"] == "2023-03-21" and "2023-03-15" in moved["reason"]
    [change] = await change_log(router.service.db)
    assert (change.changed_by, change.years, change.cases_recalculated) == ("admin.vpub", "2023", 2)
    assert "thêm ngày nghỉ 2023-03-15" in change.summary


async def test_new_cases_use_the_loaded_calendar_and_the_same_file_twice_changes_nothing(
    router: RouterHarness, tmp_path: Path
) -> None:
    path = _schedule_2023(router, tmp_path / "h.yaml", date(2023, 3, 15))
    await _load(router, path)
    update = await _load(router, path)
    assert getattr(update, "changed", None) is False
    assert len(await change_log(router.service.db)) == 1
    await router.accept("c1", DISTRICT)
    assert (await router.case("c1")).due_answer == date(2023, 3, 21)


async def test_the_scheduler_recalculates_a_case_routed_under_the_old_calendar(
    router: RouterHarness, tmp_path: Path
) -> None:
    await router.accept("early", DISTRICT)
    old_version = (await router.case("early")).calendar_version
    await _load(router, _schedule_2023(router, tmp_path / "h.yaml", date(2023, 3, 16)))
    await router.accept("late", DISTRICT)
    async with router.service.db.transaction() as session:
        # As if a replica routed it, with the old calendar, while the table was being loaded.
        late = await session.get(RoutedCase, "late")
        assert late is not None
        late.calendar_version, late.due_answer = old_version, date(2023, 3, 20)
        session.add(late)
    assert await router.service.scheduler.run_once(date(2023, 3, 6)) == 1
    late = await router.case("late")
    assert (late.due_answer, late.calendar_version) == (
        date(2023, 3, 21),
        (await router.case("early")).calendar_version,
    )
    moved = await router.published(event_type="case.deadlines_recalculated")
    assert [e["case_id"] for e in moved] == ["early", "late"]


def test_a_malformed_schedule_is_refused_with_the_entry_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "years:\n  - year: 2026\n    source: x\n    official: true\n"
        "    working_saturdays: [{date: 2026-01-05, replaces: 2026-01-02}]\n",
        encoding="utf-8",
    )
    with pytest.raises(CalendarDataError, match="2026-01-05 is not a Saturday"):
        read_tables(path)


def test_the_command_line_loads_a_schedule_and_shows_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = migrated_copy(tmp_path, "cli")  # migrated once: tests.unit.databases
    monkeypatch.setenv("PAKN_ROUTER_DATABASE_URL", url)
    table = load_calendar().table_for(2023).model_dump(mode="json")
    table["days_off"].append({"date": "2023-03-15", "name": "Nghỉ đột xuất"})
    path = tmp_path / "2023.yaml"
    path.write_text(yaml.safe_dump({"years": [table]}, allow_unicode=True), encoding="utf-8")
    assert main(["holidays", "load", str(path)]) == 2  # who loads it must be said
    assert main(["holidays", "load", str(path), "--dry-run"]) == 0
    assert main(["holidays", "log"]) == 0
    assert "2023-03-15" in capsys.readouterr().out
    assert main(["holidays", "load", str(path), "--by", "admin.vpub"]) == 0
    assert "Đã cập nhật lịch" in capsys.readouterr().out
    assert main(["holidays", "log"]) == 0
    assert "admin.vpub: năm 2023" in capsys.readouterr().out
    path.write_text("years: [{year: 2023}]\n", encoding="utf-8")
    assert main(["holidays", "load", str(path), "--by", "x"]) == 2
    assert "year 2023" in capsys.readouterr().err
