"""The office's admissibility policy: every word list, threshold and message (domain.md §3).

Words are written as people write them, with diacritics. They are matched on folded text,
whole words only; in a text typed with diacritics a word must also carry its own ("chứng
chỉ" is not the "chung chi" of kickbacks), while a text typed without them matches on the
folded form alone.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

_LAW_PAKN = "Nghị định số 20/2008/NĐ-CP (sửa đổi, bổ sung bởi Nghị định số 92/2017/NĐ-CP)"
_OUT_OF_SCOPE = f"không thuộc phạm vi tiếp nhận phản ánh, kiến nghị theo {_LAW_PAKN}"


class Messages(BaseModel):
    """What the submitter is told, per outcome (Vietnamese)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accepted: str = "Phản ánh, kiến nghị của Quý ông/bà đã được tiếp nhận và sẽ được xử lý."
    missing_contact: str = (
        "Phản ánh, kiến nghị chưa được tiếp nhận vì thiếu họ tên hoặc thông tin liên hệ "
        f"(địa chỉ hoặc số điện thoại) của người gửi, theo yêu cầu của {_LAW_PAKN}. "
        "Đề nghị Quý ông/bà bổ sung để được tiếp nhận."
    )
    not_vietnamese: str = (
        f"Phản ánh, kiến nghị chưa được tiếp nhận vì {_LAW_PAKN} yêu cầu sử dụng tiếng Việt. "
        "Đề nghị Quý ông/bà gửi lại bằng tiếng Việt. (Please resubmit in Vietnamese.)"
    )
    empty_content: str = (
        "Phản ánh, kiến nghị chưa được tiếp nhận vì chưa thể hiện rõ nội dung theo yêu cầu "
        f"của {_LAW_PAKN}. Đề nghị Quý ông/bà nêu cụ thể quy định hoặc thủ tục hành chính, "
        "vướng mắc gặp phải và đề xuất (nếu có)."
    )
    complaint_or_denunciation: str = (
        f"Nội dung Quý ông/bà gửi là khiếu nại hoặc tố cáo, {_OUT_OF_SCOPE}. Đề nghị Quý ông/bà gửi "
        "đơn đến Thanh tra tỉnh Gia Lai hoặc Ban Tiếp công dân tỉnh để được hướng dẫn, giải "
        "quyết theo Luật Khiếu nại năm 2011 hoặc Luật Tố cáo năm 2018."
    )
    complaint: str = (
        f"Nội dung Quý ông/bà gửi là khiếu nại, {_OUT_OF_SCOPE}. Đề nghị Quý ông/bà gửi đơn khiếu nại "
        "đến cơ quan đã ra quyết định, hoặc liên hệ Thanh tra tỉnh Gia Lai, Ban Tiếp công dân "
        "tỉnh để được hướng dẫn, giải quyết theo Luật Khiếu nại năm 2011."
    )
    denunciation: str = (
        f"Nội dung Quý ông/bà gửi là tố cáo, {_OUT_OF_SCOPE}. Đề nghị Quý ông/bà gửi đơn tố cáo đến "
        "Thanh tra tỉnh Gia Lai hoặc Ban Tiếp công dân tỉnh để được giải quyết theo Luật Tố "
        "cáo năm 2018."
    )
    not_administrative: str = (
        "Nội dung Quý ông/bà gửi không liên quan đến quy định, thủ tục hành chính nên "
        f"{_OUT_OF_SCOPE}. "
        "Đối với tranh chấp dân sự, Quý ông/bà có thể đề nghị hòa giải tại UBND cấp xã hoặc khởi "
        "kiện tại Tòa án nhân dân có thẩm quyền."
    )
    duplicate: str = (
        "Nội dung này trùng với phản ánh, kiến nghị Quý ông/bà đã gửi trước đó và được gộp vào "
        "hồ sơ đã tiếp nhận; Quý ông/bà tra cứu kết quả bằng mã số đã được cấp."
    )


