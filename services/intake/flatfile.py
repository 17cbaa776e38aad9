"""Reading the flat import format (interfaces.md §1) from JSON Lines or CSV.

Every line yields either a `Submission` or an error naming the line; a bad line never
stops the others, and unknown fields are kept in `extra`. A file that cannot be read as a
whole is refused before any line (`FlatFileError`, a Vietnamese message): missing, empty,
binary, in an encoding other than UTF-8 (with or without BOM) or UTF-16 (with its BOM),
or a CSV whose header lacks a required column. Messages about lines are Vietnamese too:
an operator reads them in `pakn import`'s summary.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from schemas.submission import Submission
from services.intake.errors import FlatFileError
from services.intake.problems import explain
from services.intake.register import DEFAULT_BOUNDS, ReceivedBounds

KNOWN = {
    "channel", "received_at", "submitter_type", "name", "organization", "address", "phone",
    "email", "title", "content", "regulation", "attachments",
}  # fmt: skip
COLUMNS = (
    "id", "channel", "received_at", "submitter_type", "name", "organization", "address",
    "phone", "email", "title", "content", "regulation", "attachments",
)  # fmt: skip
REQUIRED = ("channel", "received_at", "content")
MAX_LINE_BYTES = 1_000_000
SNIFF_BYTES = 64 * 1024
UTF8, UTF8_BOM, UTF16 = "utf-8", "utf-8-sig", "utf-16"
csv.field_size_limit(MAX_LINE_BYTES)
# Problems name the file's column: the operator fixes the file, not a form.
LABELS = {
    **{name: f"Cột {name}" for name in KNOWN},
    "channel_ref": "Cột id",
    "channel": "Cột channel (web, portal, email, hotline, post)",
    "submitter_type": "Cột submitter_type (individual, organization)",
    "extra": "Các cột thêm",
}

NOT_UTF8 = "không phải văn bản UTF-8"
BAD_JSON = "không phải JSON hợp lệ"
NOT_OBJECT = 'mỗi dòng phải là một đối tượng JSON, ví dụ {"channel": "post", …}'
TOO_MANY = "nhiều cột hơn dòng tiêu đề"
EXPECTED = (
    "Các cột của định dạng nhập: " + ", ".join(COLUMNS) + f" (bắt buộc: {', '.join(REQUIRED)})."
)


@dataclass(frozen=True)
class FlatLine:
    line_no: int
    item_id: str | None
    submission: Submission | None
    error: str | None


def read_flat(path: Path, *, encoding: str | None = None) -> Iterator[FlatLine]:
    """The file's lines; `FlatFileError` before the first when it cannot be read at all."""
    suffix = _suffix(path)
    encoding = encoding or sniff_encoding(path)
    handle = _open(path)
    with handle:
        if suffix == ".jsonl":
            yield from _jsonl(handle, encoding)
        else:
            yield from _csv(handle, path, encoding)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in {".jsonl", ".csv"}:
        raise FlatFileError(f"{path}: cần tệp .jsonl hoặc .csv theo định dạng nhập")
    return suffix


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as error:
        raise FlatFileError(f"{path}: không mở được tệp ({error.strerror or error})") from error


