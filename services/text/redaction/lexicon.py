"""Word lists behind the redaction rules (data, kept apart from the matching code).

Surnames are the anchor of name detection: almost every Vietnamese, Jrai and Bahnar
name starts with one, so "surname + capitalised words" finds names with few false
alarms. The other lists are the exceptions that keep public information readable.
"""

from __future__ import annotations

from services.kit.text import fold
from services.text.redaction.base import Lexicon

SURNAMES = Lexicon.of(
    """
    Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh
    Đoàn Lâm Mai Tô Hà Cao Lương Châu Tạ Trương Lưu Kiều Quách Thái Triệu Tăng Tôn Lã
    Lạc Lục Mạc Khổng Khúc Nghiêm Phùng Quan Thân Thạch Tiêu Vương Giang Giáp Hàn Hầu
    Hứa Lò Nông Sầm Tống Bạch Cù Chu Chung Diệp Doãn Đàm Đào Khương Lại Quản Thiều
    Lữ Bế Trình Mẫn Chế Ninh Âu Nhâm Ngụy Cấn Biện Ôn Mã Kha
    Kpă Ksor Siu Nay Puih Kpuih Rmah Rchăm Hiao Niê Êban Mlô Byă Ktla Knul Rcom Rơ Rah
    """
)
# First words of multi-word Jrai surnames ("Rơ Mah", "Rah Lan"): not a name on their own.
SURNAME_PREFIXES = Lexicon.of("Rơ Rah")

# Plain-ASCII spellings that are ordinary words when the text has diacritics ("Do" =
# because, "Ha", "To"), so they only count as surnames in text typed without marks.
ASCII_AMBIGUOUS = frozenset(
    ["do", "to", "ha", "ho", "le", "ta", "ly", "lam", "ma", "la", "tu", "van"]
)

# Middle names never end a name: "Do Văn phòng" is not a person called "Do Văn".
MIDDLE_ONLY = frozenset({"van", "thi"})

# Capitalised words that are never part of a person's name.
NOT_NAME = Lexicon.of(
    """
    Sở Bộ Ban Phòng Cục Ủy Uỷ Viện Tòa Toà Huyện Xã Tỉnh Phường Quận Đường Phố Thôn Làng
    Buôn Xóm Ấp Ia Chư Kon Đak Đăk Đắk Krông Plei Pleiku Tết Luật Nghị Quyết Thông Điều
    Khoản Ngày Tháng Tôi Chúng Kính Xin Theo Nếu Khi Tại Vì Nhưng Và Hoặc Các Những
    Trong Ngoài Sau Trước Đến Người Đảng Nhà Đề Hội Đội Cổng Phó Trưởng Chủ Giám Tổng Cán
    Tiếng Dược Zalo Facebook Email Hotline Website Dear Sir Madam Thank Thanks Best Regards
    """
)

# Common given and middle names. Typed without diacritics they collide with words of
# the stop lists ("Trọng"/"Trong", "Diệu"/"Điều", "Dương"/"Đường"), which then must
# not cut a name short.
GIVEN_NAMES = Lexicon.of(
    """
    An Anh Bảo Bích Bình Cường Chi Châu Công Cúc Dũng Dung Duy Duyên Dương Đạt Điệp Định
    Đông Đức Giang Hà Hải Hạnh Hằng Hân Hậu Hiền Hiếu Hiệp Hòa Hoa Hoài Hoàng Hồng Huệ
    Hùng Hưng Hương Hường Huy Huyền Khải Khang Khánh Khoa Khôi Kiên Kiệt Kim Lan Lâm Liên
    Linh Loan Lộc Lợi Long Luân Lực Lụa Lượng Ly Mai Mạnh Minh My Mỹ Nam Nga Ngân Nghĩa
    Nghị Ngọc Nguyên Nhân Nhật Nhi Nhung Như Oanh Phát Phong Phú Phúc Phụng Phương Phượng
    Quang Quân Quốc Quyên Quyết Quỳnh Sang Sáng Sinh Sơn Sỹ Tài Tâm Tân Thái Thanh Thành
    Thảo Thắng Thịnh Thơ Thông Thu Thuận Thủy Thúy Thư Thương Tiến Tín Toàn Trang Trâm Trí
    Trinh Trọng Trung Trúc Tú Tuấn Tùng Tuyết Tư Uyên Văn Vân Việt Vinh Vĩnh Vũ Vy Xuân
    Yến Diệu Đình Hữu Kiều Gia Lệ Nhàn Sương Tiên Tuyền Trường Chung Bá Đăng Đồng Hợi
    """
)
NAME_WORDS = GIVEN_NAMES.folded | SURNAMES.folded

