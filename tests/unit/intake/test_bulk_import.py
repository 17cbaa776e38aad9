"""`pakn import`'s own rules on the in-memory store: every line registered or reported, each
line's bytes archived (the command on a migrated SQLite database:
tests/component/intake/test_bulk_import.py)."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from schemas.topics import Topics
from services.intake.bulk_import import Importer, ImportSummary, lines_with_raw
from services.intake.flatfile import read_flat
from services.intake.import_command import print_summary, summary_json
from services.intake.memory_store import MemoryStorage
from services.intake.models import IntakeCase, RawPayload

ITEM = {
    "id": "CALL-1",
    "channel": "hotline",
    "received_at": "2023-03-06T08:15:00+07:00",
    "name": "Trần Văn Bình",
    "address": "thôn 3, xã Ia Kha, huyện Ia Grai, tỉnh Gia Lai",
    "phone": "0914 222 333",
    "title": "Chậm cấp giấy chứng nhận",
    "content": (
        "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất tại bộ phận một cửa UBND huyện "
        "Ia Grai từ tháng 12/2022, quá hạn đã lâu nhưng chưa được giải quyết, đề nghị kiểm tra."
    ),
}
COLUMNS = ["id", "channel", "received_at", "name", "address", "phone", "title", "content"]


def jsonl(*items: dict[str, Any] | str) -> bytes:
    lines = [i if isinstance(i, str) else json.dumps(i, ensure_ascii=False) for i in items]
    return ("\n".join(lines) + "\n").encode()


def csv_bytes(*rows: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, "so_ho_so"], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def in_memory(path: Path, **options: Any) -> tuple[ImportSummary, MemoryStorage]:
    """`path` imported as `pakn import` does it, into an in-memory store."""
    storage = MemoryStorage()
    importer = Importer(storage=storage, topics=Topics("unit"), name=path.name, **options)
    return await importer.run(lines_with_raw(path)), storage


def cases_of(storage: MemoryStorage) -> dict[str, IntakeCase]:
    return {case.channel_ref or "": case for case in storage.tables.cases.values()}


def raws_of(storage: MemoryStorage) -> list[RawPayload]:
    return [storage.tables.raws[raw_id] for raw_id in sorted(storage.tables.raws)]


async def test_a_csv_record_over_several_lines_is_archived_whole_with_its_header(
    tmp_path: Path,
) -> None:
    letter = {**ITEM, "id": "CV-9", "channel": "post", "content": ITEM["content"] + "\nĐoạn hai."}
    path = tmp_path / "so-cong-van.csv"
    second = {**ITEM, "id": "CV-10", "channel": "post", "title": "Thư khác", "so_ho_so": "H-77"}
    path.write_bytes(csv_bytes(letter, second))
    summary, storage = await in_memory(path)
    assert summary.accepted == 2
    first, _ = raws_of(storage)
    assert first.body.startswith(b"id,channel,") and first.body.endswith(
        'Đoạn hai."'.encode() + b","
    )
    assert next(csv.DictReader(io.StringIO(first.body.decode())))["id"] == "CV-9"
    cases = cases_of(storage)
    assert (
        cases["CV-9"].content.endswith("Đoạn hai.") and cases["CV-10"].extra["so_ho_so"] == "H-77"
    )


async def test_raw_lines_follow_the_reader_past_blank_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'\n{"a": 1}\n\n\xff\xfe\n' + jsonl(ITEM))
    found = [(item.line.line_no, item.raw) for item in lines_with_raw(path)]
    assert [n for n, _ in found] == [2, 4, 5]
    assert found[0][1] == b'{"a": 1}' and found[1][1] == b"\xff\xfe"


async def test_the_summary_counts_reasons_duplicates_and_lists_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    same_by_post = {
        **ITEM,
        "id": "CV-1",
        "channel": "post",
        "received_at": "2023-03-08T08:00:00+07:00",
    }
    path.write_bytes(jsonl(ITEM, same_by_post, "nope"))
    summary, _ = await in_memory(path)
    out = io.StringIO()
    print_summary(summary, name=path.name, out=out, as_json=False)
    text = out.getvalue()
    assert "vào sổ mới: 2 (tiếp nhận 1, không tiếp nhận 1 — duplicate: 1)" in text
    assert "dòng 3: không phải JSON hợp lệ" in text
    assert summary_json(summary)["duplicates"] == 1


async def test_the_file_is_worked_through_in_batches(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_bytes(jsonl(*({**ITEM, "id": f"C{i}", "phone": f"0914{i:06d}"} for i in range(5))))
    storage = MemoryStorage()
    importer = Importer(storage=storage, topics=Topics("unit"), name=path.name, batch_size=2)
    progress: list[int] = []
    summary = await importer.run(lines_with_raw(path), on_batch=progress.append)
    assert summary.accepted == 5 and progress == [2, 4, 5] and len(storage.outbox) == 5


@pytest.mark.parametrize(
    ("suffix", "encoding"),
    [
        (".jsonl", "utf-8-sig"),
        (".csv", "utf-8-sig"),
        (".jsonl", "utf-16"),  # the platform's order, with its BOM
        (".csv", "utf-16-be-bom"),
        (".jsonl", "utf-16-le-bom"),
    ],
)
async def test_utf8_with_a_bom_and_utf16_by_its_bom_are_read(
    tmp_path: Path, suffix: str, encoding: str
) -> None:
    second = {**ITEM, "id": "CALL-9", "phone": "0905 999 888", "title": "Thủ tục khác"}
    text = (jsonl(ITEM, second) if suffix == ".jsonl" else csv_bytes(ITEM, second)).decode()
    path = tmp_path / f"items{suffix}"
    path.write_bytes(_encode(text, encoding))
    summary, storage = await in_memory(path)
    assert (summary.read, summary.accepted, summary.malformed) == (2, 2, 0)
    cases = cases_of(storage)
    assert cases["CALL-1"].name == "Trần Văn Bình" and cases["CALL-9"].title == "Thủ tục khác"
    first, _ = raws_of(storage)  # archived in UTF-8, without the BOM
    assert first.body.decode("utf-8").startswith("id," if suffix == ".csv" else '{"id"')


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    if encoding == "utf-16-le-bom":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


async def test_line_problems_are_in_vietnamese_and_name_the_column(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    odd = {**ITEM, "channel": "fax", "submitter_type": "robot", "attachments": "a.pdf"}
    path.write_bytes(jsonl(odd, {**ITEM, "received_at": "2023-03-06 08:15"}, "[]") + b"\xff\n")
    errors = [line.error or "" for line in read_flat(path)]
    assert errors[0].split(". ") == [
        "Cột channel (web, portal, email, hotline, post): giá trị không được hỗ trợ",
        "Cột submitter_type (individual, organization): giá trị không được hỗ trợ",
        "Cột attachments: sai kiểu dữ liệu.",
    ]
    assert errors[1] == "Cột received_at: phải ghi kèm múi giờ, ví dụ 2023-01-18T09:30:00+07:00."
    assert errors[2:] == [
        'mỗi dòng phải là một đối tượng JSON, ví dụ {"channel": "post", …}',
        "không phải văn bản UTF-8",
    ]


async def test_a_line_the_store_refuses_takes_back_its_own_work_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import IntegrityError

    from services.intake import bulk_import

    real = bulk_import.register_many

    async def refusing(uow: Any, *, submissions: Any, topics: Any) -> Any:
        done = await real(uow, submissions=submissions, topics=topics)  # staged, then refused
        if any(s.title == "BOOM" for s in submissions):
            raise IntegrityError("INSERT", None, ValueError("taken"))
        return done

    monkeypatch.setattr(bulk_import, "register_many", refusing)
    path = tmp_path / "boom.jsonl"
    boom = {**ITEM, "id": "C-BOOM", "title": "BOOM", "phone": "0905000111"}
    path.write_bytes(jsonl(ITEM, boom, {**ITEM, "id": "CALL-3", "phone": "0905000222"}))
    summary, storage = await in_memory(path)
    assert summary.accepted == 2 and [n for n, _ in summary.malformed_lines] == [2]
    assert sorted(cases_of(storage)) == ["CALL-1", "CALL-3"] and len(storage.outbox) == 2
    assert [r.status for r in raws_of(storage)] == ["registered", "failed", "registered"]
