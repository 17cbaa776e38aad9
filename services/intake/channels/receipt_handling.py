"""What the receipt says of who handles a case and by when: the agency and the dates the
router set (`CaseRouting`, kept from its case events by services/intake/routing_news.py),
or, before the router's first word on the case, that the agency is being decided and the
regulation's general periods. Pure: the receipt's route loads the row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from schemas.vocabulary import TRIAGE
from services.intake.models import CaseRouting

NATIONAL = "QG"  # the national PAKN system: a case routed there leaves the province
Where = Literal["unknown", "triage", "agency", "national"]


@dataclass(frozen=True)
class Handling:
    """`where`: `unknown` (not routed yet), `triage` (the office is choosing the agency),
    `agency` (an agency of the province has it) or `national` (sent to the national system).
    Dates as the receipt prints them (dd/mm/yyyy), empty while unknown."""

    where: Where
    agency_name: str = ""
    due_classify: str = ""
    due_forward: str = ""
    due_answer: str = ""
    extended: bool = False
    waiting_info: bool = False
    answered_on: str = ""

    @property
    def known(self) -> bool:
        return self.where != "unknown"

    @property
    def status_vi(self) -> str:
        """The receipt's "Tình trạng" of an accepted case."""
        if self.answered_on:
            return f"Đã được trả lời ngày {self.answered_on}"
        if self.waiting_info:
            return "Đang chờ người gửi bổ sung thông tin (thời hạn tạm dừng)"
        match self.where:
            case "unknown":
                return "Đã tiếp nhận, đang chờ phân loại"
            case "triage":
                return "Đã tiếp nhận, đang phân loại"
            case "national":
                return "Đã chuyển đến cơ quan trung ương"
            case "agency":
                return "Đã chuyển đến cơ quan có thẩm quyền"


def handling(routing: CaseRouting | None) -> Handling:
    if routing is None:
        return Handling("unknown")
    return Handling(
        _where(routing.agency),
        agency_name=routing.agency_name or routing.agency,
        due_classify=vn_day(routing.due_classify),
        due_forward=vn_day(routing.due_forward),
        due_answer=vn_day(routing.due_answer),
        extended=routing.extended,
        waiting_info=routing.waiting_info,
        answered_on=vn_day(routing.answered_on),
    )


def _where(agency: str) -> Where:
    if agency == TRIAGE:
        return "triage"
    return "national" if agency == NATIONAL else "agency"


def vn_day(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""
