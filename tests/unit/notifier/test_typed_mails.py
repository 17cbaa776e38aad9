"""Typed mails: one message type per template, checked when the notifier starts, so a bad
template stops the start instead of dead-lettering a case event."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from services.notifier import mail
from services.notifier.mail import (
    _FOLDER,
    PURPOSE_VI,
    SUBJECTS,
    MailTemplateError,
    check_templates,
    compose,
    render,
)
from services.notifier.messages import MESSAGES, Digest, Receipt, Transfer
from services.notifier.service import NotifierService
from services.notifier.settings import NotifierSettings
from tests.unit.notifier.builders import BASE

TRANSFER = {
    "name": "Trần Văn Bình",
    "tracking_code": "GL-2222-2222",
    "hotline": "0269 3 822 333",
    "status_url": "http://pakn.test/tra-cuu/GL-2222-2222",
    "from_agency_name": "Sở Giao thông vận tải",
    "to_agency_name": "Sở Xây dựng",
    "reason": "Thuộc thẩm quyền <Sở Xây dựng>",
    "reorganisation": False,
}


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A copy of the real templates, to spoil."""
    folder = tmp_path / "email"
    shutil.copytree(_FOLDER, folder)
    return folder


def _problems(folder: Path) -> str:
    with pytest.raises(MailTemplateError) as caught:
        check_templates(folder)
    return str(caught.value)


def test_every_real_template_matches_its_message() -> None:
    check_templates()
    check_templates(_FOLDER)


def test_there_is_one_message_type_per_template() -> None:
    typed = [message.template for message in MESSAGES]
    assert len(typed) == len(set(typed))
    assert set(typed) == set(SUBJECTS) == set(PURPOSE_VI)
    assert set(typed) == {path.stem for path in _FOLDER.glob("*.txt")}


def test_a_template_with_an_unknown_variable_fails_the_check(templates: Path) -> None:
    part = templates / "transfer.txt"
    part.write_text(part.read_text(encoding="utf-8") + "{{ transfer_date }}\n", encoding="utf-8")
    problems = _problems(templates)
    assert "transfer.txt" in problems and "transfer_date" in problems and "Transfer" in problems
    assert "transfer.html" not in problems  # only the part that is wrong is named


def test_an_unknown_variable_in_the_layout_is_named(templates: Path) -> None:
    layout = templates / "layout.html"
    layout.write_text(
        layout.read_text(encoding="utf-8").replace("</body>", "{{ footer }}</body>"),
        encoding="utf-8",
    )
    problems = _problems(templates)
    assert "receipt.html uses {{ footer }}" in problems and "Receipt" in problems


def test_a_field_the_template_no_longer_uses_fails_the_check(templates: Path) -> None:
    for suffix in ("txt", "html"):
        part = templates / f"info_request.{suffix}"
        part.write_text(
            part.read_text(encoding="utf-8").replace("{{ question }}", ""), encoding="utf-8"
        )
    assert "InfoRequest declares 'question'" in _problems(templates)


def test_a_template_without_a_message_type_fails_the_check(templates: Path) -> None:
    (templates / "apology.txt").write_text("Xin lỗi {{ name }}\n", encoding="utf-8")
    (templates / "apology.html").write_text(
        '{% extends "layout.html" %}{% block body %}{% endblock %}', encoding="utf-8"
    )
    assert "template 'apology' has no message type" in _problems(templates)


def test_a_missing_or_broken_template_fails_the_check(templates: Path) -> None:
    (templates / "digest.html").unlink()
    (templates / "answer.txt").write_text("{% if legal_basis %}\n", encoding="utf-8")
    problems = _problems(templates)
    assert "digest.html: TemplateNotFound" in problems
    assert "answer.txt: TemplateSyntaxError" in problems


def test_a_template_that_fails_to_render_fails_the_check(templates: Path) -> None:
    part = templates / "digest.txt"
    part.write_text("{{ count + lines }}{{ recipient_name }}{{ heading }}{{ overdue }}{{ day }}\n")
    problems = _problems(templates)
    assert "'digest' does not render a sample Digest" in problems


def test_a_bad_template_stops_the_notifier_start(
    templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = templates / "receipt.html"
    part.write_text(part.read_text(encoding="utf-8") + "{{ name }}", encoding="utf-8")
    text, html = mail._environments(templates)
    monkeypatch.setattr(mail, "_TEXT", text)
    monkeypatch.setattr(mail, "_HTML", html)
    settings = NotifierSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'n.db'}",
        public_base_url=BASE,
        mail_dir=tmp_path / "mail",
    )
    with pytest.raises(MailTemplateError, match=r"receipt\.html uses \{\{ name \}\}"):
        NotifierService(settings)


def test_a_typed_message_renders_as_the_template_with_the_same_values() -> None:
    assert render(Transfer(**TRANSFER)) == compose("transfer", **TRANSFER)  # type: ignore[arg-type]
    digest = Digest(
        recipient_name="Văn phòng UBND tỉnh",
        heading="Các phản ánh, kiến nghị quá hạn",
        overdue=True,
        count=2,
        day="08/02/2023",
        lines="GL-2222-2222 — Sở Xây dựng\nGL-3333-3333 — Sở Tài chính",
        more=0,
    )
    assert render(digest) == compose("digest", **dataclasses.asdict(digest))


def test_messages_are_frozen_and_take_only_their_fields() -> None:
    receipt = Receipt(tracking_code="GL-2222-2222", received_at="", hotline="", status_url="")
    with pytest.raises(dataclasses.FrozenInstanceError):
        receipt.tracking_code = "GL-3333-3333"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Receipt(name="Nguyễn Văn A", **receipt.values())  # type: ignore[arg-type, call-arg]
