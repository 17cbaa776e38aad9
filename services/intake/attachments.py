"""Files sent with an item: checked by their content, kept in a store named by their hash.

A file is accepted when its bytes are one of the allowed kinds (PDF, JPEG, PNG, DOCX, ODT)
and its name's extension says the same kind: the extension alone proves nothing, and a
PDF named `.png` is refused as well. The store writes each file once under its SHA-256.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath, PureWindowsPath

from services.intake.errors import AttachmentRefused

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
KINDS = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}
EXTENSIONS = {
    ".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".docx": "docx", ".odt": "odt",
}  # fmt: skip
ALLOWED_VI = "PDF, JPEG, PNG, DOCX, ODT"


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    kind: str
    data: bytes

    @property
    def media_type(self) -> str:
        return KINDS[self.kind]

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(data: bytes) -> str | None:
    """The kind of file the bytes are, among the allowed ones, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def _office_kind(data: bytes) -> str | None:
    """DOCX and ODT are ZIP files; only their directory and a 40-byte entry are read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                with archive.open("mimetype") as entry:
                    if entry.read(100).strip() == ODT_MIMETYPE:
                        return "odt"
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        return None
    return None


def clean_filename(raw: str | None) -> str:
    """The base name only (no folders of the sender's machine), no control characters."""
    text = unicodedata.normalize("NFC", raw or "")
    base = PureWindowsPath(PurePosixPath(text).name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"\s+", " ", base).strip(" .")
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 190 - len(ext)] + dot + ext) if dot and len(ext) <= 8 else base[:200]
    return base or "tep-dinh-kem"


def check_file(raw_name: str | None, data: bytes, *, max_bytes: int) -> CheckedFile:
    """The file if it may be accepted; else `AttachmentRefused` with the reason."""
    filename = clean_filename(raw_name)
    if len(data) > max_bytes:
        raise AttachmentRefused(
            f"Tệp “{filename}” quá lớn ({_mb(len(data))}); mỗi tệp tối đa {_mb(max_bytes)}."
        )
    if not data:
        raise AttachmentRefused(f"Tệp “{filename}” rỗng.")
    kind = sniff(data)
    claimed = EXTENSIONS.get(Path(filename).suffix.lower())
    if kind is None or claimed is None:
        raise AttachmentRefused(f"Tệp “{filename}” không thuộc định dạng được nhận ({ALLOWED_VI}).")
    if kind != claimed:
        raise AttachmentRefused(
            f"Nội dung tệp “{filename}” không khớp với phần mở rộng của tên tệp."
        )
    return CheckedFile(filename=filename, kind=kind, data=data)


def check_count(count: int, *, max_files: int) -> None:
    if count > max_files:
        raise AttachmentRefused(f"Chỉ được đính kèm tối đa {max_files} tệp (đã chọn {count}).")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


@dataclass(frozen=True)
class AttachmentStore:
    """A folder of files named `<first two hex digits>/<sha256><extension>`."""

    folder: Path

    def path_of(self, sha256: str, kind: str) -> Path:
        extension = ".jpg" if kind == "jpeg" else f".{kind}"
        return self.folder / sha256[:2] / f"{sha256}{extension}"

    async def put(self, file: CheckedFile) -> Path:
        return await asyncio.to_thread(self._write, file)

    def _write(self, file: CheckedFile) -> Path:
        target = self.path_of(file.sha256, file.kind)
        if target.exists() and target.stat().st_size == len(file.data):
            return target  # the same bytes are already kept
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        partial.write_bytes(file.data)
        os.replace(partial, target)  # readers never see half a file
        return target
