"""What was wrong with an item, in Vietnamese, tied to the field the sender must fix."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

FIELD_VI = {
    "name": "Họ và tên",
    "organization": "Tổ chức",
    "submitter_type": "Người gửi là",
    "content": "Nội dung",
    "email": "Thư điện tử",
    "phone": "Số điện thoại",
    "address": "Địa chỉ",
    "title": "Tiêu đề",
    "regulation": "Văn bản quy định",
    "received_at": "Thời điểm nhận",
    "channel": "Kênh",
    "channel_ref": "Số hiệu của kênh",
    "attachments": "Tệp đính kèm",
    "extra": "Thông tin thêm",
    "call_time": "Thời điểm cuộc gọi",
    "call_id": "Mã cuộc gọi",
    "operator_id": "Mã cán bộ trực",
    "caller_name": "Họ và tên người gọi",
    "caller_address": "Địa chỉ người gọi",
    "caller_phone": "Số điện thoại người gọi",
    "caller_email": "Thư điện tử người gọi",
    "transcript": "Nội dung cuộc gọi",
    "letter_no": "Số đến",
    "received_on": "Ngày nhận",
    "received_time": "Giờ nhận",
    "clerk_id": "Mã cán bộ vào sổ",
    "sender_name": "Họ và tên người gửi",
    "sender_address": "Địa chỉ người gửi",
    "sender_phone": "Số điện thoại người gửi",
    "sender_email": "Thư điện tử người gửi",
    "text": "Nội dung thư",
}


@dataclass(frozen=True)
class Problem:
    """One thing to fix; `field` is the form field's id (None: the whole item)."""

    message: str
    field: str | None = None

    def __str__(self) -> str:
        return self.message


def explain(error: ValidationError, *, labels: dict[str, str] | None = None) -> list[Problem]:
    """Vietnamese messages for the person who filled the form or sent the JSON."""
    names = {**FIELD_VI, **(labels or {})}
    problems = []
    for item in error.errors():
        key = str(item["loc"][0]) if item["loc"] else ""
        label = names.get(key, "Dữ liệu")
        field = key if key in names else None
        problems.append(Problem(_message(item, label), field))
    return problems


def _message(item: ErrorDetails, label: str) -> str:
    kind = item["type"]
    if kind in {"string_too_long", "too_long"}:
        return f"{label}: quá dài."
    if kind == "missing":
        return f"{label}: chưa điền."
    if kind == "extra_forbidden":
        return f"Trường không được hỗ trợ: {item['loc'][-1] if item['loc'] else '?'}."
    if kind == "json_invalid":
        return "Dữ liệu gửi lên không phải JSON hợp lệ (mã UTF-8)."
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return "Dữ liệu phải là một đối tượng JSON với các trường của phản ánh, kiến nghị."
    if kind in {
        "datetime_parsing",
        "datetime_type",
        "datetime_from_date_parsing",
        "timezone_aware",
    }:
        return f"{label}: không đúng dạng ngày giờ (ví dụ 2023-01-18T09:30:00+07:00)."
    if kind == "enum":
        return f"{label}: giá trị không được hỗ trợ."
    if kind == "value_error" and item["loc"] and item["loc"][0] == "received_at":
        return f"{label}: phải ghi kèm múi giờ, ví dụ 2023-01-18T09:30:00+07:00."
    if kind in {"string_type", "list_type", "int_type"}:
        return f"{label}: sai kiểu dữ liệu."
    return f"{label}: không hợp lệ."
