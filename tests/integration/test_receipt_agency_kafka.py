"""Issue 14 on real Kafka and PostgreSQL: the intake follows the case-event topic in its own
consumer group and its receipt names the agency the router chose, with the router's date."""

from __future__ import annotations

import httpx
from sqlmodel import select

from schemas.events import SubmissionReceived
from schemas.topics import Topics
from services.intake.models import CaseRouting, IntakeCase
from services.intake.service import IntakeService
from services.notifier.models import PublicCase
from services.notifier.service import NotifierService
from tests.integration.conftest import running, three_services
from tests.integration.test_flow_e2e import SUBMISSION
from tests.support import MailSink, eventually, produce


async def test_the_receipt_names_the_agency_the_router_chose(
    kafka: str, topics: Topics, smtp: tuple[int, MailSink]
) -> None:
    intake, router, notifier = await three_services(
        kafka, topics, smtp_port=smtp[0], public_base_url="https://pakn.gialai.gov.vn"
    )
    async with running(kafka, intake, router, notifier):
        event = SubmissionReceived(correlation_id="WEB-RECEIPT-1", submission=SUBMISSION)
        await produce(kafka, topics.intake, [event.model_dump_json().encode()])
        routing = await eventually(lambda: _routing(intake), what="the intake's routing row")
        public = await eventually(lambda: _public(notifier), what="the notifier's routing")
        case = await _case(intake)
        transport = httpx.ASGITransport(app=intake.web())
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            page = (await client.get(f"/bien-nhan/{case.tracking_code}")).text
    assert (routing.agency, routing.agency_name) == (public.agency, public.agency_name)
    assert routing.due_answer == public.due_answer and routing.agency != "TRIAGE"
    assert f'id="co-quan"><strong>{public.agency_name}</strong>' in page
    assert f"chậm nhất ngày <strong>{routing.due_answer:%d/%m/%Y}</strong>" in page


async def _case(intake: IntakeService) -> IntakeCase:
    async with intake.db.session() as session:
        (case,) = (await session.exec(select(IntakeCase))).all()
        return case


async def _routing(intake: IntakeService) -> CaseRouting | None:
    async with intake.db.session() as session:
        return (await session.exec(select(CaseRouting))).first()


async def _public(notifier: NotifierService) -> PublicCase | None:
    async with notifier.db.session() as session:
        case = (await session.exec(select(PublicCase))).first()
        return case if case is not None and case.agency_name else None