# Words that end a hamlet or street name: the administrative levels that follow it.
NOT_PLACE = Lexicon.of(
    "Xã Phường Huyện Tỉnh Quận Sở Bộ Ban Phòng Cục Ủy Uỷ Tết Ngày Tháng Tôi Điều Khoản Chương "
    "Mục Phụ Luật Nghị Quyết Thông Hội Đội"
)

# "Công ty", "Văn phòng", "Chủ tịch": a capitalised word followed by this lower-case word
# starts an institution or a title, not a name ("Nguyễn Công Phượng" stays a name).
STOP_BIGRAMS = frozenset(
    fold(p)
    for p in [
        "công ty", "trung tâm", "văn phòng", "chi cục", "chi nhánh", "chủ tịch", "phó chủ",
        "giám đốc", "trưởng phòng", "trưởng thôn", "bí thư", "chánh văn", "chánh án",
        "thủ trưởng", "tổng giám", "cán bộ", "công chức", "viên chức", "kế toán",
        "hiệu trưởng", "tiến sĩ", "thạc sĩ", "bác sĩ", "kỹ sư", "luật sư", "đại úy",
        "thượng úy", "trung úy", "thiếu úy", "trung tá", "thiếu tá", "đại tá", "thượng tá",
        "bệnh viện", "trường học", "nhà văn", "hợp tác", "doanh nghiệp", "ủy ban",
        "hội đồng", "thanh tra", "công an", "tư pháp", "địa chính", "hộ tịch", "tài nguyên",
        "giáo dục", "y tế", "xây dựng", "văn hóa", "văn hoá", "nông nghiệp", "lao động",
        "nội vụ", "tài chính", "đoàn thanh", "đoàn kết", "quốc hội", "chính phủ", "nhà nước",
        "quốc lộ", "tỉnh lộ", "bưu điện", "kho bạc", "ngân hàng", "thành phố", "thị xã",
        "thị trấn", "gia đình", "thanh niên", "phụ nữ", "nông dân", "liên hiệp", "mặt trận", "cựu chiến",
    ]
)  # fmt: skip

# Place names and public figures that begin with a surname.
NOT_PERSON = frozenset(
    fold(p)
    for p in [
        "Hà Nội", "Hà Giang", "Hà Tĩnh", "Hà Nam", "Hà Tây", "Hà Lan", "Hà Đông", "Hạ Long",
        "Hà Tiên", "Hà Tam", "Hà Bầu", "Hà Ra", "Hàn Quốc", "Cao Bằng", "Cao Lãnh", "Lâm Đồng", "Lâm Hà", "Châu Âu", "Châu Á",
        "Châu Phi", "Châu Mỹ", "Châu Úc", "Châu Đốc", "Châu Thành", "Châu Đức",
        "Hồ Chí Minh", "Hồ Gươm", "Hồ Tây", "Hoàng Sa", "Trường Sa", "Lý Sơn", "Phan Thiết",
        "Phan Rang", "Thái Lan", "Thái Bình", "Thái Nguyên", "Mai Châu", "Ninh Bình",
        "Ninh Thuận", "Giang Nam", "Nguyễn Du", "Nguyễn Huệ", "Nguyễn Trãi", "Lê Lợi",
        "Trần Phú", "Trần Hưng Đạo", "Lê Duẩn", "Ngô Quyền", "Lý Thường Kiệt", "Lê Hồng Phong",
        "Lý Thái Tổ", "Đinh Tiên Hoàng", "Phan Bội Châu", "Phan Chu Trinh", "Phan Đình Phùng",
        "Nguyễn Tất Thành", "Tôn Đức Thắng", "Võ Nguyên Giáp", "Nguyễn Văn Cừ",
        "Nguyễn Thị Minh Khai", "Nguyễn Văn Trỗi", "Hoàng Văn Thụ", "Lê Thánh Tôn",
        "Lê Quý Đôn", "Chu Văn An", "Phạm Văn Đồng", "Trần Quốc Toản", "Lý Tự Trọng",
        "Ngô Mây", "Cù Chính Lan", "Tô Vĩnh Diện", "Lạc Long Quân", "Âu Cơ", "Kpă Klơng",
        "Lê Văn Tám", "Võ Thị Sáu", "Trần Quang Khải", "Phạm Ngũ Lão", "Nguyễn Viết Xuân",
    ]
)  # fmt: skip

