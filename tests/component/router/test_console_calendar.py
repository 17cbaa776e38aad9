"""The calendar page: each year's weekdays off and where they come from."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.unit.router.console_support import Console


async def test_each_year_shows_its_days_off_and_its_source(tmp_path: Path) -> None:
    console = await Console.start(tmp_path, today=date(2026, 12, 2))
    try:
        officer = await console.officer("cb.snnmt", "SNNMT")
        page = (await officer.get("/can-bo/lich-nghi")).text
    finally:
        await console.close()
    assert 'href="/can-bo/lich-nghi"' in page  # linked from the console's navigation
    row_2026 = page[page.index('<th scope="row">2026</th>') :].split("</tr>")[0]
    assert "16/02/2026" in row_2026 and "20/02/2026" in row_2026  # Tết Bính Ngọ
    assert "14/02/2026" not in row_2026  # a Saturday: off anyway, not listed
    assert "Lịch chính thức" in row_2026
    row_2027 = page[page.index('<th scope="row">2027</th>') :].split("</tr>")[0]
    assert "Theo quy tắc" in row_2027 and "04/02/2027" in row_2027  # next year, by the rule
