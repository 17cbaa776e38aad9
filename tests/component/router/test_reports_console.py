"""The reports page and its downloads in the console: the province for the office, one's own
agency for everyone else, whatever URL or parameter is tried."""

from __future__ import annotations

from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import col, select

from services.router.audit import ACTION_VI
from services.router.models import AuditEntry
from tests.component.router.test_reports import TODAY, _seed
from tests.unit.router.console_support import Console

PAGE = "/can-bo/bao-cao"
Q1 = {"nam": "2026", "quy": "1"}


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path, today=TODAY)
    await _seed(harness)
    yield harness
    await harness.close()


def _summary(book_bytes: bytes) -> dict[object, object]:
    sheet = load_workbook(BytesIO(book_bytes))["Tổng hợp"]
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}


async def test_logged_out_visitors_are_sent_to_the_login_page(console: Console) -> None:
    client = console.client()
    for path in (PAGE, PAGE + ".xlsx", PAGE + ".pdf"):
        response = await client.get(path, params=Q1)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/can-bo/dang-nhap")


async def test_the_office_sees_the_province_and_any_agency(console: Console) -> None:
    client = await console.officer("gs.vpub", "VPUB", "supervisor")
    page = await client.get(PAGE, params=Q1)
    assert page.status_code == 200
    html = page.text
    assert "Toàn tỉnh — Quý I năm 2026" in html
    assert '<svg role="img" aria-labelledby="bieu-do-kenh-ten bieu-do-kenh-mo-ta"' in html
    assert "bảng thay thế cho biểu đồ" in html and "<script" not in html
    assert 'href="/can-bo/bao-cao?nam=2026&amp;quy=2"' in html  # one click per quarter
    assert 'href="/can-bo/bao-cao.xlsx?nam=2026&amp;quy=1"' in html
    assert page.headers["cache-control"] == "no-store"

    workbook = await client.get(PAGE + ".xlsx", params=Q1)
    assert workbook.status_code == 200
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "bao-cao-pakn-tinh-2026-Q1.xlsx" in workbook.headers["content-disposition"]
    assert (
        _summary(workbook.content)[
            "Số phản ánh, kiến nghị tiếp nhận trong kỳ (được chấp nhận xử lý)"
        ]
        == 5
    )

    one = await client.get(PAGE + ".xlsx", params={**Q1, "co_quan": "STP"})
    assert (
        _summary(one.content)["Số phản ánh, kiến nghị tiếp nhận trong kỳ (được chấp nhận xử lý)"]
        == 2
    )
    document = await client.get(PAGE + ".pdf", params={**Q1, "co_quan": "STNMT"})
    assert document.status_code == 200 and document.content.startswith(b"%PDF-")
    text = " ".join(PdfReader(BytesIO(document.content)).pages[0].extract_text().split())
    assert "Sở Tài nguyên và Môi trường" in text

    unknown = await client.get(PAGE, params={**Q1, "co_quan": "KHONGCO"})
    assert unknown.status_code == 400 and "không có trong danh mục" in unknown.text


async def test_the_province_page_shows_the_refusals_by_reason(console: Console) -> None:
    client = await console.officer("gs.vpub", "VPUB", "supervisor")
    html = (await client.get(PAGE, params=Q1)).text
    assert (
        '<tr><th scope="row">Tổng số nhận được trong kỳ (được tiếp nhận và không được tiếp '
        "nhận)</th><td>8</td></tr>" in html
    )
    assert '<a href="#khong-tiep-nhan">theo lý do</a>)</th><td>3</td>' in html
    assert '<h2 id="khong-tiep-nhan">Không được tiếp nhận, theo lý do</h2>' in html
    assert '<svg role="img" aria-labelledby="bieu-do-ly-do-ten bieu-do-ly-do-mo-ta"' in html
    table = html[html.index('<table id="bang-ly-do">') :]
    table = table[: table.index("</table>")]
    assert "Không được tiếp nhận, theo lý do (bảng thay thế cho biểu đồ)" in table
    for reason, count in (
        ("Thiếu họ tên hoặc thông tin liên hệ của người gửi", 1),
        ("Trùng với một phản ánh, kiến nghị đã tiếp nhận", 2),
        ("Không viết bằng tiếng Việt", 0),
    ):
        assert f'<tr><th scope="row">{reason}</th><td>{count}</td></tr>' in table
    assert '<tfoot><tr><th scope="row">Cộng</th><td>3</td></tr></tfoot>' in table

    book = load_workbook(BytesIO((await client.get(PAGE + ".xlsx", params=Q1)).content))
    reasons = dict(book["Không tiếp nhận"].iter_rows(min_row=2, values_only=True))
    assert reasons["Trùng với một phản ánh, kiến nghị đã tiếp nhận"] == 2
    assert reasons["Cộng"] == 3
    document = (await client.get(PAGE + ".pdf", params=Q1)).content
    reader = PdfReader(BytesIO(document))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Thiếu họ tên hoặc thông tin liên hệ của người gửi 1" in text
    assert "Số không được tiếp nhận trong kỳ 3" in text


async def test_an_agency_page_says_refusals_are_the_province_s(console: Console) -> None:
    client = await console.officer("cb.stp", "STP")
    html = (await client.get(PAGE, params=Q1)).text
    assert '<h2 id="khong-tiep-nhan">Không được tiếp nhận, theo lý do</h2>' in html
    assert '<p id="pham-vi-khong-tiep-nhan">Báo cáo của một cơ quan chỉ gồm' in html
    assert "số không được tiếp nhận (theo lý do) có trong báo cáo toàn tỉnh" in html
    assert "bang-ly-do" not in html and "Trùng với một phản ánh" not in html
    assert "Tổng số nhận được trong kỳ" not in html