# A surname right after these words names a place or an institution ("xã Ia Tô",
# "đường Lê Lợi", "Trường Tiểu học Lê Lợi", "cửa khẩu").
PLACE_BEFORE = Lexicon.of(
    """
    xã phường huyện tỉnh trấn quận phố đường ngõ hẻm kiệt thôn làng buôn xóm ấp plei
    trường chợ cầu sông núi đèo khu cụm khẩu viện ty cty học non thông đình chùa đền lộ
    bến phần hạn tp tx tt q p đ h x
    """
)

# "trưởng thôn Nguyễn Văn A", "già làng Đinh Văn Ngơ": a person, not a hamlet.
LEADER_BEFORE = Lexicon.of("trưởng già phó")

# Words right before a house number that announce an address: "trú tại 23 Wừu".
RESIDENCE_BEFORE = Lexicon.of("tại ở trú chỉ đc")

# Words right before a number that make it a date, a count or an article, not a house.
COUNT_BEFORE = Lexicon.of(
    "ngày tháng năm điều khoản điểm mục chương lần quý khóa kỳ hạng tuổi lúc giờ lô tầng"
)

# First words of common street names that are not surnames ("131 Hùng Vương").
STREET_STARTS = Lexicon.of(
    "Hùng Quang Hai Cách Điện Trường Lạc Đống Yết Bà Sư Anh Nơ Kơ Wừu Phù Hải Nam Ba"
)

# Acronyms before a surname that make it part of an organisation's or a school's name.
ORG_ACRONYMS = frozenset(
    ["tnhh", "cp", "ctcp", "mtv", "dntn", "htx", "thcs", "thpt", "th", "mn", "jsc"]
)

HONORIFICS = Lexicon.of("ông bà anh chị em cháu cô chú bác cụ dì mợ thím dượng")
# Folded, "cô", "chú", "cụ", "dì" are also "có", "chủ", "cũ", "đi": too common to trust.
PLAIN_HONORIFICS = frozenset(["ong", "ba", "anh", "chi", "em", "chau", "bac"])
# English titles, with or without the abbreviation's full stop: "Mr. Brown".
TITLES = Lexicon.of("mr mrs ms miss dr")

ROLES = [
    "công chức", "cán bộ", "viên chức", "kế toán", "thủ quỹ", "chủ tịch", "giám đốc",
    "trưởng phòng", "trưởng thôn", "trưởng ấp", "trưởng công an", "bí thư", "chánh văn phòng",
    "chánh thanh tra", "điều hành", "quản lý", "nhân viên", "chuyên viên", "cảnh sát",
    "thanh tra viên", "bác sĩ", "giáo viên", "học sinh", "sinh viên", "tài xế", "lái xe",
    "chủ hộ", "chủ quán", "chủ nhà", "đồng chí", "đ/c", "người gọi", "điện thoại viên",
    "đại diện", "người đại diện", "thủ trưởng", "hiệu trưởng",
]  # fmt: skip

INTRODUCTIONS = [
    "tôi là", "tôi tên là", "tôi tên", "tên tôi là", "tên là", "xưng tên", "xưng là",
    "họ và tên", "họ tên", "người liên hệ", "liên hệ", "người gửi", "người viết đơn",
    "người làm đơn", "người đứng đơn", "ký tên", "my name is", "con tôi là", "vợ tôi là",
    "chồng tôi là", "bố tôi là", "mẹ tôi là", "cha tôi là", "contact",
]  # fmt: skip

SIGN_OFFS = [
    "trân trọng", "kính thư", "best regards", "regards", "kind regards", "sincerely",
    "yours sincerely", "yours faithfully", "thanks", "thank you", "xin cảm ơn", "cảm ơn",
    "người viết đơn", "người làm đơn", "người gửi", "ký tên", "đã ký",
]  # fmt: skip

# Placeholders people put in the name field instead of a name.
NOT_A_NAME = frozenset(
    fold(p) for p in ["ẩn danh", "người dân", "giấu tên", "không rõ", "không tên", "anonymous"]
)