class AdmissibilityPolicy(BaseModel):
    """The office's operating rules (see the module docstring for how words match)."""

    model_config = ConfigDict(frozen=True, extra="forbid")  # a misspelt setting must fail

    placeholder_names: tuple[str, ...] = (
        "ẩn danh", "giấu tên", "không tên", "không rõ", "chưa rõ", "không có", "người dân",
        "công dân", "nhân dân", "bà con", "cử tri", "người gửi", "người gọi", "khách",
        "bạn đọc", "nguyễn văn a", "nguyễn thị b", "n/a", "anonymous", "unknown", "x",
    )  # fmt: skip
    # A name that holds one of these signs for a group, not a person.
    group_markers: tuple[str, ...] = (
        "nhóm", "các hộ", "hộ dân", "nhiều hộ", "bà con", "tập thể", "cử tri", "người dân",
        "công dân", "đại diện", "và các", "cùng các",
    )  # fmt: skip
    honorifics: tuple[str, ...] = ("ông", "bà", "anh", "chị", "cô", "chú", "bác", "em", "cụ")
    min_name_words: int = 2  # Vietnamese full names: family name + given name at least
    placeholder_addresses: tuple[str, ...] = ("không", "không có", "không rõ", "chưa rõ", "n/a")
    min_address_words: int = 3  # "Pleiku" or "Gia Lai" alone is no postal address
    # A postal address reaches a person: it names a street, a hamlet or at least a commune
    # (or carries a house number), not only a district and the province.
    address_units: tuple[str, ...] = (
        "xã", "phường", "thị trấn", "thôn", "làng", "buôn", "plei", "tổ", "tổ dân phố",
        "khối", "ấp", "bản", "đường", "số", "hẻm", "kiệt", "ngõ", "ngách", "lô", "km",
        "quốc lộ",
    )  # fmt: skip
    min_content_words: int = 6
    # Words that state nothing on their own: pronouns, politeness, asking to be answered.
    # Fewer than `min_substantive_words` others (or `min_content_words`, if lower) is empty.
    min_substantive_words: int = 3
    filler_words: tuple[str, ...] = (
        "tôi", "mình", "em", "chúng tôi", "chúng em", "xin", "cho", "hỏi", "chút", "ạ", "à",
        "nhé", "nha", "nhá", "ơi", "với", "nhiều", "lắm", "rất", "mong", "muốn", "được",
        "sớm", "phản hồi", "trả lời", "liên hệ", "lại", "giúp", "vui lòng", "làm ơn", "chào",
        "quý", "cơ quan", "lãnh đạo", "anh", "chị", "ông", "bà", "tỉnh", "phản ánh",
        "kiến nghị", "nội dung", "như sau", "việc", "này", "về", "là", "có", "và", "thì",
        "mà", "để", "của", "các", "một", "đã", "sẽ", "đang", "vấn đề", "xem", "xét",
        "đề nghị", "kính đề nghị", "giải quyết", "kiểm tra", "hello", "hi", "ok", "test",
    )  # fmt: skip
    # Salutations run to the end of their sentence; closings are removed as they stand.
    salutations: tuple[str, ...] = ("kính gửi", "kính thưa", "xin chào", "dear")
    closings: tuple[str, ...] = (
        "xin chân thành cảm ơn", "xin trân trọng cảm ơn", "trân trọng cảm ơn", "xin cảm ơn",
        "cảm ơn", "trân trọng", "kính thư", "thân ái", "thank you", "best regards",
    )  # fmt: skip
    # Letters only Vietnamese uses (beyond Latin-1), and the share of words shaped like
    # Vietnamese syllables: either one marks a Vietnamese text, with or without diacritics.
    min_vietnamese_letter_share: float = 0.05
    min_syllable_share: float = 0.75
    # Each of these alone accuses someone of wrongdoing.
    denunciation_terms: tuple[str, ...] = (
        "tố cáo", "tham nhũng", "hối lộ", "tham ô", "lót tay", "vòi tiền", "vòi vĩnh",
        "ăn chặn", "biển thủ", "lập khống", "danh sách khống", "chi khống", "bôi trơn",
        "chung chi", "bao che", "trù dập", "lạm quyền", "lợi dụng chức vụ", "hành vi nhận tiền",
        "bỏ túi riêng", "phong bì cho cán bộ", "bỏ phong bì", "đưa phong bì", "nhận phong bì",
        "tiền chạy việc", "chạy chọt", "ăn tiền",
    )  # fmt: skip
    # Money changing hands is also how citizens describe benefits paid late, so it
    # accuses only with a second one of these, or with a sign of wrongdoing below.
    bribery_terms: tuple[str, ...] = ("nhận tiền", "đưa tiền", "đòi tiền", "bồi dưỡng")
    wrongdoing_signs: tuple[str, ...] = (
        "xác minh", "xử lý nghiêm", "sai phạm", "tiêu cực", "vi phạm pháp luật",
        "không có biên lai", "không biên lai", "không viết biên lai",
    )  # fmt: skip
    complaint_terms: tuple[str, ...] = ("khiếu nại", "khiếu kiện")
    # The word alone is how some people say "I am unhappy": it makes a complaint when the
    # item also speaks of a decision or a refusal on the sender's own case.
    decision_terms: tuple[str, ...] = (
        "quyết định", "văn bản", "công văn", "thông báo", "kết luận", "kết quả giải quyết",
        "từ chối", "không cấp", "thu hồi", "xử phạt", "kỷ luật", "bồi thường", "biên bản",
    )  # fmt: skip
    # A complaint without the word: a decision on the sender's own case...
    contested_acts: tuple[str, ...] = (
        "quyết định kỷ luật", "quyết định xử phạt", "quyết định thu hồi", "quyết định cưỡng chế",
        "quyết định bồi thường", "quyết định giải quyết", "văn bản trả lời", "văn bản từ chối",
        "công văn trả lời", "thông báo từ chối", "từ chối cấp", "kỷ luật tôi", "xử phạt tôi",
        "biên bản vi phạm", "phương án bồi thường", "kết quả giải quyết", "kết quả xét tuyển",
        "kết quả thi", "kết quả phúc khảo", "kết quả bình xét", "không trúng tuyển",
    )  # fmt: skip
    # ...that the sender asks to be reviewed or annulled.
    contest_requests: tuple[str, ...] = (
        "xem xét lại", "hủy quyết định", "hủy bỏ quyết định", "thu hồi quyết định",
        "không đồng ý với", "không đồng tình với", "không chấp nhận quyết định",
        "giải quyết lại", "không thỏa đáng", "kiểm đếm lại",
    )  # fmt: skip
    # Phrases in which the words above speak of a regulation, a payment or a certificate,
    # or say that the item is not a complaint.
    scope_exemptions: tuple[str, ...] = (
        "luật tố cáo", "luật khiếu nại", "thủ tục khiếu nại", "thủ tục tố cáo",
        "quy định về khiếu nại", "quy định về tố cáo", "không phải tố cáo",
        "không phải là tố cáo", "không phải khiếu nại", "không phải là khiếu nại",
        "không khiếu nại", "chưa khiếu nại", "không tố cáo", "không có ý tố cáo",
        "chưa nhận tiền", "được nhận tiền",
        "nhận tiền trợ cấp", "nhận tiền hỗ trợ", "nhận tiền bồi thường", "nhận tiền đền bù",
        "nhận tiền lương", "xem xét lại quy định", "xem xét lại mức", "xem xét lại chính sách",
        "xem xét lại thủ tục", "không đồng ý với quy định",
        "chứng chỉ hành nghề", "cấp chứng chỉ", "chứng chỉ ngoại ngữ", "chứng chỉ tin học",
    )  # fmt: skip
    # Disputes between private parties: loans and debts, purchases, boundaries, family,
    # quarrels.
    private_terms: tuple[str, ...] = (
        "hàng xóm", "nhà bên cạnh", "nhà kế bên", "tranh chấp", "lấn chiếm", "lấn sang",
        "vay tiền", "cho vay", "cho tôi vay", "xin vay", "khoản vay", "mượn tiền", "đòi nợ",
        "trả nợ", "vỡ nợ", "vỡ hụi", "ly hôn", "ngoại tình", "đánh nhau", "chửi bới",
        "đặt cọc", "lừa đảo", "xin tiền", "tiền lãi", "tính lãi", "vay của", "giấy vay",
        "cãi vã", "đe dọa", "cấp dưỡng", "quỵt", "bị lừa",
        "lấy lại tiền", "đòi lại tiền", "người bán", "không giao hàng", "mua hàng",
    )  # fmt: skip
    # Words of regulations and procedures; naming an agency alone does not count,
    # since almost every letter is addressed to one.
    administrative_terms: tuple[str, ...] = (
        "thủ tục", "hồ sơ", "quy định", "quy chế", "quy hoạch", "giấy phép", "giấy chứng nhận",
        "giấy xác nhận", "giấy tờ", "chứng thực", "đăng ký", "một cửa", "dịch vụ công",
        "lệ phí", "chính sách", "luật", "nghị định", "nghị quyết", "quyết định", "thông tư",
        "hành chính", "cán bộ", "công chức", "trợ cấp", "mức hỗ trợ", "kiểm định", "kiểm dịch",
        "cấp phép", "ban hành", "thẩm định", "phê duyệt", "thuế", "bảo hiểm", "kế hoạch",
        "thuộc diện", "trợ giúp pháp lý", "hộ nghèo", "hộ cận nghèo",
    )  # fmt: skip
    messages: Messages = Messages()


DEFAULT = AdmissibilityPolicy()