async def test_report_views_and_downloads_are_in_the_audit_log(console: Console) -> None:
    office = await console.officer("gs.vpub", "VPUB", "supervisor")
    await office.get(PAGE, params=Q1)
    await office.get(PAGE + ".xlsx", params={**Q1, "co_quan": "STP"})
    agency = await console.officer("cb.stp", "STP")
    await agency.get(PAGE + ".pdf", params={"tu_ngay": "2026-03-01", "den_ngay": "2026-03-15"})
    refused = await agency.get(PAGE + ".pdf", params={**Q1, "co_quan": "STNMT"})
    assert refused.status_code == 403  # nothing shown: no "report" entry
    async with console.router.service.db.session() as session:
        query = select(AuditEntry).where(AuditEntry.action == "report")
        found = (await session.exec(query.order_by(col(AuditEntry.id)))).all()
    assert [(e.actor, e.agency, e.detail) for e in found] == [
        ("gs.vpub", "VPUB", "page TINH 2026-Q1"),
        ("gs.vpub", "VPUB", "xlsx STP 2026-Q1"),
        ("cb.stp", "STP", "pdf STP 2026-03-01_2026-03-15"),
    ]
    assert all(e.address for e in found)
    assert ACTION_VI["report"] == "xem, tải báo cáo"
    log = await office.get("/can-bo/nhat-ky", params={"action": "report"})
    assert log.status_code == 200 and "xem, tải báo cáo" in log.text


async def test_an_agency_sees_its_own_report_only(console: Console) -> None:
    client = await console.officer("cb.stp", "STP")
    page = await client.get(PAGE, params=Q1)
    assert page.status_code == 200
    assert "Sở Tư pháp — Quý I năm 2026" in page.text
    assert "Toàn tỉnh" not in page.text
    assert "Sở Tài nguyên và Môi trường</th>" not in page.text  # no other agency's line
    assert 'name="co_quan"' not in page.text  # no scope to choose
    own = await client.get(PAGE + ".xlsx", params={**Q1, "co_quan": "STP"})
    assert _summary(own.content)["Số hồ sơ cơ quan khác chuyển đến trong kỳ"] == 1

    for scope in ("STNMT", "TINH", "TRIAGE", "VPUB", "stp", "KHONGCO"):
        for path in (PAGE, PAGE + ".xlsx", PAGE + ".pdf"):
            response = await client.get(path, params={**Q1, "co_quan": scope})
            assert response.status_code == 403, (scope, path)
            assert "text/html" in response.headers["content-type"]
            assert "Sở Tài nguyên và Môi trường" not in response.text
            assert "Bạn chỉ xem được báo cáo của cơ quan mình." in response.text


async def test_a_head_of_another_agency_is_refused_too(console: Console) -> None:
    client = await console.officer("ld.stnmt", "STNMT", "head")
    refused = await client.get(PAGE + ".pdf", params={**Q1, "co_quan": "STP"})
    assert refused.status_code == 403
    repeated = await client.get(f"{PAGE}.xlsx?nam=2026&quy=1&co_quan=STNMT&co_quan=STP")
    assert repeated.status_code == 403  # the last of repeated values is the one taken


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"nam": "2026", "quy": "5"}, "Quý phải là 1, 2, 3 hoặc 4."),
        ({"nam": "²", "quy": "1"}, "Năm phải là một số"),
        ({"nam": "1999", "quy": "1"}, "Năm phải từ 2000 đến 2100."),
        ({"tu_ngay": "2026-02-30"}, "Từ ngày: ngày không hợp lệ"),
        ({"tu_ngay": "2026-03-01", "den_ngay": "2026-02-01"}, "Ngày kết thúc phải sau"),
        ({"den_ngay": "9999-12-31"}, "Đến ngày: chỉ nhận ngày"),
    ],
)
async def test_a_bad_period_is_explained(
    console: Console, params: dict[str, str], message: str
) -> None:
    client = await console.officer("cb.stp", "STP")
    page = await client.get(PAGE, params=params)
    assert page.status_code == 400 and message in page.text
    download = await client.get(PAGE + ".pdf", params=params)
    assert download.status_code == 400 and message in download.text


async def test_a_range_of_days_and_the_default_quarter(console: Console) -> None:
    client = await console.officer("cb.stp", "STP")
    ranged = await client.get(PAGE, params={"tu_ngay": "2026-03-01", "den_ngay": "2026-03-15"})
    assert ranged.status_code == 200
    assert "từ ngày 01/03/2026 đến ngày 15/03/2026" in ranged.text
    assert 'href="/can-bo/bao-cao.pdf?tu_ngay=2026-03-01&amp;den_ngay=2026-03-15"' in ranged.text
    current = await client.get(PAGE)
    assert "Quý II năm 2026" in current.text  # today (20 May 2026) is in the second quarter
    whole_quarter = await client.get(
        PAGE, params={"tu_ngay": "2026-01-01", "den_ngay": "2026-03-31"}
    )
    assert "Quý I năm 2026" in whole_quarter.text
    year = await client.get(PAGE, params={"nam": "2026"})
    assert "từ ngày 01/01/2026 đến ngày 31/12/2026" in year.text
