"""The intake topic's batch reads the register once, before its first event, and writes its
cases together; it decides what the same events decide one batch each, duplicates within the
batch included (services/intake/service.py `_prepare`, register.py `read_register`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import select

from services.intake.models import IntakeCase, RawPayload
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.kit.db import Database
from services.kit.outbox import OutboxMessage
from services.kit.transport import InMemoryBus, Message
from tests.integration.samples import submission_event
from tests.support import reads_of, statements_sent
from tests.unit.databases import migrated_copy

OTHERS = [  # three other people with other matters
    {"name": f"Người Khác {i}", "phone": f"0905 000 00{i}", "title": f"Việc riêng số {i}",
     "content": f"Nội dung thứ {i}: đề nghị xem xét việc cấp phép xây dựng nhà ở số {i}."}
    for i in range(3)
]  # fmt: skip
BATCH = [
    ("A1", {}),  # the letter, by the hotline
    ("A1", {}),  # the hotline's same call again (its reference): the same case
    ("P1", {"channel": "post"}),  # the same letter by post: a duplicate of the first
    *((f"X{i}", other) for i, other in enumerate(OTHERS)),
    ("OLD", {}),  # registered by an earlier batch, delivered again
]
FUTURE = ("FUT", {"received_at": "2099-01-01T08:00:00+07:00"})  # out of bounds: parked
DECIDED = {
    "OLD": ("accepted", None, None),
    "A1": ("accepted", None, None),
    "P1": ("refused", "duplicate", "OLD"),  # the same letter, first registered earlier
    "X0": ("accepted", None, None),
    "X1": ("accepted", None, None),
    "X2": ("accepted", None, None),
}
Batch = list[tuple[str, dict[str, str]]]


def messages(intake: IntakeService, batch: Batch, first_offset: int) -> list[Message]:
    return [
        Message(
            topic=intake.topics.intake,
            value=submission_event(ref, **changes),
            partition=0,
            offset=first_offset + i,
        )
        for i, (ref, changes) in enumerate(batch)
    ]


async def register(
    tmp_path: Path, batch: Batch, *, one_batch: bool
) -> tuple[dict[str, Any], dict[str, int]]:
    """The register after the batch (by channel reference: status, reason, the reference of
    the case it duplicates), its outcome events, and the statements per table it took."""
    url = migrated_copy(tmp_path / str(len(batch)), "one" if one_batch else "each")
    intake = IntakeService(IntakeSettings(database_url=url), db=Database(url))
    bus = InMemoryBus()
    [pipeline] = [s.handler for s in intake.subscriptions(publisher=bus) if "intake" in s.topic]
    await pipeline.consume(  # type: ignore[attr-defined]
        [Message(topic=intake.topics.intake, value=submission_event("OLD"), partition=0, offset=0)]
    )
    delivered = messages(intake, batch, first_offset=1)
    with statements_sent(intake.db) as sent:
        for chunk in [delivered] if one_batch else [[m] for m in delivered]:
            await pipeline.consume(chunk)  # type: ignore[attr-defined]
    counts = {
        "SELECT intake_case": reads_of(sent, "intake_case"),
        "INSERT intake_case": sum(s.startswith("INSERT INTO intake_case ") for s in sent),
    }
    async with intake.db.session() as session:
        cases = (await session.exec(select(IntakeCase))).all()
        raws = (await session.exec(select(RawPayload))).all()
        outbox = (await session.exec(select(OutboxMessage))).all()
    await bus.close()
    await intake.db.dispose()
    refs = {case.id: case.channel_ref for case in cases}
    found = {
        "cases": {
            c.channel_ref: (c.status, c.reason, refs.get(c.duplicate_of or "")) for c in cases
        },
        "codes": len({c.tracking_code for c in cases}),
        "raws": sorted((refs.get(r.case_id or "", "-"), r.status) for r in raws),
        "outcomes": sorted(
            (json.loads(o.payload)["event_type"], refs[o.key or ""]) for o in outbox
        ),
    }
    return found, counts


async def test_one_batch_decides_what_one_batch_per_event_decides(tmp_path: Path) -> None:
    batched, counts = await register(tmp_path, BATCH, one_batch=True)
    each, counts_each = await register(tmp_path, BATCH, one_batch=False)
    assert batched == each
    assert batched["cases"] == DECIDED and batched["codes"] == len(DECIDED)
    assert len(batched["outcomes"]) == len(DECIDED)
    # Reads of the register: four for the batch (channel references, codes, letters, and
    # the earlier batch's check), not four per event; its cases in one INSERT.
    assert counts["SELECT intake_case"] <= 4 < counts_each["SELECT intake_case"]
    assert counts["INSERT intake_case"] == 1 < counts_each["INSERT intake_case"]


async def test_a_batch_with_an_item_out_of_bounds_parks_it_and_registers_the_rest(
    tmp_path: Path,
) -> None:
    batched, _ = await register(tmp_path, [*BATCH[:3], FUTURE, *BATCH[3:]], one_batch=True)
    assert batched["cases"] == DECIDED
    assert ("-", "failed") in batched["raws"]  # the office sees the parked payload
