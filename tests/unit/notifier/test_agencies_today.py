"""Public pages on today's structure (issue 9 part 5): a filter by today's agency includes
its predecessors' cases, former agencies are named "(cũ)", statistics fold old agencies into
the one doing their work today, and e-mails name the office from settings (the pages and
feeds themselves, on SQLite: tests/component/notifier/test_agencies_today.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.notifier.catalog import parse_filters
from services.notifier.directory import filter_choices, is_former, lineage, shown_name, using
from services.notifier.mail import compose, use_office
from services.notifier.models import PublicCase
from services.notifier.public import agency_vi
from services.notifier.stats import facts_of
from tests.unit.notifier.reference_data import packaged_directory

TODAY = date(2026, 11, 20)
BEFORE_MERGER = date(2025, 2, 1)


@pytest.fixture(autouse=True)
def _router_directory() -> Iterator[None]:
    """The pure functions below speak of the directory the router published."""
    with using(packaged_directory()):
        yield


def _case(**changes: Any) -> PublicCase:
    fields: dict[str, Any] = {
        "case_id": "c",
        "tracking_code": "GL-2222-2222",
        "channel": "web",
        "received_at": datetime(2023, 5, 18, 2, 30, tzinfo=UTC),
        "status": "routed",
        "agency": "SGTVT",
        "agency_name": "Sở Giao thông vận tải",
        "title": "",
        "content": "",
    }
    return PublicCase(**{**fields, **changes})


def test_todays_department_includes_its_former_departments() -> None:
    assert set(lineage("SNNMT", TODAY)) == {"SNNMT", "SNN", "STNMT", "SLDTBXH"}
    assert set(lineage("SXD", TODAY)) == {"SXD", "SGTVT"}
    # Sở Nội vụ still exists: its cases are not Sở Dân tộc và Tôn giáo's.
    assert set(lineage("SDTTG", TODAY)) == {"SDTTG", "BDT"}
    # Old codes and communes keep their own cases only (a district went to many communes).
    assert lineage("STNMT", TODAY) == ("STNMT",)
    assert lineage("PLK", TODAY) == ("PLK",)
    assert lineage("X23575", TODAY) == ("X23575",)
    # Before the merger, nothing is folded.
    assert lineage("SXD", BEFORE_MERGER) == ("SXD",)


def test_the_filter_by_code_carries_the_predecessors() -> None:
    filters = parse_filters(co_quan="snnmt")
    assert filters.agency == "SNNMT" and "STNMT" in filters.agency_codes
    assert filters.params() == {"co_quan": "SNNMT"}  # the link stays the code typed


def test_former_agencies_are_named_former() -> None:
    assert is_former("SGTVT", TODAY) and not is_former("SNV", TODAY)
    assert not is_former("TRIAGE", TODAY) and not is_former(None, TODAY)
    assert agency_vi(_case(), TODAY) == "Sở Giao thông vận tải (cũ)"
    assert agency_vi(_case(), BEFORE_MERGER) == "Sở Giao thông vận tải"
    assert shown_name("PLK", "UBND thành phố Pleiku", TODAY) == "UBND thành phố Pleiku (cũ)"
    assert shown_name("SXD", "Sở Xây dựng", TODAY) == "Sở Xây dựng"
    assert shown_name("X23575", None, TODAY) == "UBND phường Pleiku"


def test_statistics_fold_a_former_department_into_todays() -> None:
    gtvt = facts_of(_case(), TODAY)
    assert (gtvt.agency, gtvt.agency_name) == ("SXD", "Sở Xây dựng")
    # A split department: the case's words choose the share (poverty → SNNMT).
    poor = _case(agency="SLDTBXH", agency_name="Sở Lao động - Thương binh và Xã hội")
    poor.content = "Thủ tục công nhận hộ nghèo, hộ cận nghèo còn rườm rà"
    assert facts_of(poor, TODAY).agency == "SNNMT"
    district = facts_of(_case(agency="PLK", agency_name="UBND thành phố Pleiku"), TODAY)
    assert (district.agency, district.agency_name) == ("PLK", "UBND thành phố Pleiku (cũ)")
    assert facts_of(_case(), BEFORE_MERGER).agency == "SGTVT"


def test_the_filter_list_groups_todays_and_former_agencies() -> None:
    in_use = [("STNMT", "Sở Tài nguyên và Môi trường"), ("SXD", "Sở Xây dựng")]
    groups = dict(filter_choices(in_use, TODAY))
    [current, former] = groups.values()
    assert ("SNNMT", "Sở Nông nghiệp và Môi trường") in current
    assert ("SXD", "Sở Xây dựng") in current and ("SGTVT", "Sở Giao thông vận tải") not in current
    assert former == [("STNMT", "Sở Tài nguyên và Môi trường (cũ)")]


def test_e_mails_name_the_office_of_the_settings() -> None:
    values = {
        "name": "Nguyễn Văn A",
        "tracking_code": "GL-2222-2222",
        "hotline": "0256 3 000 000",
        "status_url": "https://pakn.example/tra-cuu/GL-2222-2222",
        "received_at": "08:00 01/08/2025",
    }
    try:
        use_office(province="Tỉnh Thử", office_name="Văn phòng Thử", office_address="1 Đường Thử")
        mail = compose("receipt", **values)
    finally:
        use_office(
            province="Gia Lai",
            office_name="Văn phòng UBND tỉnh Gia Lai",
            office_address="35 Lê Lợi, phường Quy Nhơn, tỉnh Gia Lai",
        )
    assert mail.subject.startswith("[PAKN Tỉnh Thử]")
    assert "Văn phòng Thử" in mail.text and "Văn phòng Thử" in mail.html
    assert "1 Đường Thử" in mail.html and "Gia Lai" not in mail.text
