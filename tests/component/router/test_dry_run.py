"""The dry run's routing (services/router/dry_run.py) is the router's: the same use case, on
the in-memory store, deciding and saying what the running router publishes."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from schemas.events import CaseAccepted, CaseFacts, GeoPoint, Submitter
from schemas.timezone import VIETNAM
from services.router.dry_run import route_dry
from tests.unit.router.lifecycle_support import (
    DISTRICT,
    LAND_RULE,
    RECEIVED,
    VAGUE,
    RouterHarness,
)
from tests.unit.router.memory_support import packaged_core

ITEMS = {"district": DISTRICT, "land": LAND_RULE, "vague": VAGUE}


def accepted(case_id: str, item: dict[str, str], **submitter: Any) -> CaseAccepted:
    """As `RouterHarness.accept` builds it."""
    facts = CaseFacts(
        case_id=case_id,
        tracking_code=f"GL-{case_id.upper()}",
        channel="web",
        received_at=RECEIVED,
        submitter=Submitter(
            **{"name": "Trần Văn Bình", "address": "xã Ia Kha, huyện Ia Grai", **submitter}
        ),
        **item,
    )
    return CaseAccepted(correlation_id=case_id, case=facts)


def _decided(routed: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in routed.items() if k not in {"event_id", "occurred_at"}}


def test_the_dry_run_routes_without_an_event_loop() -> None:
    routed = route_dry(accepted("c1", DISTRICT), core=packaged_core())
    assert (routed.agency, routed.agency_name, routed.hop) == ("IGR", "UBND huyện Ia Grai", 1)
    assert (routed.case_class, routed.kind, routed.decided_by) == (
        "behaviour",
        "phan_anh",
        "router",
    )
    assert (routed.deadlines.classify, routed.deadlines.forward, routed.deadlines.answer) == (
        date(2023, 3, 9),
        date(2023, 3, 13),
        date(2023, 3, 20),
    )
    assert routed.rule_id and routed.reason_vi


def test_a_map_point_places_a_case_without_an_address() -> None:
    """As tests/unit/router/test_map_point.py: the router's step the old dry run left out."""
    facts = CaseFacts(
        case_id="c1",
        tracking_code="GL-2345-6789",
        channel="web",
        received_at=datetime(2026, 11, 16, 9, 0, tzinfo=VIETNAM),
        submitter=Submitter(name="Người thử", phone="0905123456"),
        title="Không nhận chứng thực buổi chiều",
        content=(
            "Bộ phận một cửa chỉ nhận chứng thực bản sao buổi sáng, buổi chiều không nhận. "
            "Đề nghị lãnh đạo kiểm tra, nhắc nhở cán bộ."
        ),
        location=GeoPoint(lat=13.7843, long=109.233),
    )
    routed = route_dry(CaseAccepted(correlation_id="c1", case=facts), core=packaged_core())
    assert routed.agency == "X21583"  # phường Quy Nhơn, the commune nearest the point


async def test_the_dry_run_decides_what_the_running_router_publishes(tmp_path: Path) -> None:
    router = await RouterHarness.start(tmp_path)
    try:
        for case_id, item in ITEMS.items():
            await router.accept(case_id, item)
        published = await router.published(event_type="case.routed")
    finally:
        await router.close()
    dry = [
        route_dry(accepted(case_id, item), core=packaged_core()) for case_id, item in ITEMS.items()
    ]
    assert [_decided(json.loads(r.model_dump_json())) for r in dry] == [
        _decided(p) for p in published
    ]
    assert [r.agency for r in dry] == ["IGR", "STNMT", "TRIAGE"]
