"""Attachments are judged by their bytes, not their names, and stored once by hash."""

from __future__ import annotations

import asyncio
import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from services.intake.attachments import (
    AttachmentRefused,
    AttachmentStore,
    check_count,
    check_file,
    clean_filename,
    sniff,
)

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def office_file(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "docx":
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
        elif kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("hello.txt", "just a zip")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"),
        (JPEG, "jpeg"),
        (PNG, "png"),
        (office_file("docx"), "docx"),
        (office_file("odt"), "odt"),
        (office_file("zip"), None),
        (b"MZ\x90\x00 a windows program", None),
        (b"<html><script>alert(1)</script></html>", None),
        (b"PK\x03\x04 but not really a zip", None),
        (b"", None),
    ],
)
def test_the_kind_of_a_file_comes_from_its_bytes(data: bytes, kind: str | None) -> None:
    assert sniff(data) == kind


def test_an_allowed_file_is_accepted_with_its_media_type() -> None:
    file = check_file("C:\\Users\\dan\\Scan thư.PDF", PDF, max_bytes=1000)
    assert file.filename == "Scan thư.PDF" and file.media_type == "application/pdf"
    assert file.sha256 == hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("virus.pdf", b"MZ\x90\x00 program", "không thuộc định dạng"),
        ("anh.png", PDF, "không khớp"),
        ("bao-cao.exe", PDF, "không thuộc định dạng"),
        ("rong.pdf", b"", "rỗng"),
        ("lon.pdf", PDF + b"\x00" * 2000, "quá lớn"),
    ],
)
def test_a_file_that_is_not_what_it_claims_or_too_big_is_refused_in_vietnamese(
    name: str, data: bytes, why: str
) -> None:
    with pytest.raises(AttachmentRefused, match=why):
        check_file(name, data, max_bytes=1000)


def test_more_files_than_allowed_are_refused() -> None:
    check_count(5, max_files=5)
    with pytest.raises(AttachmentRefused, match="tối đa 5 tệp"):
        check_count(6, max_files=5)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("a\x00b\x1f.pdf", "ab.pdf"),
        ("", "tep-dinh-kem"),
        ("..", "tep-dinh-kem"),
        ("x" * 300 + ".pdf", "x" * 187 + ".pdf"),
    ],
)
def test_file_names_lose_folders_and_control_characters(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


async def test_the_store_keeps_one_copy_per_content(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path)
    first = await store.put(check_file("a.pdf", PDF, max_bytes=1000))
    again = await store.put(check_file("b.pdf", PDF, max_bytes=1000))
    assert first == again and first.read_bytes() == PDF
    assert first.name == hashlib.sha256(PDF).hexdigest() + ".pdf"
    assert await asyncio.to_thread(files_in, tmp_path) == [first]


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]