def sniff_encoding(path: Path) -> str:
    """UTF-8, UTF-8 with BOM or UTF-16 (by its BOM), from the file's first bytes."""
    _suffix(path)
    with _open(path) as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise FlatFileError(f"{path}: tệp UTF-32 không được hỗ trợ; cần UTF-8 hoặc UTF-16")
    if head.startswith(codecs.BOM_UTF8):
        encoding, text = UTF8_BOM, head[len(codecs.BOM_UTF8) :].decode(UTF8, "replace")
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, text = UTF16, head[: len(head) // 2 * 2].decode(UTF16, "replace")
    elif b"\x00" in head:
        raise FlatFileError(
            f"{path}: tệp nhị phân (có byte NUL), không phải văn bản; cần tệp văn bản UTF-8 "
            "(UTF-16 thì phải có BOM)"
        )
    else:
        encoding, text = UTF8, _utf8_head(path, head)
    if not text.strip():
        raise FlatFileError(f"{path}: tệp rỗng, không có mục nào")
    return encoding


def _utf8_head(path: Path, head: bytes) -> str:
    """The sample as text; refused when most of its lines are not UTF-8 (a file in another
    encoding), while a few bad lines are reported one by one like any malformed line."""
    lines = head.split(b"\n")
    if len(head) == SNIFF_BYTES and len(lines) > 1:
        lines.pop()  # perhaps cut by the sample's end
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    bad = [number for number, line in numbered if not _is_utf8(line)]
    if bad and len(bad) * 2 >= len(numbered):
        raise FlatFileError(
            f"{path}: {NOT_UTF8} (dòng {bad[0]}); hãy lưu lại tệp với bảng mã UTF-8 (chẳng "
            "hạn tệp TCVN3 hay Windows-1258 cần chuyển sang Unicode UTF-8)"
        )
    return head.decode(UTF8, "replace")


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode(UTF8)
    except UnicodeDecodeError:
        return False
    return True


def text_lines(handle: IO[bytes], encoding: str) -> Iterator[bytes]:
    """The lines of a JSON Lines file as UTF-8 bytes (split on LF only, like `bytes`), the
    BOM removed; a UTF-8 file's bytes are passed through, bad bytes and all."""
    if encoding == UTF16:
        text = io.TextIOWrapper(handle, encoding=UTF16, newline="\n")
        try:
            for line in text:
                yield line.encode(UTF8, "surrogatepass")
        except UnicodeDecodeError as error:
            raise FlatFileError(f"tệp UTF-16 bị hỏng: {error.reason}") from error
        return
    for number, raw in enumerate(handle):
        yield raw.removeprefix(codecs.BOM_UTF8) if number == 0 else raw


def _jsonl(handle: IO[bytes], encoding: str) -> Iterator[FlatLine]:
    for line_no, raw in enumerate(text_lines(handle, encoding), start=1):
        if not raw.strip():
            continue
        try:
            fields = json.loads(raw.decode(UTF8))
        except UnicodeDecodeError:
            yield FlatLine(line_no, None, None, NOT_UTF8)
            continue
        except ValueError as error:
            yield FlatLine(line_no, None, None, f"{BAD_JSON} (cột {_column(error)})")
            continue
        if not isinstance(fields, dict):
            yield FlatLine(line_no, None, None, NOT_OBJECT)
            continue
        yield to_submission(line_no, fields)


def _column(error: ValueError) -> int:
    return getattr(error, "colno", 0) or 1


def csv_text(handle: IO[bytes], encoding: str) -> io.TextIOWrapper:
    # surrogateescape keeps reading past a bad UTF-8 byte so only that line is reported.
    errors = "strict" if encoding == UTF16 else "surrogateescape"
    text_encoding = UTF16 if encoding == UTF16 else UTF8_BOM
    return io.TextIOWrapper(handle, encoding=text_encoding, errors=errors, newline="")


def _csv(handle: IO[bytes], path: Path, encoding: str) -> Iterator[FlatLine]:
    text = csv_text(handle, encoding)
    try:
        reader = csv.DictReader(text)
        check_header(path, reader.fieldnames)
        for row in reader:
            yield _row(reader.line_num, row)
    except csv.Error as error:
        raise FlatFileError(f"{path}: tệp CSV hỏng: {error}") from error
    except UnicodeDecodeError as error:
        raise FlatFileError(f"{path}: tệp UTF-16 bị hỏng: {error.reason}") from error


def check_header(path: Path, names: Sequence[str] | None) -> None:
    """Refuse, naming the expected columns, a header without a required column."""
    if not names:
        raise FlatFileError(f"{path}: tệp CSV rỗng, cần dòng tiêu đề. {EXPECTED}")
    columns = list(names)
    if twice := sorted({c for c in columns if columns.count(c) > 1}):
        raise FlatFileError(f"{path}: cột lặp lại trong dòng tiêu đề: {', '.join(twice)}")
    if missing := [c for c in REQUIRED if c not in columns]:
        raise FlatFileError(
            f"{path}: dòng tiêu đề thiếu cột bắt buộc {', '.join(missing)} "
            f"(tiêu đề đọc được: {', '.join(columns)[:300]}). {EXPECTED}"
        )


def _row(line_no: int, row: dict[str | Any, Any]) -> FlatLine:
    if None in row:
        return FlatLine(line_no, row.get("id"), None, TOO_MANY)
    if any(_has_bad_bytes(v) for v in row.values()):
        return FlatLine(line_no, None, None, NOT_UTF8)
    fields: dict[str, Any] = {k: v for k, v in row.items() if v not in (None, "")}
    if "attachments" in fields:
        fields["attachments"] = [a.strip() for a in fields["attachments"].split(";") if a.strip()]
    return to_submission(line_no, fields)


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
        problems = " ".join(dict.fromkeys(str(p) for p in explain(error, labels=LABELS)))
        return FlatLine(line_no, item_id, None, problems)
    if (problem := bounds.problem(submission.received_at)) is not None:
        return FlatLine(line_no, item_id, None, problem)  # a bad line, not a failed batch
    return FlatLine(line_no, item_id, submission, None)
