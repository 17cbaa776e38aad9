"""Shared vocabulary: the codes that travel in the events with a meaning of their own, and
the one Vietnamese label of each code that a citizen or an officer reads.

Intake's receipts, the router's console and the notifier's pages and mails all take their
labels from here, so that a channel or a deadline is called the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from schemas.submission import Channel

# Where an agency code goes (`CaseRouted.agency`, `router_case.agency`, …): the triage
# queue, not an agency. The provincial office works it and receives the escalations.
TRIAGE = "TRIAGE"
PROVINCIAL_OFFICE = "VPUB"  # Văn phòng UBND tỉnh

# The channel a case came in by (`Submission.channel`).
CHANNEL_VI: Mapping[str, str] = {
    Channel.WEB.value: "Cổng thông tin (biểu mẫu trực tuyến)",
    Channel.PORTAL.value: "Cổng dịch vụ công",
    Channel.EMAIL.value: "Thư điện tử",
    Channel.HOTLINE.value: "Đường dây nóng",
    Channel.POST.value: "Bưu chính / nộp trực tiếp",
}

# A case's deadlines (`schemas.events.Stage`): "hạn <label>", "quá hạn <label>".
STAGE_VI: Mapping[str, str] = {
    "classify": "phân loại",
    "forward": "chuyển xử lý",
    "answer": "trả lời",
}

# What a case is about (`CaseRouted.case_class`) and what it asks (`CaseRouted.kind`).
CLASS_VI: Mapping[str, str] = {
    "regulation": "Quy định hành chính",
    "behaviour": "Hành vi hành chính",
}
KIND_VI: Mapping[str, str] = {"phan_anh": "Phản ánh", "kien_nghi": "Kiến nghị"}

# Why the intake refused an item (`CaseRefused.reason`, the codes of interfaces.md §2).
REFUSAL_VI: Mapping[str, str] = {
    "missing_contact": "Thiếu họ tên hoặc thông tin liên hệ của người gửi",
    "not_vietnamese": "Không viết bằng tiếng Việt",
    "empty_content": "Nội dung không rõ ràng",
    "complaint_or_denunciation": "Là khiếu nại, tố cáo (không thuộc phạm vi phản ánh, kiến nghị)",
    "duplicate": "Trùng với một phản ánh, kiến nghị đã tiếp nhận",
    "not_administrative": "Không liên quan đến quy định, thủ tục hành chính",
}
