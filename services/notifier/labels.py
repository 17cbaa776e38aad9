"""The Vietnamese words the public pages, feeds and e-mails use for the notifier's own codes
(the channels, deadlines, classes and kinds every service names: `schemas.vocabulary`)."""

from __future__ import annotations

from datetime import date, datetime

from schemas.timezone import VIETNAM

STATUS_VI = {
    "received": "Đã tiếp nhận",
    "refused": "Không được tiếp nhận",
    "routed": "Đang xử lý",
    "waiting_info": "Chờ người gửi bổ sung thông tin",
    "answered": "Đã trả lời",
}
TRIAGE_STATUS_VI = "Đang phân loại, chọn cơ quan xử lý"
OUTCOME_VI = {
    "answered": "Đã trả lời",
    "regulation_amended": "Quy định đã được sửa đổi",
    "amendment_proposed": "Đã kiến nghị sửa đổi quy định",
}
REFUSAL_VI = {
    "missing_contact": "Thiếu họ tên hoặc thông tin liên hệ của người gửi",
    "not_vietnamese": "Không viết bằng tiếng Việt",
    "empty_content": "Nội dung không rõ ràng",
    "complaint_or_denunciation": "Là khiếu nại, tố cáo (không thuộc phạm vi phản ánh, kiến nghị)",
    "duplicate": "Trùng với một phản ánh, kiến nghị đã tiếp nhận",
    "not_administrative": "Không liên quan đến quy định, thủ tục hành chính",
}
GUIDANCE_VI = {"TTR": "Thanh tra tỉnh Gia Lai hoặc Ban Tiếp công dân tỉnh"}


def vn_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def vn_datetime(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


def local_day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


def vn_decimal(value: float | None) -> str:
    """One decimal with the Vietnamese decimal comma: 2,5."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",")
