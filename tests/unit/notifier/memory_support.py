"""The notifier's use cases on the in-memory store: no database.

Each case event goes through the projection as the service's pipeline hands it over
(`NotifierService._on_case_event`): decoded from its JSON, skipped if its id was handled
already, projected in a transaction of its own with the router's packaged directory in
use. The pipeline's own guarantees are tested in tests/unit/kit; the SQL adapter's queries
in tests/component/notifier/test_store_contract.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schemas.events import CASE_EVENT_ADAPTER, CaseEvent
from services.notifier.directory import using
from services.notifier.mail import use_office
from services.notifier.mailer import Mailer
from services.notifier.memory_store import MemoryStorage
from services.notifier.messages import Mail, Receipt
from services.notifier.models import Delivery, DigestEntry, PublicCase
from services.notifier.projection import Context, Links, project
from services.notifier.projection_shared import stage
from services.notifier.settings import NotifierSettings
from services.notifier.transports import MailTransport
from tests.unit.notifier.builders import BASE
from tests.unit.notifier.reference_data import packaged_directory

RECEIPT = Receipt(  # a mail whose template carries nothing the submitter typed
    tracking_code="GL-2222-2222",
    received_at="09:30 18/01/2023",
    hotline="0269 3 822 333",
    status_url="http://pakn.test/tra-cuu/GL-2222-2222",
)


@dataclass
class MemoryNotifier:
    settings: NotifierSettings
    storage: MemoryStorage = field(default_factory=MemoryStorage)
    seen: set[str] = field(default_factory=set)

    @property
    def context(self) -> Context:
        links = Links(public_base_url=BASE, hotline=self.settings.hotline_number)
        return Context(
            links=links, directory=packaged_directory(), digest_at=self.settings.digest_at
        )

    def public(self, case_id: str) -> PublicCase:
        case = self.storage.tables.cases.get(case_id)
        assert case is not None
        return case

    def deliveries(self) -> list[Delivery]:
        rows = self.storage.tables.deliveries
        return [rows[i] for i in sorted(rows)]

    def mails(self) -> list[tuple[str, str]]:
        return [(row.template, row.recipient) for row in self.deliveries()]

    def digest_lines(self) -> list[tuple[int, str]]:
        lines: dict[int, DigestEntry] = self.storage.tables.lines
        return [(lines[i].digest_id, lines[i].event_id) for i in sorted(lines)]

    def make_due(self, at: datetime) -> None:
        """The time of every staged delivery has come by `at`."""
        for row in self.storage.tables.deliveries.values():
            row.next_attempt_at = at

    def mailer(self, transport: MailTransport | Any, **settings: Any) -> Mailer:
        changed = self.settings.model_copy(update=settings)
        return Mailer(storage=self.storage, transport=transport, settings=changed)


def memory_notifier(**settings: Any) -> MemoryNotifier:
    """A notifier's use cases on an empty in-memory store, named as the service names them."""
    values = NotifierSettings(public_base_url=BASE, **settings)
    use_office(
        province=values.province_name,
        office_name=values.office_name,
        office_address=values.office_address,
    )
    return MemoryNotifier(settings=values)


async def replay(notifier: MemoryNotifier, event: CaseEvent) -> None:
    """Project `event` again, past the pipeline's record of seen event ids."""
    ctx = notifier.context
    async with notifier.storage.transaction() as uow:
        with using(ctx.directory):
            await project(uow, event=event, ctx=ctx)


async def apply(notifier: MemoryNotifier, *events: CaseEvent) -> None:
    """Handle events as the consumer pipeline does: decoded from JSON, once per event id."""
    for event in events:
        decoded = CASE_EVENT_ADAPTER.validate_json(event.model_dump_json())
        if decoded.event_id in notifier.seen:
            continue
        await replay(notifier, decoded)
        notifier.seen.add(decoded.event_id)


async def stage_mails(notifier: MemoryNotifier, message: Mail, *recipients: str) -> None:
    """One mail of `message` for each recipient, for event `event-<n>` and case `case-<n>`."""
    async with notifier.storage.transaction() as uow:
        for i, recipient in enumerate(recipients):
            await stage(
                uow,
                event_id=f"event-{i}",
                case_id=f"case-{i}",
                recipient=recipient,
                message=message,
            )
