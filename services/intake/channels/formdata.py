"""Reading an HTML form's body strictly: text must be UTF-8, or the sender is told.

Starlette's own parser quietly reads bad bytes as Latin-1 (multipart) or replaces them
(URL-encoded); a citizen's letter must not be garbled without anyone noticing, so the
form channels parse the body they have already archived with this module instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from services.intake.errors import FormDataError

MAX_FIELDS = 60


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    data: bytes


@dataclass
class FormInput:
    fields: dict[str, str] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)


def parse_form(content_type: str, body: bytes, *, max_files: int) -> FormInput:
    kind, options = parse_options_header(content_type or "")
    if kind == b"application/x-www-form-urlencoded":
        return _urlencoded(body)
    if kind == b"multipart/form-data" and options.get(b"boundary"):
        return _Multipart(options[b"boundary"], max_files=max_files).parse(body)
    raise FormDataError("Dữ liệu gửi lên không phải là biểu mẫu (form) hợp lệ.")


def _urlencoded(body: bytes) -> FormInput:
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError as error:
        raise FormDataError(_NOT_UTF8) from error
    except ValueError as error:
        raise FormDataError("Biểu mẫu có quá nhiều trường.") from error
    return FormInput(fields=dict(pairs))


_NOT_UTF8 = "Văn bản gửi lên không đúng mã UTF-8; xin nhập lại bằng bàn phím tiếng Việt Unicode."


class _Multipart:
    """multipart/form-data into text fields (strict UTF-8) and uploads (bytes)."""

    def __init__(self, boundary: bytes, *, max_files: int) -> None:
        self._boundary, self._max_files = boundary, max_files
        self._result = FormInput()
        self._parts = 0
        self._header_name = self._header_value = b""
        self._disposition = b""
        self._data = bytearray()

    def parse(self, body: bytes) -> FormInput:
        callbacks = {
            "on_part_begin": self._begin,
            "on_part_data": self._chunk,
            "on_part_end": self._end,
            "on_header_field": lambda d, s, e: self._add_header(name=d[s:e]),
            "on_header_value": lambda d, s, e: self._add_header(value=d[s:e]),
            "on_header_end": self._header_end,
        }
        try:
            parser = MultipartParser(self._boundary, callbacks)  # type: ignore[arg-type]
            parser.write(body)
            parser.finalize()
        except FormParserError as error:
            raise FormDataError("Dữ liệu biểu mẫu bị hỏng, xin gửi lại.") from error
        return self._result

    def _begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_FIELDS + self._max_files:
            raise FormDataError("Biểu mẫu có quá nhiều trường.")
        self._disposition, self._data = b"", bytearray()

    def _chunk(self, data: bytes, start: int, end: int) -> None:
        self._data.extend(data[start:end])

    def _add_header(self, *, name: bytes = b"", value: bytes = b"") -> None:
        self._header_name += name
        self._header_value += value

    def _header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def _end(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = _text(options.get(b"name", b""))
        if b"filename" not in options:
            self._result.fields[name] = _text(bytes(self._data))
            return
        filename = _text(options[b"filename"])
        if not filename and not self._data:
            return  # a file input left empty
        self._result.uploads.append(Upload(field=name, filename=filename, data=bytes(self._data)))


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormDataError(_NOT_UTF8) from error
