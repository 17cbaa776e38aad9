"""`pakn classify FILE`: an offline dry run of intake → routing → redaction (interfaces.md §2).

It composes the three pure cores with no broker and no database, so what it prints is what
the running services would decide for the same items.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from schemas.submission import Submission
from services.intake.domain.admissibility import Decision, RefusalReason, assess, refuse
from services.intake.domain.duplicates import Fingerprint, channel_key, fingerprint, is_same_letter
from services.intake.domain.normalise import normalise_submission
from services.intake.flatfile import FlatLine, read_flat
from services.router.core import RouterCore, load_core
from services.router.domain.calendar import local_date
from services.router.domain.classify import RoutingInput
from services.router.domain.deadlines import compute_deadlines
from services.text.redaction import KnownPersonalData, redact_case

GUIDANCE_AGENCY = {RefusalReason.COMPLAINT_OR_DENUNCIATION: "TTR"}


class Register:
    """The in-memory stand-in for intake's duplicate index during one dry run."""

    def __init__(self) -> None:
        self.channel_keys: set[str] = set()
        self.letters: list[tuple[str, str, Fingerprint]] = []  # (ref, channel, print)

    def duplicate_of(self, item: Submission, mark: Fingerprint | None = None) -> str | None:
        """The earlier item this one repeats; `mark`: its fingerprint, if already taken."""
        key = channel_key(item)
        if key is not None and key in self.channel_keys:
            return key
        # As the register does: a copy is the same letter arriving by another channel.
        mark, channel = mark or fingerprint(item), item.channel.value
        return next(
            (ref for ref, by, seen in self.letters if by != channel and is_same_letter(seen, mark)),
            None,
        )

    def add(self, item: Submission, ref: str, mark: Fingerprint | None = None) -> None:
        if (key := channel_key(item)) is not None:
            self.channel_keys.add(key)
        self.letters.append((ref, item.channel.value, mark or fingerprint(item)))


def classify_item(item: Submission, *, core: RouterCore, register: Register) -> dict[str, Any]:
    item = normalise_submission(item)
    mark = fingerprint(item)  # taken once: the register both looks it up and keeps it
    first = register.duplicate_of(item, mark)
    decision: Decision = (
        refuse(RefusalReason.DUPLICATE, f"same item as {first}") if first else assess(item)
    )
    if not first:
        register.add(item, item.channel_ref or str(len(register.letters)), mark)
    due = compute_deadlines(item.received_at, calendar=core.calendar, policy=core.policy)
    public = redact_case(item.title, item.content, known=_known(item))
    result: dict[str, Any] = {
        "id": item.channel_ref,
        "accepted": decision.accepted,
        "reason": decision.reason.value if decision.reason else None,
        "class": None,
        "kind": None,
        "agency": GUIDANCE_AGENCY.get(decision.reason) if decision.reason else None,
        "rule": None,
        "confidence": None,
        "due_classify": due.classify.isoformat(),
        "due_forward": due.forward.isoformat(),
        "due_answer": due.answer.isoformat(),
        "public": {"title": public.title, "content": public.content},
    }
    if decision.accepted:
        result.update(_routing(item, core))
    return result


def routing_input(item: Submission) -> RoutingInput:
    """What the router reads of a submission (as the running router reads the case)."""
    return RoutingInput(
        title=item.title,
        content=item.content,
        address=item.address,
        regulation=item.regulation,
        submitter_type=item.submitter_type.value,
        channel=item.channel.value,
        received_on=local_date(item.received_at),
    )


def _routing(item: Submission, core: RouterCore) -> dict[str, Any]:
    decision = core.route(routing_input(item))
    return {
        "class": decision.case_class,
        "kind": decision.kind,
        "agency": decision.agency,
        "rule": decision.rule_id,
        "confidence": round(decision.confidence, 3),
    }


def _known(item: Submission) -> KnownPersonalData:
    individual = item.submitter_type.value == "individual"
    return KnownPersonalData(
        name=item.name if individual else "",
        organization="",
        address=item.address,
        phone=item.phone,
        email=item.email,
    )


def classify_lines(lines: Iterator[FlatLine], *, core: RouterCore) -> Iterator[dict[str, Any]]:
    register = Register()
    for line in lines:
        if line.submission is None:
            yield {"id": line.item_id, "line": line.line_no, "error": line.error}
        else:
            yield classify_item(line.submission, core=core, register=register)


def run(path: Path, *, out: TextIO, err: TextIO) -> int:
    core = load_core()
    malformed = 0
    for result in classify_lines(read_flat(path), core=core):
        if "error" in result:
            malformed += 1
            print(f"line {result['line']}: {result['error']}", file=err)
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    if malformed:
        print(f"{malformed} malformed line(s) reported above", file=err)
    return 0
