"""The benchmark's own parts (scripts/bench.py): its SMTP handler (`Stopwatch`) finds the
bench item of each assignment e-mail the mailer composes, and only of those; the paced
phase's latency is summed up per block of cases in the order they were sent."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

from services.notifier.models import Delivery
from services.notifier.outgoing import compose

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_script", module)
    spec.loader.exec_module(module)
    return module


def mail(subject: str, item: int) -> bytes:
    delivery = Delivery(
        event_id=f"e{item}", case_id="c1", recipient="ubnd.iakha@gialai.gov.vn",
        template="assignment", subject=subject,
        body_text=f"Kính gửi UBND xã,\nNội dung: Hồ sơ số {item}: tôi nộp hồ sơ…\n",
        body_html=f"<p>Hồ sơ số {item + 1000}:</p>",
    )  # fmt: skip
    return compose(delivery, sender="PAKN Gia Lai <pakn@gialai.gov.vn>").data


def test_only_assignment_mails_are_timed_by_their_plain_text_item() -> None:
    watch = bench().Stopwatch()
    mails = [
        mail("[PAKN Gia Lai] Chuyển xử lý phản ánh, kiến nghị mã GL-2026-000017", 17),
        mail("[PAKN Gia Lai] Đã tiếp nhận phản ánh, kiến nghị mã GL-2026-000018", 18),
        mail("[PAKN Gia Lai] Chuyển xử lý phản ánh, kiến nghị mã GL-2026-000017", 17),
    ]
    for data in mails:
        reply = asyncio.run(watch.handle_DATA(None, None, SimpleNamespace(content=data)))
        assert reply == "250 OK"
    assert list(watch.snapshot()) == [17]


def test_latency_by_block_of_cases_as_sent() -> None:
    climbing_then_draining = [0.1] * 100 + [2.0, 4.0] * 50 + [1.0] * 30
    assert bench().by_block(climbing_then_draining) == [
        (0, 100, 100),
        (100, 4000, 4000),
        (200, 1000, 1000),
    ]
    assert bench().by_block([]) == []
