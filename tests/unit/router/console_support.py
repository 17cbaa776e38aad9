"""The router's web app (console and API) over ASGI, on the router harness's SQLite database
and in-process bus: commands the console stages go through the outbox relay to the bus and
are then fed to the router's own actions pipeline, as on Kafka."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import httpx

from schemas.events import CaseAccepted, CaseFacts, Submitter
from services.kit.transport import InMemoryBus, Message
from services.router.console.accounts import create_account, issue_token
from services.router.models import Account
from services.router.service import RouterService
from services.router.settings import RouterSettings
from tests.support import STAFF_SECRET
from tests.unit.databases import migrated_copy, migrated_template
from tests.unit.router.lifecycle_support import RECEIVED, RouterHarness


async def _migrated_template() -> Path:
    """The database migrated once per test session (tests.unit.databases), to copy."""
    return migrated_template()


PASSWORD = "mật-khẩu-đủ-dài-2023"
BASE = "https://pakn.test"  # the session cookie is Secure by default
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
_LOGIN = re.compile(r'name="login_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form token"
    return found.group(1)


class Console:
    def __init__(self, router: RouterHarness) -> None:
        self.router = router
        self.app = router.service.web()
        self._fed = 0
        self._clients: list[httpx.AsyncClient] = []

    @classmethod
    async def start(cls, tmp_path: Path, *, today: date | None = None) -> Console:
        """A router on a copy of a database migrated once per test session."""
        clock = [today or RECEIVED.date()]
        settings = RouterSettings(
            database_url=migrated_copy(tmp_path, "router"),
            topic_namespace="u",
            staff_secret=STAFF_SECRET,
        )
        service = RouterService(settings, today=lambda: clock[0])
        return cls(RouterHarness(service, InMemoryBus(), clock))

    @property
    def settings(self) -> RouterSettings:
        return self.router.service.settings

    def client(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=BASE)
        self._clients.append(client)
        return client

    async def accept(self, case_id: str, item: dict[str, str], **submitter: str) -> None:
        """An accepted case with the submitter's full contact data, routed by the rules."""
        person = {
            "name": "Nguyễn Thị Hoa",
            "address": "45 Lê Lợi, phường Hội Thương, TP Pleiku",
            "phone": "0905 123 456",
            "email": "hoa.nguyen@example.com",
            **submitter,
        }
        facts = CaseFacts(
            case_id=case_id,
            tracking_code=f"GL-{case_id.upper()}",
            channel="web",
            received_at=RECEIVED,
            submitter=Submitter(**person),
            attachments=["don-kien-nghi.pdf"],
            **item,
        )
        event = CaseAccepted(correlation_id=case_id, case=facts)
        topic = self.router.topics.case_events
        await self.router._cases(Message(topic=topic, value=event.model_dump_json().encode()))

    async def account(
        self, username: str, agency: str, role: str = "officer", password: str = PASSWORD
    ) -> Account:
        async with self.router.service.db.transaction() as session:
            return await create_account(
                session,
                username=username,
                password=password,
                agency=agency,
                role=role,
                agencies=self.router.service.core.agencies,
            )

    async def token(self, agency: str) -> str:
        async with self.router.service.db.transaction() as session:
            issued = await issue_token(
                session,
                agency=agency,
                label="test",
                created_by="test",
                agencies=self.router.service.core.agencies,
            )
        return issued.secret

    async def login(
        self, username: str, password: str = PASSWORD, client: httpx.AsyncClient | None = None
    ) -> httpx.Response:
        client = client or self.client()
        form = await client.get("/can-bo/dang-nhap")
        found = _LOGIN.search(form.text)
        assert found
        return await client.post(
            "/can-bo/dang-nhap",
            data={"username": username, "password": password, "login_token": found.group(1)},
        )

    async def officer(self, username: str, agency: str, role: str = "officer") -> httpx.AsyncClient:
        """A logged-in client for a new account."""
        await self.account(username, agency, role)
        client = self.client()
        response = await self.login(username, client=client)
        assert response.status_code == 303, response.text
        return client

    async def post_form(
        self, client: httpx.AsyncClient, page: str, action: str, data: dict[str, str]
    ) -> httpx.Response:
        """Submit a form of `page` to `action` with the page's own form token."""
        token = csrf_of((await client.get(page)).text)
        return await client.post(action, data={**data, "csrf": token})

    async def apply(self) -> list[str]:
        """Relay the outbox and feed new agency commands to the router; the refusals."""
        await self.router.published()
        actions = self.router.bus.topics.get(self.router.topics.agency_actions, [])
        for message in actions[self._fed :]:
            await self.router._actions(message)
        self._fed = len(actions)
        await self.router.published()
        return self.router.refusals()

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()
        await self.router.close()
