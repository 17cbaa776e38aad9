"""An item that gives a map point and no address (an Open311 request) is routed to the
commune nearest the point; a point outside the province changes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

from schemas.events import CaseFacts, GeoPoint, Submitter
from schemas.submission import Channel
from schemas.timezone import VIETNAM
from services.intake.case_record import location
from services.router.core import load_core
from services.router.domain.calendar import local_date
from services.router.domain.classify import RoutingInput
from services.router.structure.centres import commune_near
from services.router.usecases import placed

CONTENT = (
    "Bộ phận một cửa chỉ nhận chứng thực bản sao buổi sáng, buổi chiều không nhận, trong khi "
    "bảng niêm yết không có thông báo nào. Đề nghị lãnh đạo kiểm tra, nhắc nhở cán bộ."
)


def _facts(point: GeoPoint | None, address: str = "") -> CaseFacts:
    return CaseFacts(
        case_id="c1",
        tracking_code="GL-2345-6789",
        channel=Channel.WEB,
        received_at=datetime(2026, 11, 16, 9, 0, tzinfo=VIETNAM),
        submitter=Submitter(name="Người thử", phone="0905123456", address=address),
        title="Không nhận chứng thực buổi chiều",
        content=CONTENT,
        location=point,
    )


@pytest.mark.parametrize(
    ("lat", "long", "code"),
    [(13.7843, 109.233, "21583"), (13.788, 109.167, "21553"), (13.99, 108.01, "23584")],
)
def test_a_point_in_the_province_finds_its_commune(lat: float, long: float, code: str) -> None:
    near = commune_near(lat, long)
    assert near is not None and near.commune.code == code


@pytest.mark.parametrize(("lat", "long"), [(10.77, 106.70), (13.75, 109.45), (21.03, 105.85)])
def test_a_point_outside_the_province_is_no_place(lat: float, long: float) -> None:
    assert commune_near(lat, long) is None  # Sài Gòn, the sea off Quy Nhơn, Hà Nội


def test_a_case_with_a_point_and_no_address_goes_to_that_commune() -> None:
    def route(facts: CaseFacts) -> str:
        return (
            load_core()
            .route(
                RoutingInput(
                    title=facts.title,
                    content=facts.content,
                    address=facts.submitter.address,
                    received_on=local_date(facts.received_at),
                )
            )
            .agency
        )

    facts = placed(_facts(GeoPoint(lat=13.7843, long=109.233)))
    assert facts.submitter.address.startswith("phường Quy Nhơn (theo tọa độ")
    assert route(facts) == "X21583"
    assert route(_facts(None)) != "X21583"  # without the point, no commune is named


def test_an_address_wins_over_a_point_and_a_far_point_changes_nothing() -> None:
    written = _facts(GeoPoint(lat=13.7843, long=109.233), address="thôn 3, xã Ia Kha")
    assert placed(written) == written
    far = _facts(GeoPoint(lat=10.77, long=106.70))
    assert placed(far) == far


def test_intake_passes_on_only_a_real_point() -> None:
    assert location({"lat": "13.78", "long": "109.23"}) == GeoPoint(lat=13.78, long=109.23)
    for extra in ({}, {"lat": "13.78"}, {"lat": "abc", "long": "1"}, {"lat": "nan", "long": "1"},
                  {"lat": "91", "long": "1"}):  # fmt: skip
        assert location(extra) is None
