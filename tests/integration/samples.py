"""Submissions for the integration tests, built from the labelled sample file's shape."""

from __future__ import annotations

from schemas.events import SubmissionReceived
from schemas.submission import Submission

DISTRICT_ITEM = {
    "channel": "hotline",
    "received_at": "2023-03-06T08:15:00+07:00",
    "name": "Trần Văn Bình",
    "address": "thôn 3, xã Ia Kha, huyện Ia Grai, tỉnh Gia Lai",
    "phone": "0914 222 333",
    "title": "Chậm cấp giấy chứng nhận quyền sử dụng đất",
    "content": (
        "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất tại bộ phận một cửa UBND huyện "
        "Ia Grai từ tháng 12/2022, quá hạn đã lâu nhưng chưa được giải quyết, đề nghị kiểm tra."
    ),
}


def submission_event(ref: str, **changes: str) -> bytes:
    fields = {**DISTRICT_ITEM, "channel_ref": ref, **changes}
    event = SubmissionReceived(correlation_id=ref, submission=Submission.model_validate(fields))
    return event.model_dump_json().encode()
