"""No personal data of the labelled samples reaches any public output (domain §6).

Every line of the sample file becomes a case (accepted or refused, as a careful officer
decided), accepted ones are routed and answered with an answer that quotes the submitter's
own contact details; then every public output is read back and searched for the line's
`expected.pii` with the redaction module's own `leaked` guard.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest

from schemas.events import CaseEvent
from services.notifier.service import NotifierService
from services.text.redaction import leaked
from tests.unit.notifier.builders import (
    accepted,
    answered,
    apply,
    client,
    code,
    migrated_notifier,
    refused,
    routed,
)

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples" / "pakn-dev.jsonl"


def _lines() -> list[dict[str, Any]]:
    if not SAMPLES.exists():
        pytest.fail(f"sample file not found: {SAMPLES} (it lives in ../shared)")
    return [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line]


def _answer(item: dict[str, Any]) -> str:
    """An officer's answer that repeats the submitter's details, as real answers do."""
    who = [item.get("name"), item.get("address"), item.get("phone"), item.get("email")]
    details = ", ".join(part for part in who if part)
    return (
        f"Kính gửi {details}.\n"
        "Cơ quan đã xem xét nội dung phản ánh, kiến nghị và có ý kiến như sau: quy định được "
        "áp dụng đúng; đề nghị liên hệ bộ phận một cửa để được hướng dẫn."
    )


def _events(item: dict[str, Any], tracking_code: str, service: NotifierService) -> list[CaseEvent]:
    case_id = f"case-{item['id']}"
    expected = item["expected"]
    fields = {k: v for k, v in item.items() if k not in {"id", "expected", "received_at"}}
    if not expected["accepted"]:
        return [refused(case_id, tracking_code, expected["reason"], **fields)]
    agency = expected["agency"] or "VPUB"
    return [
        accepted(case_id, tracking_code, **fields),
        routed(
            case_id,
            tracking_code,
            agency=agency,
            agency_name=service.directory.name(agency),
            case_class=expected["class"] or "regulation",
            kind=expected["kind"] or "phan_anh",
        ),
        answered(
            case_id,
            tracking_code,
            _answer(item),
            agency=agency,
            agency_name=service.directory.name(agency),
            legal_basis=f"Trả lời {item.get('name') or ''}",
        ),
    ]


def _readable(body: str) -> str:
    """The text as a reader sees it: HTML/XML entities and JSON escapes undone."""
    try:
        return json.dumps(json.loads(body), ensure_ascii=False)
    except ValueError:
        return html.unescape(body)


async def test_no_sample_personal_data_in_any_public_output(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, page_size=200)
    items = _lines()
    codes = {item["id"]: code() for item in items}
    for item in items:
        await apply(service, *_events(item, codes[item["id"]], service))
    lists = ["/tra-loi", "/tra-loi/atom.xml", "/tra-loi/feed.json", "/api/answers.json"]
    lists += ["/open311/v2/requests.json", "/thong-ke"]
    outputs: dict[str, str] = {}
    async with client(service) as http:
        for url in lists:
            outputs[url] = (await http.get(url)).text
        for tracking_code in codes.values():
            for url in (f"/tra-cuu/{tracking_code}", f"/api/cases/{tracking_code}"):
                outputs[url] = (await http.get(url)).text
            url = f"/open311/v2/requests/{tracking_code}.json"
            outputs[url] = (await http.get(url)).text
    public = {url: _readable(body) for url, body in outputs.items()}
    every_pii = sorted({value for item in items for value in item["expected"]["pii"]})
    leaks = {url: found for url, text in public.items() if (found := leaked(text, every_pii))}
    checked = len(every_pii) * len(public)
    print(
        f"\n{len(items)} sample lines, {len(every_pii)} personal data, {len(public)} public outputs: {checked} checks, {len(leaks)} leaks"
    )
    assert leaks == {}
    accepted_codes = [codes[i["id"]] for i in items if i["expected"]["accepted"]]
    assert all(c in outputs["/tra-loi/feed.json"] for c in accepted_codes)  # nothing was hidden
    assert "Cơ quan đã xem xét" in public["/tra-loi/atom.xml"]
    await service.db.dispose()
