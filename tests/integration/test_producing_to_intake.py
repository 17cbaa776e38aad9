"""docs/producing-to-intake.md, followed: its example producer — plain aiokafka, nothing
imported from this project — posts items to the intake topic on the real broker with the
intake service running, and reads the tracking code back from the case-event topic."""

from __future__ import annotations

import ast
import asyncio
import json
import re
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer

from schemas.topics import Topics
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from tests.integration.conftest import running

GUIDE = Path(__file__).parents[2] / "docs" / "producing-to-intake.md"
ITEM = {
    "channel": "portal",
    "channel_ref": "P-2025-000123",
    "received_at": "2025-07-14T09:30:00+07:00",
    "name": "Nguyễn Thị Hoa",
    "address": "45 Lê Lợi, phường Pleiku, tỉnh Gia Lai",
    "phone": "0905 123 456",
    "title": "Kiến nghị về hạn mức công nhận đất ở",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Nông nghiệp và Môi trường tham mưu sửa đổi hạn mức."
    ),
}


def guide_code() -> dict[str, Any]:
    """The guide's first Python block, run as written; it may import only the standard
    library and aiokafka."""
    (code, *_) = re.findall(r"```python\n(.*?)```", GUIDE.read_text("utf-8"), re.DOTALL)
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        assert {name.split(".")[0] for name in names} <= {"json", "uuid", "datetime", "aiokafka"}
    namespace: dict[str, Any] = {}
    exec(compile(code, str(GUIDE), "exec"), namespace)  # our own document, checked above
    return namespace


async def test_a_producer_following_the_guide_gets_its_tracking_code_back(
    kafka: str, topics: Topics, pg_url: str
) -> None:
    guide = guide_code()
    submit, outcome = guide["submit"], guide["outcome"]
    where = {"bootstrap": kafka, "namespace": topics.namespace}
    intake = IntakeService(
        IntakeSettings(database_url=pg_url, kafka_bootstrap=kafka, topic_namespace=topics.namespace)
    )
    async with running(kafka, intake):
        accepted_id = await submit(ITEM, **where)
        anonymous = {**ITEM, "channel_ref": "P-2025-000124", "name": "", "phone": "", "address": ""}
        refused_id = await submit(anonymous, **where)
        await _old_producer(kafka, topics, {**ITEM, "channel_ref": "P-OLD-1"})
        group = f"{topics.namespace}-channel-portal"
        accepted = await asyncio.wait_for(outcome(accepted_id, group=group, **where), 60)
        refused = await asyncio.wait_for(outcome(refused_id, group=group + "-2", **where), 60)
        old = await asyncio.wait_for(outcome("OLD-1", group=group + "-3", **where), 60)
    assert accepted["event_type"] == "case.accepted"
    assert re.fullmatch(r"GL-[A-Z0-9]{4}-[A-Z0-9]{4}", accepted["case"]["tracking_code"])
    assert accepted["case"]["channel"] == "portal"
    assert (refused["event_type"], refused["reason"]) == ("case.refused", "missing_contact")
    assert refused["message_vi"] and refused["case"]["tracking_code"]
    assert old["event_type"] == "case.accepted"  # a message without event_id is not lost


async def _old_producer(kafka: str, topics: Topics, item: dict[str, Any]) -> None:
    """A producer written before event_id was required: no event_id, no headers."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka)
    await producer.start()
    try:
        body = {"correlation_id": "OLD-1", "event_type": "submission.received", "submission": item}
        await producer.send_and_wait(topics.intake, json.dumps(body).encode())
    finally:
        await producer.stop()
