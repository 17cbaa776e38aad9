"""`pakn import` on a migrated SQLite database: every line registered or reported, each line's
bytes archived, reruns registering nothing twice (the importer's own rules on the in-memory
store: tests/unit/intake/test_bulk_import.py)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from services.intake.errors import ImportFailed
from services.intake.import_command import run_import
from services.intake.models import IntakeCase, RawPayload
from services.kit.db import Database
from services.kit.outbox import OutboxMessage
from tests.unit.intake.http_support import intake_settings, migrated_db
from tests.unit.intake.test_bulk_import import ITEM, jsonl

__all__ = ["migrated_db"]


@pytest.fixture
def settings(tmp_path: Path, migrated_db: Path) -> Any:
    shutil.copyfile(migrated_db, tmp_path / "intake.db")
    return intake_settings(tmp_path)


async def rows(settings: Any, model: Any) -> list[Any]:
    db = Database(settings.database_url)
    async with db.session() as session:
        found = list((await session.exec(select(model).order_by(col(model.id)))).all())
    await db.dispose()
    return found


async def test_a_jsonl_file_is_registered_and_bad_lines_are_reported_by_number(
    tmp_path: Path, settings: Any
) -> None:
    path = tmp_path / "hotline.jsonl"
    anonymous = {**ITEM, "id": "CALL-2", "name": "ẩn danh", "phone": "", "address": ""}
    path.write_bytes(
        jsonl(ITEM, "", "{not json", anonymous, {**ITEM, "id": "CALL-3", "received_at": "hôm qua"})
    )
    summary = await run_import(path, settings=settings, err=io.StringIO(), progress=False)
    assert (summary.read, summary.accepted, dict(summary.refused)) == (4, 1, {"missing_contact": 1})
    assert [n for n, _ in summary.malformed_lines] == [3, 5]
    cases = await rows(settings, IntakeCase)
    assert sorted((c.channel_ref, c.status) for c in cases) == [
        ("CALL-1", "accepted"),
        ("CALL-2", "refused"),
    ]
    raws = await rows(settings, RawPayload)
    assert [r.status for r in raws] == ["registered", "failed", "registered", "failed"]
    assert raws[1].body == b"{not json" and "dòng 3" in (raws[1].error or "")
    assert len(await rows(settings, OutboxMessage)) == 2  # the intake relay publishes them


async def test_rerunning_a_file_registers_nothing_twice(tmp_path: Path, settings: Any) -> None:
    path = tmp_path / "again.jsonl"
    # Another caller: the same text from the same phone on the same day is a repeat (one case).
    no_id = {k: v for k, v in ITEM.items() if k != "id"} | {"phone": "0914 222 444"}
    path.write_bytes(jsonl(ITEM, no_id, "[1]"))
    await run_import(path, settings=settings, err=io.StringIO(), progress=False)
    again = await run_import(path, settings=settings, err=io.StringIO(), progress=False)
    assert (again.imported, again.already, again.malformed) == (0, 2, 1)
    assert len(await rows(settings, IntakeCase)) == 2 and len(await rows(settings, RawPayload)) == 3
    # The same item in another file, under the same id, is still the same item.
    other = tmp_path / "other.jsonl"
    other.write_bytes(jsonl({**ITEM, "title": "Sửa tiêu đề"}))
    third = await run_import(other, settings=settings, err=io.StringIO(), progress=False)
    assert (third.imported, third.already) == (0, 1)


async def test_progress_goes_to_standard_error(tmp_path: Path, settings: Any) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(jsonl(*({**ITEM, "id": f"C{i}"} for i in range(3))))
    err = io.StringIO()
    await run_import(path, settings=settings, err=err, progress=True)
    assert "3/3" in err.getvalue()


async def test_a_line_the_database_refuses_is_reported_and_the_rest_registered(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import DBAPIError

    from services.intake import bulk_import

    real = bulk_import.register_many

    async def refusing(session: Any, *, submissions: Any, topics: Any) -> Any:
        if any(s.title == "BOOM" for s in submissions):
            raise DBAPIError("INSERT", None, ValueError("value too long"))
        return await real(session, submissions=submissions, topics=topics)

    monkeypatch.setattr(bulk_import, "register_many", refusing)
    path = tmp_path / "boom.jsonl"
    path.write_bytes(jsonl(ITEM, {**ITEM, "id": "C-BOOM", "title": "BOOM", "phone": "0905000111"}))
    summary = await run_import(path, settings=settings, err=io.StringIO(), progress=False)
    assert summary.accepted == 1 and summary.malformed_lines == [
        (2, "boom.jsonl, dòng 2: cơ sở dữ liệu không nhận dòng này (DBAPIError)")
    ]
    assert [c.channel_ref for c in await rows(settings, IntakeCase)] == ["CALL-1"]
    assert [r.status for r in await rows(settings, RawPayload)] == ["registered", "failed"]


async def test_a_csv_without_the_required_columns_is_refused_before_any_line(
    tmp_path: Path, settings: Any
) -> None:
    path = tmp_path / "so.csv"
    path.write_text("id,kenh,received_at,content\nCV-1,post,2023-03-06T08:15:00+07:00,x\n")
    with pytest.raises(ImportFailed, match="thiếu cột bắt buộc channel") as refused:
        await run_import(path, settings=settings, err=io.StringIO(), progress=False)
    assert "id, channel, received_at, submitter_type" in str(refused.value)
    assert await rows(settings, RawPayload) == []  # not one line archived
    path.write_text("id,channel,received_at,content,id\n")
    with pytest.raises(ImportFailed, match="cột lặp lại trong dòng tiêu đề: id"):
        await run_import(path, settings=settings, err=io.StringIO(), progress=False)
