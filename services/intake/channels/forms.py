"""The form channels' one path: archive the body → read the form → check → register.

Each form (the public one, the hotline operator's, the post clerk's) only says how its
fields become a `Submission`; reading, archiving, errors and answers are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from schemas.submission import Submission
from services.intake.attachments import CheckedFile
from services.intake.channels.formdata import FormDataError, parse_form
from services.intake.channels.guard import TOO_MANY_SUBMISSIONS, minutes
from services.intake.channels.http import (
    Site,
    check_uploads,
    keep_invalid,
    read_capped,
    recipient_refused,
    too_large_note,
)
from services.intake.domain.admissibility import DEFAULT as POLICY
from services.intake.domain.normalise import normalise_email, normalise_phone
from services.intake.errors import ItemProblems
from services.intake.models import IntakeCase
from services.intake.problems import Problem, explain
from services.intake.register import ReceivedBounds
from services.kit import staffpass

FORGED = staffpass.FORGED

Build = Callable[[dict[str, str], list[CheckedFile], datetime], Submission]


@dataclass(frozen=True)
class FormChannel:
    path: str  # where the form is served and posted
    template: str  # the form page
    done_template: str  # the answer with the tracking code
    build: Build  # fields → Submission; raises ItemProblems
    fields: tuple[str, ...]  # the text fields shown again after an error
    public: bool = False  # anyone may post it: rate-limited per client and per e-mail
    staff: bool = False  # an officer's form: it must carry the staff pass's form token

    @property
    def source(self) -> str:
        """Where its raw payloads are archived from."""
        return f"http:{self.path}"


def form_page(
    site: Site,
    request: Request,
    channel: FormChannel,
    *,
    form: dict[str, str] | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    problems = problems or []
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field or "", []).append(problem.message)
    shown = {k: v for k, v in (form or {}).items() if k in channel.fields}
    context = {"form": shown, "problems": problems, "errors": errors}
    return site.page(request, channel.template, context, status_code=status_code)


async def submit_form(site: Site, request: Request, channel: FormChannel) -> Response:
    settings, receiver, guard = site.settings, site.receiver, site.guard
    client = guard.client_of(request)
    if channel.public and not guard.submissions.allow(client):
        wait = guard.submissions.retry_after_s(client)
        problem = Problem(TOO_MANY_SUBMISSIONS.format(minutes=minutes(wait)))
        page = form_page(site, request, channel, problems=[problem], status_code=429)
        page.headers["Retry-After"] = str(wait)
        return page
    body = await read_capped(request, limit=settings.max_request_bytes)
    if body.too_large:
        note = too_large_note(body, limit=settings.max_request_bytes)
        await keep_invalid(site, client, channel.source, body.data, note)
        limit_mb = settings.max_request_bytes // (1024 * 1024)
        problem = Problem(f"Dữ liệu gửi lên quá lớn (tối đa khoảng {limit_mb} MB).", None)
        return form_page(site, request, channel, problems=[problem], status_code=413)
    if channel.staff and not _staff_token_ok(request, body.data, settings.attachment_max_files):
        return form_page(site, request, channel, problems=[Problem(FORGED)], status_code=403)
    raw = (await receiver.archive(channel.source, body.data)).raw
    try:
        parsed = parse_form(
            request.headers.get("content-type", ""),
            body.data,
            max_files=settings.attachment_max_files,
        )
    except FormDataError as error:
        await keep_invalid(site, client, channel.source, body.data, str(error), raw=raw)
        return form_page(site, request, channel, problems=[Problem(str(error))], status_code=400)
    files, problems = check_uploads(parsed.uploads, settings=settings)
    submission: Submission | None = None
    bounds = ReceivedBounds.of(settings)
    try:
        submission = channel.build(parsed.fields, files, datetime.now(UTC))
    except ItemProblems as error:
        problems = error.problems + problems
    if submission is not None and (late := bounds.problem(submission.received_at)):
        problems = [*problems, Problem(late, None)]
    if problems or submission is None:
        await keep_invalid(site, client, channel.source, body.data, problems, raw=raw)
        return form_page(
            site, request, channel, form=parsed.fields, problems=problems, status_code=422
        )
    if channel.public and (refused := recipient_refused(site, submission)) is not None:
        problem, wait = refused
        await keep_invalid(site, client, channel.source, body.data, [problem], raw=raw)
        page = form_page(
            site, request, channel, form=parsed.fields, problems=[problem], status_code=429
        )
        page.headers["Retry-After"] = str(wait)
        return page
    registration = await receiver.register(raw, submission, files, bounds=bounds)
    return done_page(site, request, channel, registration.case, status_code=201)


def _staff_token_ok(request: Request, body: bytes, max_files: int) -> bool:
    """A staff form's token, read before anything is archived: a forged post leaves nothing."""
    try:
        fields = parse_form(request.headers.get("content-type", ""), body, max_files=max_files)
    except FormDataError:
        return False
    return staffpass.form_token_ok(request, fields.fields.get(staffpass.CSRF_FIELD))


def done_page(
    site: Site, request: Request, channel: FormChannel, case: IntakeCase, *, status_code: int
) -> Response:
    context: dict[str, Any] = {
        "again_url": channel.path,
        "code": case.tracking_code,
        "accepted": case.status == "accepted",
        "message": refusal_message(case),
        "status_url": site.status_url(request, case.tracking_code),
        "receipt_url": site.receipt_url(request, case.tracking_code),
        "case": case,
    }
    return site.page(request, channel.done_template, context, status_code=status_code)


def refusal_message(case: IntakeCase) -> str:
    if case.status == "accepted" or not case.reason:
        return str(POLICY.messages.accepted)
    return str(getattr(POLICY.messages, case.reason, POLICY.messages.empty_content))


def validated(
    fields: dict[str, Any], problems: list[Problem], *, labels: dict[str, str]
) -> Submission:
    """The submission, or `ItemProblems` with the form's own problems and the model's."""
    try:
        submission = Submission.model_validate(fields)
    except ValidationError as error:
        problems = problems + explain(error, labels=labels)
    if problems:
        raise ItemProblems(problems)
    return submission


def contact_problems(form: dict[str, str]) -> list[Problem]:
    """A phone or e-mail that was typed must be one; a wrong one is better fixed now."""
    problems = []
    phone, email = form.get("phone", "").strip(), form.get("email", "").strip()
    if phone and normalise_phone(phone) is None:
        problems.append(Problem("Số điện thoại: không đúng dạng số điện thoại Việt Nam.", "phone"))
    if email and normalise_email(email) is None:
        problems.append(Problem("Thư điện tử: không đúng dạng địa chỉ thư.", "email"))
    return problems


def text_fields(form: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields, as typed (empty ones left out so the model's defaults apply)."""
    return {name: form[name] for name in names if form.get(name, "").strip()}
