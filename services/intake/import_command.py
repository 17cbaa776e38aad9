"""The `pakn import FILE` command: settings from the environment (like `pakn run intake`),
a progress bar on standard error, a summary on standard output.

The cases and their events are written to the intake database and its outbox; the intake
service's relay (`pakn run intake`, or the embedded system) publishes the events.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import DBAPIError
from tqdm import tqdm

from schemas.topics import Topics
from services.intake.bulk_import import Importer, ImportSummary, lines_with_raw
from services.intake.errors import ImportFailed
from services.intake.flatfile import FlatFileError
from services.intake.settings import IntakeSettings
from services.intake.sql_store import SqlStorage
from services.kit.db import Database


def count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


async def run_import(
    path: Path,
    *,
    settings: IntakeSettings,
    err: TextIO,
    progress: bool = True,
    notify: bool = True,
) -> ImportSummary:
    try:
        total = count_lines(path)
    except OSError as error:
        raise ImportFailed(f"không đọc được tệp {path}: {error.strerror or error}") from error
    db = Database(settings.database_url)
    importer = Importer(
        storage=SqlStorage(db),
        topics=Topics(settings.topic_namespace),
        name=path.name,
        notify=notify,
    )
    bar = tqdm(total=total, unit="dòng", file=err, disable=not progress, desc=path.name)
    try:
        return await importer.run(lines_with_raw(path), on_batch=lambda n: bar.update(n - bar.n))
    except FlatFileError as error:
        raise ImportFailed(str(error)) from error
    except DBAPIError as error:
        raise ImportFailed(
            f"lỗi cơ sở dữ liệu ({type(error.orig).__name__}); đã chạy `pakn migrate` chưa?"
        ) from error
    finally:
        bar.close()
        await db.dispose()


def failure(summary: ImportSummary, *, name: str) -> str | None:
    """Why the run failed as a whole (Vietnamese), or None: no item in the file, or not one
    line that could be read. Lines registered, refused or imported before are a success."""
    if summary.read == 0:
        return f"{name}: tệp không có mục nào để nhập"
    if summary.malformed == summary.read:
        return f"{name}: không đọc được dòng nào ({summary.malformed} dòng lỗi, xem ở trên)"
    return None


def print_summary(summary: ImportSummary, *, name: str, out: TextIO, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(summary_json(summary), ensure_ascii=False) + "\n")
        return
    refused = ", ".join(f"{reason}: {n}" for reason, n in summary.refused.most_common())
    lines = [
        f"{name}: đã đọc {summary.read} mục",
        f"  vào sổ mới: {summary.imported} (tiếp nhận {summary.accepted}, "
        f"không tiếp nhận {summary.refused.total()}{f' — {refused}' if refused else ''})",
        f"  trùng với hồ sơ đã có (duplicate): {summary.refused['duplicate']}",
        f"  đã nhập từ trước (chạy lại, cùng mã): {summary.already}",
        f"  dòng lỗi: {summary.malformed}",
        *(f"    dòng {line_no}: {error}" for line_no, error in summary.malformed_lines),
    ]
    if summary.malformed > len(summary.malformed_lines):
        lines.append(f"    … và {summary.malformed - len(summary.malformed_lines)} dòng lỗi khác")
    out.write("\n".join(lines) + "\n")


def summary_json(summary: ImportSummary) -> dict[str, object]:
    return {
        "read": summary.read,
        "imported": summary.imported,
        "accepted": summary.accepted,
        "refused": dict(summary.refused),
        "duplicates": summary.refused["duplicate"],
        "already_imported": summary.already,
        "malformed": summary.malformed,
        "malformed_lines": [{"line": n, "error": e} for n, e in summary.malformed_lines],
    }
