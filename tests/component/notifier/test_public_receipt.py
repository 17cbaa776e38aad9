"""Issue 10, items 3 and 6: the status page by code shows what the public answers show,
and the receipt e-mailed to an unverified address carries no text the submitter typed."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from services.notifier.models import Delivery
from tests.unit.notifier.builders import HOA, accepted, apply, client, code, migrated_notifier

PHISHING = "Quý khách trúng thưởng, nhận quà tại http://lua-dao.example"


async def test_the_status_page_by_code_shows_only_the_redacted_text(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tracking_code = code()
    title = f"{HOA['name']} ({HOA['phone']}) kiến nghị sửa hạn mức đất ở"
    await apply(service, accepted("case-1", tracking_code, **{**HOA, "title": title}))
    async with client(service) as http:
        page = await http.get(f"/tra-cuu/{tracking_code}")
        status = await http.get(f"/api/cases/{tracking_code}")
    assert page.status_code == 200 and tracking_code in page.text
    for private in (HOA["name"], "0905 123 456", "0905123456", HOA["email"], "45 Lê Lợi"):
        assert private not in page.text and private not in status.text
    assert "hạn mức đất ở" in page.text  # the rest of the title, as the answers list shows it
    await service.db.dispose()


async def test_the_receipt_mail_names_nobody_and_quotes_nothing(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tracking_code = code()
    item = {**HOA, "name": PHISHING, "title": PHISHING, "email": "victim@example.com"}
    await apply(service, accepted("case-2", tracking_code, **item))
    async with service.db.session() as session:
        (mail,) = (await session.exec(select(Delivery))).all()
    assert mail.template == "receipt" and mail.recipient == "victim@example.com"
    for part in (mail.subject, mail.body_text, mail.body_html or ""):
        assert "lua-dao" not in part and "trúng thưởng" not in part
        assert tracking_code in part
    assert mail.body_text.startswith("Kính gửi Quý ông/bà,")
    assert f"/tra-cuu/{tracking_code}" in mail.body_text
    await service.db.dispose()
