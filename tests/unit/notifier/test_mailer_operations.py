"""The mailer's metrics and log lines (issue 13, part 4): outcomes counted, each delivery's
log lines carry its case, event and delivery ids, never the recipient's address."""

from __future__ import annotations

import io
import json
import logging

from prometheus_client import REGISTRY

from services.kit import logs
from services.notifier.transports import PermanentMailError, TransientMailError
from tests.unit.notifier.builders import RecordingTransport
from tests.unit.notifier.memory_support import RECEIPT, memory_notifier, stage_mails


def mails(outcome: str) -> float:
    return REGISTRY.get_sample_value("pakn_mails_total", {"outcome": outcome}) or 0.0


async def test_outcomes_are_counted_and_logged_with_ids_without_the_address() -> None:
    notifier = memory_notifier(mail_backoff_s=0.01, mail_poll_s=0.05)
    await stage_mails(notifier, RECEIPT, "hoa.nguyen@example.vn", "binh.tran@example.vn")
    before = {name: mails(name) for name in ("sent", "failed", "retried")}
    transport = RecordingTransport(
        [
            TransientMailError("451 4.3.0 <hoa.nguyen@example.vn> try later"),
            PermanentMailError("550 5.1.1 <binh.tran@example.vn>: no such user"),
        ]
    )
    out = io.StringIO()
    handler = logs.handler("json", service="notifier", stream=out)
    mailer_log = logging.getLogger("services.notifier.mailer")
    mailer_log.addHandler(handler)
    try:
        mailer = notifier.mailer(transport, smtp_connections=1)
        assert await mailer.run_once() == 2
    finally:
        mailer_log.removeHandler(handler)

    assert mails("retried") - before["retried"] == 1
    assert mails("failed") - before["failed"] == 1
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["case_id"], line["event_id"]) for line in lines] == [
        ("case-0", "event-0"),
        ("case-1", "event-1"),
    ]
    assert all(isinstance(line["delivery_id"], int) for line in lines)
    assert "example.vn" not in out.getvalue() and "<e-mail>" in lines[1]["message"]
