"""The report's SQL on PostgreSQL (issue 14): a migrated database, cases accepted (one
routed by the router's own pipeline), refused (read from `CaseRefused` events), answered on
time and late, transferred; the figures computed, and the page viewed (its audit entry)."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select

from schemas.events import CaseAccepted, CaseFacts, Submitter
from services.kit.consumer import Pipeline
from services.kit.transport import InMemoryBus, Message
from services.router.console.accounts import create_account
from services.router.emit import agency_name
from services.router.models import AuditEntry, RefusedItem, RoutedCase
from services.router.reports.figures import NO_REGULATION, Report, compute
from services.router.reports.period import quarter_of
from services.router.service import RouterService
from services.router.settings import RouterSettings
from tests.component.router.report_seed import REFUSALS, REG, TODAY, add_cases, refused_event
from tests.component.router.report_seed import at as _at

PASSWORD = "mật-khẩu-đủ-dài-2023"
LAND = CaseFacts(  # routed by the rules to SNNMT (STNMT's successor in 2026)
    case_id="a1",
    tracking_code="GL-A1",
    channel="portal",
    received_at=_at("2026-02-16T09:00+07:00"),
    submitter=Submitter(name="Trần Văn Bình", address="xã Ia Kha", phone="0914 222 333"),
    title="Kiến nghị sửa quy định về hạn mức đất ở",
    content=(
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi hạn mức."
    ),
)


async def _seed(router: RouterService) -> None:
    async with router.db.transaction() as session:
        add_cases(session)
    pipeline = router.subscriptions(publisher=InMemoryBus())[0].handler
    assert isinstance(pipeline, Pipeline)
    topic = router.core.topics.case_events
    events = [
        CaseAccepted(correlation_id="a1", case=LAND),
        *(refused_event(*refusal) for refusal in REFUSALS),
        refused_event(*REFUSALS[0]),  # the same case refused again under another event id
    ]
    await pipeline(Message(topic=topic, value=events[0].model_dump_json().encode()))
    # The refusals in one batch, as the consumer reads them (one transaction).
    await pipeline.consume(
        [Message(topic=topic, value=e.model_dump_json().encode()) for e in events[1:]]
    )


async def _report(router: RouterService, agency: str | None) -> Report:
    async with router.db.session() as session:
        return await compute(
            session,
            agency=agency,
            period=quarter_of(2026, 1),
            today=TODAY,
            calendar=router.core.calendar,
            agencies=router.core.agencies,
            name_of=lambda code: agency_name(router.core, code),
        )


async def test_a_quarter_s_report_on_postgresql(pg_url: str) -> None:
    router = RouterService(
        RouterSettings(database_url=pg_url, topic_namespace="r"), today=lambda: TODAY
    )
    try:
        await _seed(router)
        async with router.db.session() as session:
            routed = await session.get(RoutedCase, "a1")
            assert routed is not None and routed.agency == "SNNMT"
            assert routed.due_answer < TODAY  # in hand and overdue now
            kept = (await session.exec(select(RefusedItem))).all()
        assert sorted(r.case_id for r in kept) == ["r1", "r2", "r3", "r4"]

        report = await _report(router, None)
        t = report.total
        assert t.received == 6  # c1, c2, c3, c4 (the quarter's last minutes), c6, a1
        assert (t.answered, t.on_time, t.late) == (2, 1, 1)
        assert t.answer_days == [6, 14] and t.average_days == 10.0
        assert (t.open_now, t.overdue_now) == (5, 4)  # c3, c4, c5, c6, a1; c4 alone is due later
        assert t.transferred_in == 1
        channels = {row.key: row.count for row in report.by_channel}
        assert channels == {"web": 2, "portal": 1, "email": 1, "hotline": 1, "post": 1}
        assert [(r.label, r.count) for r in report.by_regulation] == [
            (REG, 2),  # " REG " trimmed by the SQL
            (NO_REGULATION, 4),
        ]
        refused = {row.key: row.count for row in report.refused_by_reason if row.count}
        assert refused == {"missing_contact": 1, "duplicate": 2}  # r4 is in the next quarter
        assert (report.refused, report.received_all) == (3, 9)

        lines = {s.code: s for s in report.lines}
        assert (lines["STNMT"].received, lines["STNMT"].transferred_out) == (2, 1)
        assert (lines["SNNMT"].received, lines["SNNMT"].overdue_now) == (1, 1)
        assert (lines["STP"].received, lines["STP"].transferred_in) == (2, 1)
        stp = await _report(router, "STP")
        assert (stp.total.received, stp.total.open_now, stp.total.overdue_now) == (2, 2, 1)
        assert stp.refused_by_reason == []

        await _page_view_is_audited(router)
    finally:
        await router.db.dispose()


async def _page_view_is_audited(router: RouterService) -> None:
    async with router.db.transaction() as session:
        await create_account(
            session,
            username="gs.vpub",
            password=PASSWORD,
            agency="VPUB",
            role="supervisor",
            agencies=router.core.agencies,
        )
    transport = httpx.ASGITransport(app=router.web())
    async with httpx.AsyncClient(transport=transport, base_url="https://pakn.test") as client:
        form = (await client.get("/can-bo/dang-nhap")).text
        token = re.search(r'name="login_token" value="([^"]+)"', form)
        assert token
        data = {"username": "gs.vpub", "password": PASSWORD, "login_token": token.group(1)}
        assert (await client.post("/can-bo/dang-nhap", data=data)).status_code == 303
        page = await client.get("/can-bo/bao-cao", params={"nam": "2026", "quy": "1"})
        assert page.status_code == 200
        assert "Trùng với một phản ánh, kiến nghị đã tiếp nhận</th><td>2</td>" in page.text
        workbook = await client.get("/can-bo/bao-cao.xlsx", params={"nam": "2026", "quy": "1"})
        assert workbook.status_code == 200
    async with router.db.session() as session:
        query = select(AuditEntry.detail).where(AuditEntry.action == "report")
        assert sorted((await session.exec(query)).all()) == [
            "page TINH 2026-Q1",
            "xlsx TINH 2026-Q1",
        ]
