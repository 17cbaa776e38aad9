"""The API channels' one path (portal JSON, Open311, staff APIs): archive → parse → register.

Each API says how its body becomes a `Submission` and how it words its answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ValidationError

from schemas.submission import Submission
from services.intake.channels.forms import ItemProblems
from services.intake.channels.guard import TOO_MANY_SUBMISSIONS, minutes
from services.intake.channels.http import (
    Site,
    keep_invalid,
    read_capped,
    recipient_refused,
    too_large_note,
)
from services.intake.problems import Problem, explain
from services.intake.register import ReceivedBounds, Registration

Parse = Callable[[bytes, str], Submission]  # (body, content type) → item


@dataclass(frozen=True)
class Outcome:
    status_code: int
    registration: Registration | None = None
    problems: list[Problem] = field(default_factory=list)
    retry_after_s: int = 0  # with 429


async def receive_body(
    site: Site,
    request: Request,
    *,
    source: str,
    parse: Parse,
    public: bool = False,
    bounds: ReceivedBounds | None = None,
) -> Outcome:
    """Archive the body before reading it; a body that cannot be read stays, with why (its
    start only, within the client's quota). A `public` caller is rate-limited per client
    address before the body is read, and per e-mail address it gives."""
    settings, receiver, guard = site.settings, site.receiver, site.guard
    client = guard.client_of(request)
    if public and not guard.submissions.allow(client):
        wait = guard.submissions.retry_after_s(client)
        message = TOO_MANY_SUBMISSIONS.format(minutes=minutes(wait))
        return Outcome(429, problems=[Problem(message)], retry_after_s=wait)
    limit = settings.max_request_bytes
    body = await read_capped(request, limit=limit)
    if body.too_large:
        await keep_invalid(site, client, source, body.data, too_large_note(body, limit=limit))
        message = f"Dữ liệu gửi lên quá lớn (tối đa {limit} byte)."
        return Outcome(413, problems=[Problem(message)])
    raw = (await receiver.archive(source, body.data)).raw
    bounds = bounds or ReceivedBounds.of(settings)
    try:
        submission = parse(body.data, request.headers.get("content-type", ""))
    except ValidationError as error:
        problems = explain(error)
    except ItemProblems as error:
        problems = error.problems
    else:
        if (problem := bounds.problem(submission.received_at)) is not None:
            problems = [Problem(problem, "received_at")]
        elif public and (refused := recipient_refused(site, submission)) is not None:
            await keep_invalid(site, client, source, body.data, [refused[0]], raw=raw)
            return Outcome(429, problems=[refused[0]], retry_after_s=refused[1])
        else:
            registration = await receiver.register(raw, submission, bounds=bounds)
            return Outcome(201 if registration.created else 200, registration=registration)
    await keep_invalid(site, client, source, body.data, problems, raw=raw)
    return Outcome(422, problems=problems)


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with its `$defs` written in place, for an OpenAPI body."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def json_body(model: type[BaseModel], *, description: str) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its body itself (to archive it first)."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": inline_schema(model)}},
        }
    }


def form_body(properties: dict[str, str], *, required: list[str]) -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {k: {"type": "string", "description": v} for k, v in properties.items()},
        "required": required,
    }
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        }
    }
