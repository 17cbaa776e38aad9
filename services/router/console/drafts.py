"""Answers in preparation: an officer drafts, a head approves, the approval becomes a
`SubmitAnswer` (with `approved_by`) on the actions topic. A consolidated answer is a batch
of drafts with the same text, one per open case about the same regulation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast, get_args
from uuid import uuid4

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.actions import Outcome, SubmitAnswer
from services.router.console.access import Officer
from services.router.errors import DraftError
from services.router.models import AnswerDraft, RoutedCase
from services.text.redaction import KnownPersonalData, redact, redact_case

OUTCOMES: tuple[str, ...] = get_args(Outcome)
OUTCOME_VI = {
    "answered": "Trả lời, giải thích (quy định giữ nguyên)",
    "regulation_amended": "Quy định đã được sửa đổi",
    "amendment_proposed": "Đã đề xuất sửa đổi quy định",
}
MAX_ANSWER = 40_000


@dataclass(frozen=True)
class DraftText:
    answer: str
    legal_basis: str
    outcome: str
    documents: tuple[str, ...]


def draft_text(*, answer: str, legal_basis: str, outcome: str, documents: str) -> DraftText:
    answer, legal_basis = answer.strip(), legal_basis.strip()
    problems = []
    if not answer:
        problems.append("Nội dung trả lời: chưa điền.")
    if len(answer) > MAX_ANSWER:
        problems.append(f"Nội dung trả lời: dài quá {MAX_ANSWER} ký tự.")
    if len(legal_basis) > 2_000:
        problems.append("Căn cứ pháp lý: dài quá 2000 ký tự.")
    if outcome not in OUTCOMES:
        problems.append("Kết quả đối với quy định: chưa chọn.")
    if problems:
        raise DraftError(" ".join(problems))
    names = tuple(line.strip() for line in documents.splitlines() if line.strip())
    return DraftText(answer, legal_basis, outcome, names[:20])


def published_text(draft: AnswerDraft) -> str:
    """The answer as sent: the text, then the documents it refers to."""
    names = [line for line in draft.documents.splitlines() if line.strip()]
    if not names:
        return draft.answer
    listed = "\n".join(f"- {name}" for name in names)
    return f"{draft.answer}\n\nVăn bản kèm theo:\n{listed}"


def new_draft(
    case: RoutedCase, text: DraftText, *, officer: Officer, batch: str | None = None
) -> AnswerDraft:
    return AnswerDraft(
        case_id=case.case_id,
        agency=case.agency,
        batch=batch,
        answer=text.answer,
        legal_basis=text.legal_basis,
        outcome=text.outcome,
        documents="\n".join(text.documents),
        written_by=officer.actor,
    )


def new_batch() -> str:
    return uuid4().hex


async def drafts_of(session: AsyncSession, *, case_id: str) -> list[AnswerDraft]:
    query = select(AnswerDraft).where(AnswerDraft.case_id == case_id)
    return list((await session.exec(query.order_by(col(AnswerDraft.id)))).all())


async def batch_drafts(session: AsyncSession, *, batch: str) -> list[AnswerDraft]:
    query = select(AnswerDraft).where(AnswerDraft.batch == batch)
    return list((await session.exec(query.order_by(col(AnswerDraft.id)))).all())


async def save_draft(
    session: AsyncSession, *, case: RoutedCase, text: DraftText, officer: Officer, batch: str | None
) -> AnswerDraft:
    """The case's current draft; an earlier one still pending is withdrawn (kept)."""
    for earlier in await drafts_of(session, case_id=case.case_id):
        if earlier.status == "draft":
            earlier.status = "withdrawn"
            session.add(earlier)
    draft = new_draft(case, text, officer=officer, batch=batch)
    session.add(draft)
    await session.flush()
    return draft


def approval(
    draft: AnswerDraft,
    case: RoutedCase,
    *,
    officer: Officer,
    self_approval: frozenset[str] = frozenset(),
) -> SubmitAnswer:
    """The command that publishes `draft`, approved by `officer`.

    Separation of duties: whoever drafted an answer does not approve it, unless the case's
    agency is one of `self_approval` (the router's `CONSOLE_SELF_APPROVAL_AGENCIES`)."""
    if draft.status != "draft":
        raise DraftError("Dự thảo này đã được công bố hoặc đã bị hủy.")
    if draft.agency != case.agency:
        raise DraftError("Hồ sơ đã chuyển sang cơ quan khác sau khi dự thảo được soạn.")
    if draft.outcome not in OUTCOMES:
        raise DraftError("Kết quả đối với quy định của dự thảo không hợp lệ.")
    if draft.written_by == officer.actor and case.agency not in self_approval:
        raise DraftError(
            "Người soạn dự thảo không tự duyệt dự thảo của mình: "
            "đề nghị một lãnh đạo khác của cơ quan duyệt."
        )
    return SubmitAnswer(
        correlation_id=case.case_id,
        case_id=case.case_id,
        agency=case.agency,
        officer=draft.written_by,
        answer=published_text(draft),
        legal_basis=draft.legal_basis,
        outcome=cast(Outcome, draft.outcome),
        approved_by=officer.actor,
    )


def mark_published(draft: AnswerDraft, command: SubmitAnswer, *, now: datetime) -> None:
    draft.status, draft.approved_by, draft.approved_at = "published", command.approved_by, now
    draft.event_id = command.event_id


def known_of(case: RoutedCase) -> KnownPersonalData:
    return KnownPersonalData.for_submitter(
        submitter_type=case.submitter_type,
        name=case.submitter_name or "",
        organization=case.submitter_organization or "",
        address=case.address,
        phone=case.submitter_phone or "",
        email=case.submitter_email or "",
    )


@dataclass(frozen=True)
class PublicPreview:
    """What the public pages will show once the answer is published (redacted)."""

    title: str
    content: str
    answer: str
    legal_basis: str
    removed: int  # how many personal data were replaced


def preview(case: RoutedCase, *, answer: str, legal_basis: str) -> PublicPreview:
    known = known_of(case)
    question = redact_case(case.title, case.content, known=known)
    public_answer, public_basis = redact(answer, known=known), redact(legal_basis, known=known)
    removed = len(question.findings) + len(public_answer.findings) + len(public_basis.findings)
    return PublicPreview(
        question.title, question.content, public_answer.text, public_basis.text, removed
    )


def pending(drafts: Sequence[AnswerDraft]) -> AnswerDraft | None:
    return next((d for d in reversed(drafts) if d.status == "draft"), None)
