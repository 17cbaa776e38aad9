"""Reading the flat import format (interfaces.md §1) from JSON Lines or CSV.

Every line yields either a `Submission` or an error naming the line; a bad line never
stops the others, and unknown fields are kept in `extra`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas.submission import Submission
from services.intake.errors import FlatFileError
from services.intake.register import DEFAULT_BOUNDS, ReceivedBounds

KNOWN = {
    "channel", "received_at", "submitter_type", "name", "organization", "address", "phone",
    "email", "title", "content", "regulation", "attachments",
}  # fmt: skip
MAX_LINE_BYTES = 1_000_000
csv.field_size_limit(MAX_LINE_BYTES)


@dataclass(frozen=True)
class FlatLine:
    line_no: int
    item_id: str | None
    submission: Submission | None
    error: str | None


def read_flat(path: Path) -> Iterator[FlatLine]:
    suffix = path.suffix.lower()
    if suffix not in {".jsonl", ".csv"}:
        raise FlatFileError(f"{path}: expected a .jsonl or .csv file")
    try:
        handle = path.open("rb")
    except OSError as error:
        raise FlatFileError(f"{path}: {error.strerror or error}") from error
    with handle:
        yield from (_jsonl(handle) if suffix == ".jsonl" else _csv(handle, path))


def _jsonl(handle: io.BufferedReader) -> Iterator[FlatLine]:
    for line_no, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        try:
            fields = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield FlatLine(line_no, None, None, "not valid UTF-8")
            continue
        except ValueError as error:
            yield FlatLine(line_no, None, None, f"bad JSON: {error}")
            continue
        if not isinstance(fields, dict):
            yield FlatLine(line_no, None, None, "a line must be a JSON object")
            continue
        yield to_submission(line_no, fields)


def _csv(handle: io.BufferedReader, path: Path) -> Iterator[FlatLine]:
    # surrogateescape keeps reading past a bad byte so only that line is reported.
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        reader = csv.DictReader(text)
        if not reader.fieldnames:
            raise FlatFileError(f"{path}: empty CSV, a header row is needed")
        for row in reader:
            line_no = reader.line_num
            if None in row:
                yield FlatLine(line_no, row.get("id"), None, "more columns than the header")
                continue
            if any(_has_bad_bytes(v) for v in row.values()):
                yield FlatLine(line_no, None, None, "not valid UTF-8")
                continue
            fields: dict[str, Any] = {k: v for k, v in row.items() if v not in (None, "")}
            if "attachments" in fields:
                fields["attachments"] = [
                    a.strip() for a in fields["attachments"].split(";") if a.strip()
                ]
            yield to_submission(line_no, fields)
    except csv.Error as error:
        raise FlatFileError(f"{path}: broken CSV: {error}") from error


def _has_bad_bytes(value: str | list[str] | None) -> bool:
    return isinstance(value, str) and any("\udc80" <= ch <= "\udcff" for ch in value)


def to_submission(
    line_no: int, fields: dict[str, Any], *, bounds: ReceivedBounds = DEFAULT_BOUNDS
) -> FlatLine:
    item_id = str(fields["id"]) if fields.get("id") not in (None, "") else None
    known = {k: v for k, v in fields.items() if k in KNOWN and v is not None}
    extra = {k: v for k, v in fields.items() if k not in KNOWN and k != "id"}
    try:
        submission = Submission.model_validate({**known, "channel_ref": item_id, "extra": extra})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in error.errors()
        )
        return FlatLine(line_no, item_id, None, problems)
    if (problem := bounds.problem(submission.received_at)) is not None:
        return FlatLine(line_no, item_id, None, problem)  # a bad line, not a failed batch
    return FlatLine(line_no, item_id, submission, None)
