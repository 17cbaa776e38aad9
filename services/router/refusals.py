"""The items the intake refused, as the router keeps them for the reports (issue 14): the
case id, the day and channel it came by, and the reason code. Nothing is routed."""

from __future__ import annotations

from schemas.events import CaseRefused
from services.router.models import RefusedItem
from services.router.ports import UnitOfWork

REASON_LENGTH = 32  # `router_refusal.reason`


async def record_refusal(uow: UnitOfWork, *, event: CaseRefused) -> None:
    """Keep the refusal once per case: the same case refused again (a replayed intake
    event under another event id) changes nothing."""
    facts = event.case
    if await uow.refusals.get(facts.case_id) is not None:
        return
    uow.refusals.add(
        RefusedItem(
            case_id=facts.case_id,
            received_at=facts.received_at,
            channel=facts.channel.value,
            reason=event.reason[:REASON_LENGTH],
        )
    )
