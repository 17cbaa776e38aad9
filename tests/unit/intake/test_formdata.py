"""Form bodies are read strictly: text that is not UTF-8 is refused, not garbled."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from services.intake.channels.formdata import FormDataError, parse_form

BOUNDARY = "----b0undary"


def multipart(*parts: tuple[bytes, bytes]) -> bytes:
    """`parts` are (Content-Disposition parameters, body)."""
    lines = []
    for disposition, body in parts:
        lines += [f"--{BOUNDARY}".encode(), b"Content-Disposition: form-data; " + disposition]
        lines += [b"", body]
    return b"\r\n".join([*lines, f"--{BOUNDARY}--".encode(), b""])


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def test_a_multipart_form_gives_text_fields_and_files() -> None:
    body = multipart(
        (b'name="name"', "Rơ Mah Hlim".encode()),
        ('name="attachments"; filename="thư.pdf"'.encode(), b"%PDF-1.4 \xff\x00 binary"),
        (b'name="attachments"; filename=""', b""),  # an empty file input
    )
    form = parse_form(MULTIPART, body, max_files=5)
    assert form.fields == {"name": "Rơ Mah Hlim"}
    assert [(u.filename, u.data) for u in form.uploads] == [
        ("thư.pdf", b"%PDF-1.4 \xff\x00 binary")
    ]


def test_a_urlencoded_form_is_read() -> None:
    body = f"name={quote('Nguyễn Văn A')}&content=a+b".encode()
    form = parse_form("application/x-www-form-urlencoded", body, max_files=5)
    assert form.fields == {"name": "Nguyễn Văn A", "content": "a b"}


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (MULTIPART, multipart((b'name="content"', b"Kh\xf4ng ph\xe3i UTF-8"))),
        (MULTIPART, multipart((b'name="n\xff"', b"x"))),
        ("application/x-www-form-urlencoded", b"content=%FF%FE"),
        ("application/x-www-form-urlencoded", "content=thư".encode()),
    ],
)
def test_text_that_is_not_utf8_is_refused_with_a_vietnamese_message(
    content_type: str, body: bytes
) -> None:
    with pytest.raises(FormDataError, match="UTF-8"):
        parse_form(content_type, body, max_files=5)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"{}"),
        ("multipart/form-data", b"no boundary"),
        ("", b"name=x"),
        ("application/x-www-form-urlencoded", b"&".join([b"a=1"] * 500)),
    ],
)
def test_what_is_not_a_form_is_refused(content_type: str, body: bytes) -> None:
    with pytest.raises(FormDataError):
        parse_form(content_type, body, max_files=5)


def test_too_many_parts_are_refused() -> None:
    body = multipart(*[(f'name="f{i}"'.encode(), b"x") for i in range(100)])
    with pytest.raises(FormDataError, match="quá nhiều"):
        parse_form(MULTIPART, body, max_files=5)
