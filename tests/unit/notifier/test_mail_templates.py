"""Every e-mail has a Vietnamese subject, a plain-text part and an escaped HTML part."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import meta

from services.notifier.mail import _FOLDER, _HTML, PURPOSE_VI, SUBJECTS, compose

HOSTILE = '<script>alert("x")</script> & <b>đậm</b>'
FLAGS = {"reorganisation", "overdue"}  # choose a wording; never shown


def _variables(template: str) -> set[str]:
    names: set[str] = set()
    for suffix in ("txt", "html"):
        source = (_FOLDER / f"{template}.{suffix}").read_text(encoding="utf-8")
        names |= meta.find_undeclared_variables(_HTML.parse(source))
    return names - {"subject"}


@pytest.mark.parametrize("template", sorted(SUBJECTS))
def test_each_template_escapes_every_value_in_html_and_keeps_it_in_text(template: str) -> None:
    values: dict[str, object] = {
        name: False if name in FLAGS else f"{name}: {HOSTILE}" for name in _variables(template)
    }
    values["tracking_code"] = "GL-2222-2222"
    mail = compose(template, **values)
    assert "\n" not in mail.subject
    if template != "digest":  # the digest of the day lists many cases, in its body
        assert "GL-2222-2222" in mail.subject
    assert mail.subject.startswith("[PAKN Gia Lai]")
    assert '<html lang="vi">' in mail.html
    assert "<script>" not in mail.html and "<b>đậm</b>" not in mail.html
    assert "&lt;script&gt;" in mail.html
    for name in values:
        if name != "tracking_code" and name not in FLAGS:
            assert f"{name}: {HOSTILE}" in mail.text, name


def test_every_template_has_both_parts_and_a_purpose() -> None:
    names = {p.stem for p in Path(_FOLDER).glob("*.txt")}
    assert names == set(SUBJECTS) == set(PURPOSE_VI)
    assert {p.stem for p in Path(_FOLDER).glob("*.html")} == names | {"layout"}


def test_the_refusal_says_why_and_where_to_go() -> None:
    mail = compose(
        "refusal",
        name="Trần Văn Bình",
        tracking_code="GL-2222-2222",
        message="Nội dung là khiếu nại.",
        guidance="Thanh tra tỉnh Gia Lai hoặc Ban Tiếp công dân tỉnh",
        hotline="0269 3 822 333",
        status_url="http://pakn.test/tra-cuu/GL-2222-2222",
    )
    assert "Không tiếp nhận" in mail.subject
    for part in (mail.text, mail.html):
        assert "Nội dung là khiếu nại." in part and "Thanh tra tỉnh Gia Lai" in part
        assert "Kính gửi Trần Văn Bình" in part


@pytest.mark.parametrize("reorganisation", [False, True])
def test_a_transfer_by_reorganisation_keeps_the_deadline(reorganisation: bool) -> None:
    mail = compose(
        "transfer",
        tracking_code="GL-2222-2222",
        from_agency_name="Sở Giao thông vận tải",
        to_agency_name="Sở Xây dựng",
        reason="Sắp xếp tổ chức bộ máy",
        reorganisation=reorganisation,
        name="",
        status_url="http://pakn.test/tra-cuu/GL-2222-2222",
        hotline="0256 3 822 333",
    )
    for part in (mail.text, mail.html):
        assert ("Thời hạn trả lời không thay đổi" in part) is reorganisation
        assert ("được tính lại" in part) is not reorganisation
