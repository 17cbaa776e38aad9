"""What officers do in the console becomes agency commands that the router applies: take,
ask for details, extend (heads), transfer, assign from triage, draft and approve answers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from services.router.models import AuditEntry
from tests.unit.router.console_support import Console
from tests.unit.router.lifecycle_support import LAND_RULE, VAGUE


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path)
    await harness.accept("land", LAND_RULE)  # → STNMT
    await harness.accept("vague", VAGUE)  # → TRIAGE
    yield harness
    await harness.close()


async def _act(console: Console, client, case_id: str, action: str, **data: str):  # type: ignore[no-untyped-def]
    page = f"/can-bo/ho-so/{case_id}"
    return await console.post_form(client, page, f"{page}/{action}", data)


async def test_taking_a_case_goes_through_the_outbox_to_the_router(console: Console) -> None:
    officer = await console.officer("cb.stnmt", "STNMT")
    response = await _act(console, officer, "land", "tiep-nhan")
    assert response.status_code == 303
    waiting = (await officer.get(response.headers["location"])).text
    assert "Đã gửi yêu cầu" in waiting and "đang chờ hệ thống xử lý" in waiting
    assert (await console.router.case("land")).status == "routed", "applied by the router only"
    assert await console.apply() == []
    case = await console.router.case("land")
    assert (case.status, case.taken_by) == ("taken", "cb.stnmt")
    taken = await console.router.published(event_type="case.taken")
    assert [e["by"] for e in taken] == ["cb.stnmt"]
    assert "đã được hệ thống áp dụng" in (await officer.get("/can-bo/ho-so/land")).text
    again = await _act(console, officer, "land", "tiep-nhan")
    assert again.status_code == 409 and "đang được xử lý" in again.text


async def test_asking_for_details_stops_the_clock_and_recording_them_restarts_it(
    console: Console,
) -> None:
    officer = await console.officer("cb.stnmt", "STNMT")
    missing = await _act(console, officer, "land", "yeu-cau-bo-sung", question=" ")
    assert missing.status_code == 409 and "Nội dung cần bổ sung: chưa điền" in missing.text
    asked = await _act(console, officer, "land", "yeu-cau-bo-sung", question="Số thửa đất?")
    assert asked.status_code == 303 and await console.apply() == []
    assert (await console.router.case("land")).status == "waiting_info"
    page = (await officer.get("/can-bo/ho-so/land")).text
    assert "Số thửa đất?" in page and "Tạm dừng" in page
    console.router.clock[0] = date(2023, 3, 8)
    resumed = await _act(console, officer, "land", "da-bo-sung", note="Thửa 12")
    assert resumed.status_code == 303 and await console.apply() == []
    case = await console.router.case("land")
    assert case.status == "routed" and case.due_answer == date(2023, 3, 22)


async def test_only_heads_extend_and_only_once(console: Console) -> None:
    officer = await console.officer("cb.stnmt", "STNMT")
    refused = await _act(console, officer, "land", "gia-han", reason="Cần lấy ý kiến các sở")
    assert refused.status_code == 403
    head = await console.officer("ld.stnmt", "STNMT", "head")
    extended = await _act(console, head, "land", "gia-han", reason="Cần lấy ý kiến các sở")
    assert extended.status_code == 303 and await console.apply() == []
    case = await console.router.case("land")
    assert case.extension_reason == "Cần lấy ý kiến các sở" and case.due_answer == date(2023, 4, 3)
    twice = await _act(console, head, "land", "gia-han", reason="Lần nữa")
    assert twice.status_code == 409 and "chỉ được gia hạn một lần" in twice.text


async def test_a_transfer_names_an_agency_or_goes_back_to_triage(console: Console) -> None:
    officer = await console.officer("cb.stnmt", "STNMT")
    unknown = await _act(console, officer, "land", "chuyen", reason="x", to_agency="NOPE")
    assert unknown.status_code == 409 and "Không có cơ quan mã NOPE" in unknown.text
    to_self = await _act(console, officer, "land", "chuyen", reason="x", to_agency="STNMT")
    assert to_self.status_code == 409
    no_reason = await _act(console, officer, "land", "chuyen", to_agency="IGR")
    assert no_reason.status_code == 409 and "Lý do chuyển: chưa điền" in no_reason.text
    back = await _act(console, officer, "land", "chuyen", reason="Chưa rõ", to_agency="TRIAGE")
    assert back.status_code == 303 and await console.apply() == []
    assert (await console.router.case("land")).agency == "TRIAGE"
    moved = await console.router.published(event_type="case.transferred")
    assert [(e["from_agency"], e["to_agency"], e["by"]) for e in moved] == [
        ("STNMT", "TRIAGE", "cb.stnmt")
    ]


async def test_the_supervisor_assigns_a_triage_case_with_the_reason(console: Console) -> None:
    supervisor = await console.officer("gs.vpub", "VPUB", "supervisor")
    page = (await supervisor.get("/can-bo/ho-so/vague")).text
    assert "Giao hồ sơ cho cơ quan có thẩm quyền" in page and "Tiếp nhận hồ sơ" not in page
    done = await _act(
        console, supervisor, "vague", "giao", to_agency="SNV", reason="Về tuyển dụng công chức"
    )
    assert done.status_code == 303 and await console.apply() == []
    case = await console.router.case("vague")
    assert case.agency == "SNV"
    hops = await console.router.hops("vague")
    assert (hops[-1].step, hops[-1].decided_by, hops[-1].reason) == (
        "assign",
        "gs.vpub",
        "Về tuyển dụng công chức",
    )
    officer = await console.officer("cb.stnmt", "STNMT")
    assert (
        await _act(console, officer, "vague", "giao", to_agency="STNMT", reason="x")
    ).status_code == 404


async def test_an_answer_is_drafted_previewed_redacted_and_published_by_a_head(
    console: Console,
) -> None:
    officer = await console.officer("cb.stnmt", "STNMT")
    text = "Gửi bà Nguyễn Thị Hoa (0905 123 456): Sở đã trình UBND tỉnh sửa đổi hạn mức."
    empty = await _act(console, officer, "land", "du-thao", answer="", outcome="answered")
    assert empty.status_code == 400 and "Nội dung trả lời: chưa điền" in empty.text
    saved = await _act(
        console,
        officer,
        "land",
        "du-thao",
        answer=text,
        legal_basis="Luật Đất đai 2013",
        outcome="amendment_proposed",
        documents="Tờ trình số 12/TTr-STNMT",
    )
    assert saved.status_code == 303
    page = (await officer.get("/can-bo/ho-so/land")).text
    public = page.split("Bản sẽ công khai")[1].split("</div>")[0]
    assert "Sở đã trình UBND tỉnh" in public
    assert "Nguyễn Thị Hoa" not in public and "0905 123 456" not in public
    assert "Duyệt và công bố" not in page, "an officer cannot approve"
    draft_id = re.search(r"/can-bo/du-thao/(\d+)/huy", page)
    assert draft_id
    refused = await console.post_form(
        officer, "/can-bo/ho-so/land", f"/can-bo/du-thao/{draft_id.group(1)}/duyet", {}
    )
    assert refused.status_code == 403

    head = await console.officer("ld.stnmt", "STNMT", "head")
    approved = await console.post_form(
        head, "/can-bo/ho-so/land", f"/can-bo/du-thao/{draft_id.group(1)}/duyet", {}
    )
    assert approved.status_code == 303 and await console.apply() == []
    assert (await console.router.case("land")).status == "answered"
    (answered,) = await console.router.published(event_type="case.answered")
    assert answered["outcome"] == "amendment_proposed" and answered["answered_by"] == "cb.stnmt"
    assert answered["answer"].startswith(text)
    assert answered["answer"].endswith("Văn bản kèm theo:\n- Tờ trình số 12/TTr-STNMT")
    commands = console.router.bus.topics[console.router.topics.agency_actions]
    assert '"approved_by":"ld.stnmt"' in commands[-1].value.decode()
    again = await console.post_form(
        head, "/can-bo/ho-so/land", f"/can-bo/du-thao/{draft_id.group(1)}/duyet", {}
    )
    assert again.status_code == 409


async def test_a_draft_is_not_published_after_the_case_moved_away(console: Console) -> None:
    head = await console.officer("ld.stnmt", "STNMT", "head")
    await _act(console, head, "land", "du-thao", answer="Trả lời", outcome="answered")
    await _act(console, head, "land", "chuyen", reason="Không thuộc thẩm quyền", to_agency="IGR")
    assert await console.apply() == []
    approved = await console.post_form(head, "/can-bo/", "/can-bo/du-thao/1/duyet", {})
    assert approved.status_code == 404  # the case is no longer the agency's
    igr_head = await console.officer("ld.igr", "IGR", "head")
    page = (await igr_head.get("/can-bo/ho-so/land")).text
    assert "Dự thảo trả lời đang chờ duyệt" not in page  # the old agency's draft does not follow
    stale = await console.post_form(igr_head, "/can-bo/", "/can-bo/du-thao/1/duyet", {})
    assert stale.status_code == 409 and "chuyển sang cơ quan khác" in stale.text
    assert await console.apply() == [] and (await console.router.case("land")).status == "routed"


async def test_every_view_and_action_is_in_the_audit_log_the_supervisor_reads(
    console: Console,
) -> None:
    officer = await console.officer("cb.stnmt", "STNMT")
    await officer.get("/can-bo/ho-so/land")
    await _act(console, officer, "land", "tiep-nhan")
    assert (await officer.get("/can-bo/nhat-ky")).status_code == 403
    supervisor = await console.officer("gs.vpub", "VPUB", "supervisor")
    log = (await supervisor.get("/can-bo/nhat-ky?nguoi=cb.stnmt")).text
    for action in ("đăng nhập", "xem hồ sơ", "tiếp nhận hồ sơ"):
        assert action in log
    async with console.router.service.db.session() as session:
        from sqlmodel import select

        entries = (
            await session.exec(select(AuditEntry).where(AuditEntry.actor == "cb.stnmt"))
        ).all()
    take = next(e for e in entries if e.action == "take")
    assert take.case_id == "land" and take.event_id
