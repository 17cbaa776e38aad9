"""The office's page of e-mails that did not go out: Vietnamese, addresses masked."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from services.notifier.models import Delivery
from services.notifier.office import mask
from tests.support import STAFF_SECRET, office_pass
from tests.unit.notifier.builders import (
    HOA,
    accepted,
    apply,
    client,
    code,
    migrated_notifier,
    routed,
)


def test_addresses_are_masked_everywhere_in_a_text() -> None:
    reply = "550 5.1.1 <hoa.nguyen@example.com>: Recipient address rejected"
    assert mask(reply) == "550 5.1.1 <h***@example.com>: Recipient address rejected"
    assert mask(None) == ""


async def test_failed_uncertain_and_waiting_mails_are_listed_without_bodies(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, staff_secret=STAFF_SECRET)
    tc = code()
    await apply(service, accepted("c1", tc, **HOA), routed("c1", tc))
    async with service.db.transaction() as session:
        rows = (await session.exec(select(Delivery).order_by(col(Delivery.id)))).all()
        rows[0].status, rows[0].last_error = "failed", "550 5.1.1 <hoa.nguyen@example.com> unknown"
        rows[1].status = "uncertain"
        rows[2].status = "sent"
        for row in rows:
            session.add(row)
    async with client(service) as http:
        page = (await http.get("/van-phong/thu-dien-tu", cookies=office_pass())).text
    assert '<html lang="vi">' in page and "Thư điện tử chưa gửi được" in page
    assert "Không gửi được" in page and "Không rõ đã gửi hay chưa" in page
    assert "h***@example.com" in page and "hoa.nguyen@example.com" not in page
    assert "Mã tra cứu" not in page  # no message body
    assert page.count(f">{tc}</a>") == 2  # the sent one is not listed
    await service.db.dispose()


async def test_the_page_is_for_logged_in_office_officers_only(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, staff_secret=STAFF_SECRET)
    async with client(service) as http:
        anonymous = await http.get("/van-phong/thu-dien-tu")
        forged = await http.get("/van-phong/thu-dien-tu", cookies=office_pass(secret="guess"))
        district = await http.get("/van-phong/thu-dien-tu", cookies=office_pass("PLK"))
    assert anonymous.status_code == forged.status_code == 303
    # through the console: it renews the pass while the login lasts, else asks for it
    assert anonymous.headers["location"] == "/can-bo/the-noi-bo?next=%2Fvan-phong%2Fthu-dien-tu"
    assert district.status_code == 403
    unconfigured = await migrated_notifier(tmp_path / "other")
    async with client(unconfigured) as http:
        assert (await http.get("/van-phong/thu-dien-tu", cookies=office_pass())).status_code == 503
    await service.db.dispose()
    await unconfigured.db.dispose()
