"""No text can freeze a service (issue 10, item 1): every analyser of citizen text runs
in linear time and reads a bounded part of it.

Each analyser gets 100 KB texts built to make backtracking patterns, pairwise span
comparisons and unbounded scans blow up, and must answer within a CPU-time bound that
the former code exceeded by far (a run of digits: 7.6 s for 20 KB in the admissibility
check, quadratic). Measured with `time.process_time`, so other processes on the machine
do not count.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import pytest

from schemas.submission import Channel, Submission, SubmitterType
from services.intake.domain.admissibility import assess
from services.intake.domain.duplicates import fingerprint
from services.intake.domain.normalise import normalise_submission
from services.kit.text import ANALYSED_CHARS, analysed
from services.router.core import RouterCore, load_core
from services.router.domain.classify import RoutingInput
from services.router.structure import default_gazetteer
from services.router.structure.gazetteer import Gazetteer
from services.text.redaction import WITHHELD, KnownPersonalData, redact, redact_case

SIZE = 100_000
# CPU seconds per call. The router reads four fields (its normal form doubles "1.1.1.")
# with some hundred phrase lists and looks for a place after every "UBND xã": linear, but
# about 1 s at worst here, so it gets more. The former code took over 5 s on several texts.
BOUND = 0.5
ROUTE_BOUND = 2.0


def _fill(unit: str) -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


TEXTS = {
    "digits": _fill("0123456789"),
    "digits and spaces": _fill("1 "),
    "digits and dots": _fill("1."),
    "digits and dashes": _fill("1-"),
    "a@": _fill("a@"),
    "@.": _fill("@."),
    "a%": _fill("a%"),
    "one letter": "a" * SIZE,
    "alternating diacritics": _fill("àa"),
    "zeros": "0" * SIZE,
    "xã": _fill("xã "),
    "Sở": _fill("Sở "),
    "UBND xã": _fill("UBND xã "),
    "tôi (fillers)": _fill("tôi "),
    "không khiếu nại (exemptions)": _fill("không khiếu nại "),
    "quy định của": _fill("quy định của "),
    "placeholders": _fill("[họ tên] "),
    "phones": _fill("0905 123 456 "),
    "lines": _fill("a\n"),
    "signature then dots": "Trân trọng,\nNguyễn Văn An" + "." * SIZE,
    "unclosed (ký": _fill("Trân trọng, (ký "),
    "house number then spaces": "số 12" + " " * SIZE + "1",
    "street then spaces": "đường Lê" + " " * SIZE + "x",
    "one word": _fill("nguyễnvănaăâbcdđeêghiklmnoôơpqrstuưvxy"),
}
PREFIX = (
    "Kính gửi UBND tỉnh Gia Lai. Tôi đề nghị Sở Xây dựng hướng dẫn thủ tục cấp giấy phép "
    "xây dựng nhà ở riêng lẻ tại xã Ia Kha, hồ sơ nộp đã quá hạn. "
)
KNOWN = KnownPersonalData(
    name="Nguyễn Văn An", address="thôn 3, xã Ia Kha", phone="0905123456", email="an@example.com"
)


def _submission(text: str) -> Submission:
    """Every field the adversarial text, past the schema's limits (a channel's bug)."""
    return Submission.model_construct(
        channel=Channel.WEB,
        channel_ref=None,
        received_at=datetime(2025, 8, 1, tzinfo=UTC),
        submitter_type=SubmitterType.INDIVIDUAL,
        name="Nguyễn Văn An",
        organization="",
        address=text,
        phone=text,
        email=text,
        title=text,
        content=PREFIX + text,
        regulation=text,
        attachments=[],
        extra={},
    )


@cache
def _core() -> RouterCore:
    return load_core()


@cache
def _gazetteer() -> Gazetteer:
    return default_gazetteer()


def _route(text: str) -> Any:
    item = RoutingInput(
        title=text,
        content=PREFIX + text,
        address=text,
        regulation=text,
        received_on=date(2025, 8, 1),
    )
    return _core().route(item)


ANALYSERS: dict[str, tuple[Callable[[str], Any], float]] = {
    "assess": (lambda t: assess(_submission(t)), BOUND),
    "normalise_submission": (lambda t: normalise_submission(_submission(t)), BOUND),
    "fingerprint": (lambda t: fingerprint(_submission(t)), BOUND),
    "redact_case": (lambda t: redact_case(t, PREFIX + t, known=KNOWN), BOUND),
    # Redaction withholds what it does not read, up to a line break or a space; a text
    # without them past the limit is withheld whole. This one is read to the limit.
    "redact_case read whole": (
        lambda t: redact_case(t[:500], t[: ANALYSED_CHARS - 100], known=KNOWN),
        BOUND,
    ),
    "route": (_route, ROUTE_BOUND),
    "gazetteer": (lambda t: _gazetteer().find(PREFIX + t), BOUND),
}


@pytest.mark.parametrize("analyser", list(ANALYSERS))
def test_every_analyser_answers_in_bounded_time(analyser: str) -> None:
    run, bound = ANALYSERS[analyser]
    run(PREFIX)  # data files, caches and compiled patterns: not what is measured
    slow = {}
    for label, text in TEXTS.items():
        # The collector's passes over what the rest of the suite left in memory are not
        # the analyser's work: collected before, paused during the call.
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            run(text)
            spent = time.process_time() - start
        finally:
            gc.enable()
        if spent > bound:
            slow[label] = round(spent, 2)
    assert not slow, f"{analyser}: CPU seconds over {bound} s: {slow}"


def test_a_long_letter_is_read_whole() -> None:
    """The limit is above what a channel accepts (content 20,000, title 500 characters)."""
    assert ANALYSED_CHARS >= 20_000 + 500
    letter = "x" * 20_000
    assert analysed(letter) == letter


def test_what_redaction_did_not_read_is_not_published() -> None:
    long = "Xin liên hệ 0905 123 456.\n" * 2_000  # 52,000 characters
    public = redact_case("", long, known=KnownPersonalData())
    assert public.content.endswith(WITHHELD)
    assert max(f.end for f in public.findings) <= ANALYSED_CHARS
    assert public.content.count("[số điện thoại]") < 2_000
    assert "0905" not in public.content
    # An answer (at most 50,000 characters) is read whole.
    answer = "Trả lời ông.\n" * 3_800
    assert redact(answer, known=KnownPersonalData()).text == answer
