"""Composing e-mails (plain text and HTML); the use cases stage them
(`projection_shared.stage`) and the mailer sends what is staged.

Each template has a typed message (`services/notifier/messages.py`); `check_templates`,
called when the notifier starts, proves that every template renders and names exactly its
message's fields, so that staging a message inside a consumer's transaction cannot fail on
a template."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, fields
from pathlib import Path
from types import NoneType, UnionType
from typing import get_args, get_type_hints

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateSyntaxError,
    meta,
    nodes,
)

from services.notifier.errors import MailTemplateError
from services.notifier.messages import MESSAGES, Mail

_FOLDER = Path(__file__).parent / "templates" / "email"


def _environments(folder: Path) -> tuple[Environment, Environment]:
    """The plain-text and the HTML environment over one folder of templates."""
    text = Environment(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        autoescape=False,  # the plain-text part; the HTML part below escapes everything
        keep_trailing_newline=True,
    )
    html = Environment(loader=FileSystemLoader(folder), undefined=StrictUndefined, autoescape=True)
    text.globals.update(_OFFICE)
    html.globals.update(_OFFICE)
    return text, html


# The province and its office as every e-mail names them; `use_office` sets them from the
# notifier's settings (province_name, office_name) at start-up.
_OFFICE = {
    "province": "Gia Lai",
    "office_name": "Văn phòng UBND tỉnh Gia Lai",
    "office_address": "35 Lê Lợi, phường Quy Nhơn, tỉnh Gia Lai",  # settings' placeholder
}
_TEXT, _HTML = _environments(_FOLDER)


def use_office(*, province: str, office_name: str, office_address: str) -> None:
    """Name this province and office in the e-mails composed from now on."""
    _OFFICE.update(province=province, office_name=office_name, office_address=office_address)
    _TEXT.globals.update(_OFFICE)
    _HTML.globals.update(_OFFICE)


_SPACES = re.compile(r"\s+")

SUBJECTS = {
    "receipt": "[PAKN {province}] Đã tiếp nhận phản ánh, kiến nghị — mã {tracking_code}",
    "refusal": "[PAKN {province}] Không tiếp nhận phản ánh, kiến nghị — mã {tracking_code}",
    "forwarding": "[PAKN {province}] Phản ánh, kiến nghị mã {tracking_code} đã được chuyển đến {agency_name}",
    "transfer": "[PAKN {province}] Phản ánh, kiến nghị mã {tracking_code} được chuyển sang {to_agency_name}",
    "assignment": "[PAKN {province}] Chuyển xử lý phản ánh, kiến nghị mã {tracking_code}",
    "national": "[PAKN {province}] Chuyển Hệ thống PAKN quốc gia phản ánh, kiến nghị mã {tracking_code}",
    "digest": "[PAKN {province}] {heading} — ngày {day}",
    "info_request": "[PAKN {province}] Đề nghị bổ sung thông tin — mã {tracking_code}",
    "extension": "[PAKN {province}] Gia hạn trả lời phản ánh, kiến nghị mã {tracking_code}",
    "answer": "[PAKN {province}] Trả lời phản ánh, kiến nghị mã {tracking_code}",
}

# Who each template is for, in the office's words (the delivery page shows it).
PURPOSE_VI = {
    "receipt": "Giấy báo tiếp nhận (người gửi)",
    "refusal": "Thông báo không tiếp nhận (người gửi)",
    "forwarding": "Thông báo chuyển xử lý (người gửi)",
    "transfer": "Thông báo chuyển cơ quan (người gửi)",
    "assignment": "Giao xử lý (cơ quan)",
    "national": "Chuyển Hệ thống PAKN quốc gia (bộ, ngành)",
    "digest": "Tổng hợp nhắc hạn, quá hạn trong ngày (cơ quan, Văn phòng UBND tỉnh)",
    "info_request": "Đề nghị bổ sung thông tin (người gửi)",
    "extension": "Thông báo gia hạn (người gửi)",
    "answer": "Văn bản trả lời (người gửi)",
}


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def compose(template: str, **values: object) -> Composed:
    """Subject, plain-text and HTML bodies of one template, filled with `values`.

    The untyped form, for tests and the start-up check; the consumers stage a typed
    message (`render`, `projection_shared.stage`)."""
    return _compose(_TEXT, _HTML, template, values)


def render(message: Mail) -> Composed:
    """Subject, plain-text and HTML bodies of one typed message."""
    return compose(message.template, **message.values())


def _compose(
    text: Environment, html: Environment, template: str, values: dict[str, object]
) -> Composed:
    subject = _SPACES.sub(" ", SUBJECTS[template].format(**{**_OFFICE, **values})).strip()
    return Composed(
        subject=subject[:300],
        text=text.get_template(f"{template}.txt").render(**values),
        html=html.get_template(f"{template}.html").render(subject=subject, **values),
    )


# --- the start-up check ---------------------------------------------------------------

_PARSER = Environment()  # parses only: no office globals, so every name a template uses shows
_GIVEN_TO_HTML = {"subject"}  # `compose` passes the composed subject to the HTML part


def check_templates(folder: Path | None = None) -> None:
    """Render every message type with sample values (text, HTML and subject, StrictUndefined)
    and check that each template's variables are exactly its message's fields.

    Raises `MailTemplateError` listing every problem, each naming the template and the
    variable. `folder` defaults to the notifier's own templates (with the office of
    `use_office`)."""
    text, html = (_TEXT, _HTML) if folder is None else _environments(folder)
    problems = _coverage(html)
    for message in MESSAGES:
        found = _check_names(html, message)
        problems += found or _check_rendering(text, html, message)
    if problems:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        raise MailTemplateError(f"e-mail templates do not match their messages:\n{lines}")


def _coverage(env: Environment) -> list[str]:
    """Every template has a message type, a subject and a purpose, and the reverse."""
    names = [name for name in env.list_templates() if name.endswith((".txt", ".html"))]
    parents: set[str] = set()
    for name in names:
        try:
            parents.update(p for p in meta.find_referenced_templates(_parse(env, name)) if p)
        except TemplateSyntaxError:
            continue  # `_check_names` names it
    templates = {name.rsplit(".", 1)[0] for name in names if name not in parents}
    typed = {message.template for message in MESSAGES}
    problems = [
        f"template {name!r} has no message type in messages.py"
        for name in sorted(templates - typed)
    ]
    problems += [
        f"message type for {name!r} has no template files" for name in sorted(typed - templates)
    ]
    for table, label in ((SUBJECTS, "SUBJECTS"), (PURPOSE_VI, "PURPOSE_VI")):
        problems += [
            f"template {name!r} has no entry in {label}" for name in sorted(typed - set(table))
        ]
        problems += [
            f"{label} names {name!r}, which has no message type"
            for name in sorted(set(table) - typed)
        ]
    return problems


def _parse(env: Environment, name: str) -> nodes.Template:
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return _PARSER.parse(source, name=name)


def _variables(env: Environment, name: str) -> set[str]:
    """The names a template reads from its context, with those of the templates it extends."""
    tree = _parse(env, name)
    names = set(meta.find_undeclared_variables(tree))
    for parent in meta.find_referenced_templates(tree):
        if parent is None:
            raise MailTemplateError(f"template {name}: only literal template names can be checked")
        names |= _variables(env, parent)
    return names


def _check_names(env: Environment, message: type[Mail]) -> list[str]:
    template, kind = message.template, message.__name__
    declared = {field.name for field in fields(message)}
    supplied = declared | set(_OFFICE)
    problems: list[str] = []
    used: set[str] = set()
    parts = {f"{template}.txt": set[str](), f"{template}.html": _GIVEN_TO_HTML}
    for part, given in parts.items():
        try:
            names = _variables(env, part) - given
        except Exception as error:  # missing file, syntax error: name it and go on
            problems.append(f"template {part}: {type(error).__name__}: {error}")
            continue
        used |= names
        problems += [
            f"template {part} uses {{{{ {name} }}}}, which {kind} does not declare"
            for name in sorted(names - supplied)
        ]
    subject = {
        field for _, field, _, _ in string.Formatter().parse(SUBJECTS.get(template, "")) if field
    }
    used |= subject
    problems += [
        f"subject of {template!r} uses {{{name}}}, which {kind} does not declare"
        for name in sorted(subject - supplied)
    ]
    problems += [
        f"{kind} declares {name!r}, which template {template!r} never uses"
        for name in sorted(declared - used)
    ]
    return problems


def _check_rendering(text: Environment, html: Environment, message: type[Mail]) -> list[str]:
    """Render with every field given, then with every field empty (both sides of each `if`)."""
    problems: list[str] = []
    for filled in (True, False):
        try:
            _compose(text, html, message.template, _sample(message, filled=filled))
        except Exception as error:
            problems.append(
                f"template {message.template!r} does not render a sample {message.__name__}: "
                f"{type(error).__name__}: {error}"
            )
    return problems


def _sample(message: type[Mail], *, filled: bool) -> dict[str, object]:
    hints = get_type_hints(message)
    values: dict[str, object] = {}
    for field in fields(message):
        kind = hints[field.name]
        options = set(get_args(kind)) if isinstance(kind, UnionType) else {kind}
        if not filled and NoneType in options:
            values[field.name] = None
        elif bool in options:
            values[field.name] = filled
        elif int in options:
            values[field.name] = 7 if filled else 0
        elif str in options:
            values[field.name] = f"{field.name} mẫu" if filled else ""
        else:
            raise MailTemplateError(f"{message.__name__}.{field.name}: no sample for {kind}")
    return values
