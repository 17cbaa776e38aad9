"""The items the intake refused, as the router keeps them for the reports (issue 14): the
case id, the day and channel it came by, and the reason code. Nothing is routed."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CaseRefused
from services.router.models import RefusedItem

REASON_LENGTH = 32  # `router_refusal.reason`


async def record_refusal(session: AsyncSession, *, event: CaseRefused) -> None:
    """Keep the refusal once per case: the same case refused again (a replayed intake
    event under another event id) changes nothing."""
    facts = event.case
    if await session.get(RefusedItem, facts.case_id) is not None:
        return
    session.add(
        RefusedItem(
            case_id=facts.case_id,
            received_at=facts.received_at,
            channel=facts.channel.value,
            reason=event.reason[:REASON_LENGTH],
        )
    )
