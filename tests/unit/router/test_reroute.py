"""After a transfer the rules pick the next competent agency, never one that held the case."""

from __future__ import annotations

from datetime import date

import pytest

from services.router.core import RouterCore, load_core
from services.router.domain.classify import RoutingInput

BUILDING_ON_LAND = RoutingInput(
    title="Thủ tục cấp giấy phép xây dựng trên đất nông nghiệp",
    content=(
        "Quy định của UBND tỉnh về cấp giấy phép xây dựng nhà ở trên đất đã chuyển mục đích sử "
        "dụng đất chưa rõ ràng, hồ sơ chuyển mục đích sử dụng đất và giấy chứng nhận quyền sử "
        "dụng đất phải nộp nhiều lần; đề nghị sửa đổi quy định."
    ),
    received_on=date(2023, 3, 1),
)


@pytest.fixture(scope="module")
def core() -> RouterCore:
    return load_core()


@pytest.mark.parametrize(
    ("tried", "expected"),
    [
        (frozenset(), "SXD"),
        (frozenset({"SXD"}), "STNMT"),
        (frozenset({"SXD", "STNMT"}), "TRIAGE"),
    ],
)
def test_excluded_agencies_are_skipped(
    core: RouterCore, tried: frozenset[str], expected: str
) -> None:
    decision = core.route(BUILDING_ON_LAND, exclude=tried)
    assert decision.agency == expected
    assert decision.agency not in tried
