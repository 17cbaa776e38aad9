"""Agency isolation, lock-out and a console transfer on PostgreSQL and the real broker."""

from __future__ import annotations

import re
from datetime import datetime

import httpx

from schemas.events import CaseAccepted, CaseFacts, Submitter
from schemas.topics import Topics
from services.router.console.accounts import create_account, issue_token
from services.router.console.throttle import LoginThrottle
from services.router.models import RoutedCase
from services.router.service import RouterService
from services.router.settings import RouterSettings
from tests.support import RunningService, eventually, produce

PASSWORD = "mật-khẩu-đủ-dài-2023"
RECEIVED = datetime.fromisoformat("2023-03-06T08:15:00+07:00")
ITEMS = {
    "land": (  # → STNMT
        "Kiến nghị sửa quy định về hạn mức đất ở",
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi hạn mức.",
    ),
    "dist": (  # → IGR
        "Chậm cấp giấy chứng nhận quyền sử dụng đất",
        "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất tại bộ phận một cửa UBND huyện "
        "Ia Grai từ tháng 12/2022, quá hạn đã lâu nhưng chưa được giải quyết, đề nghị kiểm tra.",
    ),
}


def _accepted(case_id: str) -> bytes:
    title, content = ITEMS[case_id]
    facts = CaseFacts(
        case_id=case_id,
        tracking_code=f"GL-{case_id.upper()}",
        channel="post",
        received_at=RECEIVED,
        submitter=Submitter(name="Trần Văn Bình", address="xã Ia Kha", phone="0914 222 333"),
        title=title,
        content=content,
        attachments=["thu.pdf"],
    )
    return CaseAccepted(correlation_id=case_id, case=facts).model_dump_json().encode()


async def _login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> int:
    form = (await client.get("/can-bo/dang-nhap")).text
    token = re.search(r'name="login_token" value="([^"]+)"', form)
    assert token
    data = {"username": username, "password": password, "login_token": token.group(1)}
    return (await client.post("/can-bo/dang-nhap", data=data)).status_code


async def _agency_of(router: RouterService, case_id: str) -> str | None:
    async with router.db.session() as session:
        case = await session.get(RoutedCase, case_id)
    return case.agency if case else None


async def test_agencies_are_kept_apart_and_a_console_transfer_is_applied_from_kafka(
    kafka: str, topics: Topics, pg_url: str
) -> None:
    settings = RouterSettings(
        database_url=pg_url, kafka_bootstrap=kafka, topic_namespace=topics.namespace
    )
    router = RouterService(settings)
    async with router.db.transaction() as session:
        for username, agency in (("cb.igr", "IGR"), ("cb.stnmt", "STNMT")):
            await create_account(
                session,
                username=username,
                password=PASSWORD,
                agency=agency,
                role="officer",
                agencies=router.core.agencies,
            )
        igr_token = (
            await issue_token(
                session, agency="IGR", label="t", created_by="t", agencies=router.core.agencies
            )
        ).secret
    async with RunningService(router, bootstrap=kafka):
        await produce(kafka, topics.case_events, [_accepted("land"), _accepted("dist")])
        await eventually(lambda: _agency_of(router, "dist"), what="the district's case routed")
        await eventually(lambda: _agency_of(router, "land"), what="the land case routed")
        app = router.web()
        # The account-wide lock, counted in PostgreSQL; the per-address back-off that comes
        # first (in memory) is tested in tests/unit/router/test_login_throttle.py.
        app.state.console.throttle = LoginThrottle(burst=1000, free=1000)
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="https://t") as igr,
            httpx.AsyncClient(transport=transport, base_url="https://t") as api,
            httpx.AsyncClient(transport=transport, base_url="https://t") as guesser,
        ):
            assert await _login(igr, "cb.igr") == 303
            queue = (await igr.get("/can-bo/?tu_ngay=2023-03-06&den_ngay=2023-03-06")).text
            assert "GL-DIST" in queue and "GL-LAND" not in queue
            assert (await igr.get("/can-bo/ho-so/land")).status_code == 404
            headers = {"Authorization": f"Bearer {igr_token}"}
            listed = (await api.get("/api/v1/queue", headers=headers)).json()["cases"]
            assert [c["case_id"] for c in listed] == ["dist"] and listed[0]["attachments"] == [
                "thu.pdf"
            ]
            assert (await api.get("/api/v1/cases/land", headers=headers)).status_code == 404

            for _ in range(settings.console_max_failures):
                assert await _login(guesser, "cb.stnmt", "đoán bừa mật khẩu") == 400
            assert await _login(guesser, "cb.stnmt") == 400, "locked, even with the password"

            page = (await igr.get("/can-bo/ho-so/dist")).text
            token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
            assert token
            moved = await igr.post(
                "/can-bo/ho-so/dist/chuyen",
                data={
                    "csrf": token.group(1),
                    "reason": "Thuộc lĩnh vực của Sở",
                    "to_agency": "STNMT",
                },
            )
            assert moved.status_code == 303

            async def moved_away() -> bool:
                return await _agency_of(router, "dist") == "STNMT"

            await eventually(moved_away, what="the transfer applied by the router")
            assert (await igr.get("/can-bo/ho-so/dist")).status_code == 404
            assert (await api.get("/api/v1/queue", headers=headers)).json()["cases"] == []
