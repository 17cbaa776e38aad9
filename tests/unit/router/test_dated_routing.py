"""Routing under the structure in force on the item's date (issue 9, domain.md §8)."""

from __future__ import annotations

from datetime import date

import pytest

from services.router.core import RouterCore, load_core
from services.router.domain.classify import TRIAGE, RoutingDecision, RoutingInput

ROADS = (
    "Đề nghị Sở Giao thông vận tải sửa quy định về cấp giấy phép lái xe, thủ tục đổi giấy "
    "phép lái xe còn rườm rà, đăng kiểm xe phải chờ lâu."
)
LAND_IA_KHA = (
    "UBND xã Ia Kha, huyện Ia Grai chậm cấp giấy chứng nhận quyền sử dụng đất cho hộ gia đình "
    "tôi, hồ sơ nộp từ lâu đã quá hạn nhưng chưa được giải quyết."
)


@pytest.fixture(scope="module")
def core() -> RouterCore:
    return load_core()


def _route(core: RouterCore, content: str, day: date, address: str = "") -> RoutingDecision:
    return core.route(RoutingInput(content=content, address=address, received_on=day))


@pytest.mark.parametrize(
    ("day", "agency", "version"),
    [
        (date(2025, 2, 28), "SGTVT", "2023.2"),
        (date(2025, 3, 1), "SXD", "2025.3"),
        (date(2025, 6, 30), "SXD", "2025.3"),
        (date(2025, 7, 1), "SXD", "2025.7"),
        (date(2026, 11, 30), "SXD", "2025.7"),
    ],
)
def test_a_former_department_is_replaced_by_the_one_that_took_its_field(
    core: RouterCore, day: date, agency: str, version: str
) -> None:
    decision = _route(core, ROADS, day)
    assert (decision.agency, decision.rules_version) == (agency, version)
    if agency == "SXD":
        assert any("Sở Giao thông vận tải (cũ) → Sở Xây dựng" in r for r in decision.reasons)


@pytest.mark.parametrize(
    ("day", "agency"),
    [
        (date(2025, 2, 28), "IGR"),
        (date(2025, 6, 30), "IGR"),  # the districts stand until the communes begin
        (date(2025, 7, 1), "X23764"),  # thị trấn Ia Kha is now part of xã Ia Grai
    ],
)
def test_a_local_matter_goes_to_the_district_then_to_the_commune_covering_the_place(
    core: RouterCore, day: date, agency: str
) -> None:
    decision = _route(core, LAND_IA_KHA, day)
    assert decision.agency == agency
    if agency.startswith("X"):
        assert any("địa chỉ cũ" in r and "xã Ia Grai" in r for r in decision.reasons)


def test_a_place_of_the_former_binh_dinh_by_its_new_name(core: RouterCore) -> None:
    decision = _route(
        core,
        "UBND phường Quy Nhơn Bắc chậm cấp giấy phép xây dựng nhà ở riêng lẻ cho gia đình tôi, "
        "đã quá hạn hai tháng.",
        date(2026, 11, 20),
    )
    assert decision.agency == "X21553"


def test_a_former_district_alone_goes_to_triage_unless_the_address_settles_it(
    core: RouterCore,
) -> None:
    text = (
        "UBND huyện Tuy Phước chậm cấp giấy chứng nhận quyền sử dụng đất cho hộ gia đình tôi, "
        "đã quá hạn."
    )
    alone = _route(core, text, date(2026, 10, 5))
    assert alone.agency == TRIAGE
    settled = _route(core, text, date(2026, 10, 5), address="thôn Vinh Thạnh, xã Tuy Phước Bắc")
    assert settled.agency == "X21964"


def test_today_s_department_names_are_understood(core: RouterCore) -> None:
    decision = _route(
        core,
        "Đề nghị Sở Nông nghiệp và Môi trường sửa quy định về hạn mức giao đất, bảng giá đất "
        "của tỉnh chưa phù hợp.",
        date(2026, 6, 1),
    )
    assert decision.agency == "SNNMT"


def test_an_agency_that_held_the_case_is_not_chosen_again(core: RouterCore) -> None:
    item = RoutingInput(content=ROADS, received_on=date(2026, 1, 5))
    assert core.route(item).agency == "SXD"
    assert core.route(item, exclude=frozenset({"SXD"})).agency != "SXD"
