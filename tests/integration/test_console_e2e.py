"""An agency answers in the console, on the real broker, PostgreSQL and SMTP: the case is
routed to it, an officer drafts, the head approves, the router applies the command from the
actions topic, the public status page shows the answer and the submitter gets the e-mail."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select

from schemas.events import SubmissionReceived
from schemas.submission import Submission
from schemas.topics import Topics
from services.notifier.models import PublicCase
from services.notifier.service import NotifierService
from services.router.console.accounts import create_account
from services.router.models import RoutedCase
from services.router.service import RouterService
from tests.integration.conftest import running, three_services
from tests.support import MailSink, events_of, eventually, produce, read_topic

PASSWORD = "mật-khẩu-đủ-dài-2023"
SUBMISSION = Submission.model_validate(
    {
        "channel": "web",
        "channel_ref": "WEB-CONSOLE-1",
        "received_at": "2023-03-06T09:30:00+07:00",
        "name": "Nguyễn Thị Hoa",
        "address": "45 Lê Lợi, phường Hội Thương, TP Pleiku, tỉnh Gia Lai",
        "phone": "0905 123 456",
        "email": "hoa.nguyen@example.com",
        "title": "Kiến nghị sửa quy định về hạn mức đất ở",
        "content": (
            "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa "
            "phù hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi hạn mức."
        ),
        "regulation": "Quyết định số 22/2016/QĐ-UBND",
    }
)
ANSWER = "Sở đã tham mưu UBND tỉnh sửa đổi hạn mức công nhận đất ở trong quý III/2023."


async def _login(client: httpx.AsyncClient, username: str) -> str:
    form = (await client.get("/can-bo/dang-nhap")).text
    token = re.search(r'name="login_token" value="([^"]+)"', form)
    assert token
    data = {"username": username, "password": PASSWORD, "login_token": token.group(1)}
    response = await client.post("/can-bo/dang-nhap", data=data)
    assert response.status_code == 303, response.text
    return await _csrf(client, "/can-bo/")


async def _csrf(client: httpx.AsyncClient, page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', (await client.get(page)).text)
    assert found
    return found.group(1)


async def test_an_answer_approved_in_the_console_reaches_the_public_page_and_the_submitter(
    kafka: str, topics: Topics, smtp: tuple[int, MailSink]
) -> None:
    smtp_port, sink = smtp
    intake, router, notifier = await three_services(kafka, topics, smtp_port=smtp_port)
    async with router.db.transaction() as session:
        for username, role in (("cb.stnmt", "officer"), ("ld.stnmt", "head")):
            await create_account(
                session,
                username=username,
                password=PASSWORD,
                agency="STNMT",
                role=role,
                agencies=router.core.agencies,
            )
    async with running(kafka, intake, router, notifier):
        event = SubmissionReceived(correlation_id="WEB-CONSOLE-1", submission=SUBMISSION)
        await produce(kafka, topics.intake, [event.model_dump_json().encode()])
        case = await eventually(lambda: _routed(router), what="the case routed to STNMT")
        assert case.submitter_email == "hoa.nguyen@example.com", "the router keeps the original"

        app = router.web()
        officer = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t")
        head = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t")
        async with officer, head:
            page = f"/can-bo/ho-so/{case.case_id}"
            token = await _login(officer, "cb.stnmt")
            drafted = await officer.post(
                f"{page}/du-thao",
                data={
                    "csrf": token,
                    "answer": ANSWER,
                    "outcome": "regulation_amended",
                    "legal_basis": "Luật Đất đai 2013",
                },
            )
            assert drafted.status_code == 303
            await _login(head, "ld.stnmt")
            case_page = (await head.get(page)).text
            approve = re.search(r'action="(/can-bo/du-thao/\d+/duyet)"', case_page)
            assert approve and "0905 123 456" not in case_page.split("Bản sẽ công khai")[1]
            approved = await head.post(approve.group(1), data={"csrf": await _csrf(head, page)})
            assert approved.status_code == 303

            public = await eventually(lambda: _answered(notifier), what="the public answer")
            mails = await eventually(
                lambda: _answer_mail(sink, public.tracking_code), what="the answer e-mail"
            )
            applied = (await head.get(page)).text
        assert "đã được hệ thống áp dụng" in applied
        commands = events_of(await read_topic(kafka, topics.agency_actions), "action.answer")
        assert [c["approved_by"] for c in commands] == ["ld.stnmt"]

        web = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=notifier.web()), base_url="http://t"
        )
        async with web:
            status = (await web.get(f"/tra-cuu/{public.tracking_code}")).text
    assert ANSWER in status and "Nguyễn Thị Hoa" not in status and "0905 123 456" not in status
    assert ANSWER in mails[0].get_body(preferencelist=("plain",)).get_content()


async def _routed(router: RouterService) -> RoutedCase | None:
    async with router.db.session() as session:
        case = (await session.exec(select(RoutedCase))).first()
    return case if case is not None and case.agency == "STNMT" else None


async def _answered(notifier: NotifierService) -> PublicCase | None:
    async with notifier.db.session() as session:
        case = (await session.exec(select(PublicCase))).first()
    return case if case is not None and case.status == "answered" else None


async def _answer_mail(sink: MailSink, code: str) -> list[object] | None:
    found = [
        m
        for m in sink.to("hoa.nguyen@example.com")
        if f"Trả lời phản ánh, kiến nghị mã {code}" in str(m["Subject"])
    ]
    return found or None
