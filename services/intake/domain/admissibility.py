"""Is an item a PAKN the office can accept? (domain.md §3)

Checks run in this order, and the first that fails decides:

1. empty_content: with nothing stated there is nothing further to read.
2. not_vietnamese: the scope checks below read Vietnamese; another language cannot
   be scoped.
3. complaint_or_denunciation, then 4. not_administrative: these hold whoever sent the
   item, so they come before the contact check. An out-of-scope item would be refused
   even once completed; its sender is better served by being sent to the right body
   (Thanh tra tỉnh, a court) than by being asked for details first.
5. missing_contact last: it is the one defect the office helps to mend (*needs info*),
   so it is only worth asking about when the item would otherwise be accepted.

`duplicate` needs the register, so the caller decides it and builds the answer with
`refuse`. Every word list, threshold and message is in `AdmissibilityPolicy`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.submission import Submission, SubmitterType
from services.intake.domain.normalise import clean_paragraphs, normalise_phone
from services.kit.text import clean, fold


class RefusalReason(StrEnum):
    MISSING_CONTACT = "missing_contact"
    NOT_VIETNAMESE = "not_vietnamese"
    EMPTY_CONTENT = "empty_content"
    COMPLAINT_OR_DENUNCIATION = "complaint_or_denunciation"
    DUPLICATE = "duplicate"
    NOT_ADMINISTRATIVE = "not_administrative"


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    accepted: bool
    reason: RefusalReason | None
    explanation: str  # English, for the office log
    message_vi: str  # for the submitter


_LAW_PAKN = "Nghị định số 20/2008/NĐ-CP (sửa đổi, bổ sung bởi Nghị định số 92/2017/NĐ-CP)"
_OUT_OF_SCOPE = f"không thuộc phạm vi tiếp nhận phản ánh, kiến nghị theo {_LAW_PAKN}"


class Messages(BaseModel):
    """What the submitter is told, per outcome (Vietnamese)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accepted: str = "Phản ánh, kiến nghị của Ông/Bà đã được tiếp nhận và sẽ được xử lý."
    missing_contact: str = (
        "Phản ánh, kiến nghị chưa được tiếp nhận vì thiếu họ tên hoặc thông tin liên hệ "
        f"(địa chỉ hoặc số điện thoại) của người gửi, theo yêu cầu của {_LAW_PAKN}. "
        "Đề nghị Ông/Bà bổ sung để được tiếp nhận."
    )
    not_vietnamese: str = (
        f"Phản ánh, kiến nghị chưa được tiếp nhận vì {_LAW_PAKN} yêu cầu sử dụng tiếng Việt. "
        "Đề nghị Ông/Bà gửi lại bằng tiếng Việt. (Please resubmit in Vietnamese.)"
    )
    empty_content: str = (
        "Phản ánh, kiến nghị chưa được tiếp nhận vì chưa thể hiện rõ nội dung theo yêu cầu "
        f"của {_LAW_PAKN}. Đề nghị Ông/Bà nêu cụ thể quy định hoặc thủ tục hành chính, "
        "vướng mắc gặp phải và đề xuất (nếu có)."
    )
    complaint_or_denunciation: str = (
        f"Nội dung Ông/Bà gửi là khiếu nại hoặc tố cáo, {_OUT_OF_SCOPE}. Đề nghị Ông/Bà gửi "
        "đơn đến Thanh tra tỉnh Gia Lai hoặc Ban Tiếp công dân tỉnh để được hướng dẫn, giải "
        "quyết theo Luật Khiếu nại năm 2011 hoặc Luật Tố cáo năm 2018."
    )
    complaint: str = (
        f"Nội dung Ông/Bà gửi là khiếu nại, {_OUT_OF_SCOPE}. Đề nghị Ông/Bà gửi đơn khiếu nại "
        "đến cơ quan đã ra quyết định, hoặc liên hệ Thanh tra tỉnh Gia Lai, Ban Tiếp công dân "
        "tỉnh để được hướng dẫn, giải quyết theo Luật Khiếu nại năm 2011."
    )
    denunciation: str = (
        f"Nội dung Ông/Bà gửi là tố cáo, {_OUT_OF_SCOPE}. Đề nghị Ông/Bà gửi đơn tố cáo đến "
        "Thanh tra tỉnh Gia Lai hoặc Ban Tiếp công dân tỉnh để được giải quyết theo Luật Tố "
        "cáo năm 2018."
    )
    not_administrative: str = (
        "Nội dung Ông/Bà gửi không liên quan đến quy định, thủ tục hành chính nên "
        f"{_OUT_OF_SCOPE}. "
        "Đối với tranh chấp dân sự, Ông/Bà có thể đề nghị hòa giải tại UBND cấp xã hoặc khởi "
        "kiện tại Tòa án nhân dân có thẩm quyền."
    )
    duplicate: str = (
        "Nội dung này trùng với phản ánh, kiến nghị Ông/Bà đã gửi trước đó và được gộp vào "
        "hồ sơ đã tiếp nhận; Ông/Bà tra cứu kết quả bằng mã số đã được cấp."
    )


class AdmissibilityPolicy(BaseModel):
    """The office's operating rules. Words are written as people write them (with
    diacritics); they are matched on folded text, whole words only."""

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
    min_content_words: int = 6
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
        "bỏ túi riêng",
    )  # fmt: skip
    # Money changing hands is also how citizens describe benefits paid late, so it
    # accuses only with a second one of these, or with a sign of wrongdoing below.
    bribery_terms: tuple[str, ...] = ("nhận tiền", "đưa tiền", "đòi tiền", "bồi dưỡng")
    wrongdoing_signs: tuple[str, ...] = (
        "xác minh", "xử lý nghiêm", "sai phạm", "tiêu cực", "vi phạm pháp luật",
        "không có biên lai", "không biên lai", "không viết biên lai",
    )  # fmt: skip
    complaint_terms: tuple[str, ...] = ("khiếu nại", "khiếu kiện")
    # A complaint without the word: a decision on the sender's own case...
    contested_acts: tuple[str, ...] = (
        "quyết định kỷ luật", "quyết định xử phạt", "quyết định thu hồi", "quyết định cưỡng chế",
        "quyết định bồi thường", "quyết định giải quyết", "văn bản trả lời", "văn bản từ chối",
        "công văn trả lời", "thông báo từ chối", "từ chối cấp", "kỷ luật tôi", "xử phạt tôi",
        "biên bản vi phạm", "phương án bồi thường", "kết quả giải quyết",
    )  # fmt: skip
    # ...that the sender asks to be reviewed or annulled.
    contest_requests: tuple[str, ...] = (
        "xem xét lại", "hủy quyết định", "hủy bỏ quyết định", "thu hồi quyết định",
        "không đồng ý với", "không đồng tình với", "không chấp nhận quyết định",
        "giải quyết lại", "không thỏa đáng",
    )  # fmt: skip
    # Phrases in which the words above speak of a regulation or a payment, not a case.
    scope_exemptions: tuple[str, ...] = (
        "luật tố cáo", "luật khiếu nại", "thủ tục khiếu nại", "thủ tục tố cáo",
        "quy định về khiếu nại", "quy định về tố cáo", "không phải tố cáo",
        "không phải là tố cáo", "không phải khiếu nại", "không phải là khiếu nại",
        "chưa nhận tiền", "được nhận tiền",
        "nhận tiền trợ cấp", "nhận tiền hỗ trợ", "nhận tiền bồi thường", "nhận tiền đền bù",
        "nhận tiền lương", "xem xét lại quy định", "xem xét lại mức", "xem xét lại chính sách",
        "xem xét lại thủ tục", "không đồng ý với quy định",
    )  # fmt: skip
    private_terms: tuple[str, ...] = (
        "hàng xóm", "nhà bên cạnh", "nhà kế bên", "tranh chấp", "lấn chiếm", "lấn sang",
        "vay tiền", "cho vay", "cho tôi vay", "xin vay", "khoản vay", "mượn tiền", "đòi nợ",
        "trả nợ", "vỡ nợ", "vỡ hụi", "ly hôn", "ngoại tình", "đánh nhau", "chửi bới",
        "đặt cọc", "lừa đảo", "xin tiền",
    )  # fmt: skip
    # Words of regulations and procedures; naming an agency alone does not count,
    # since almost every letter is addressed to one.
    administrative_terms: tuple[str, ...] = (
        "thủ tục", "hồ sơ", "quy định", "quy chế", "quy hoạch", "giấy phép", "giấy chứng nhận",
        "giấy xác nhận", "giấy tờ", "chứng thực", "đăng ký", "một cửa", "dịch vụ công",
        "lệ phí", "chính sách", "luật", "nghị định", "nghị quyết", "quyết định", "thông tư",
        "hành chính", "cán bộ", "công chức", "trợ cấp", "mức hỗ trợ", "kiểm định", "kiểm dịch",
        "cấp phép", "ban hành", "thẩm định", "phê duyệt", "thuế", "bảo hiểm", "kế hoạch",
    )  # fmt: skip
    messages: Messages = Messages()


DEFAULT = AdmissibilityPolicy()

# Latin-1 accents (à, é, ô...) are shared with French or Spanish; these are not.
_LETTERS_VI = frozenset(
    ch
    for ch in "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    if ord(ch) > 0xFF
)
_ONSET = r"(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdghklmnprstvx])?"
_SYLLABLE = re.compile(rf"{_ONSET}[aeiouy]{{1,3}}(?:ch|ng|nh|[cmnpt])?")


def assess(s: Submission, *, policy: AdmissibilityPolicy = DEFAULT) -> Decision:
    """The admissibility decision for one item; see the module docstring for the order."""
    title, content = clean(s.title), clean_paragraphs(s.content)
    # Folded line by line: a line break ends a salutation.
    text = "\n".join(map(fold, f"{title}\n{content}".splitlines()))
    checks = (
        lambda: _empty(text, policy),
        lambda: _foreign(content, policy),
        lambda: _complaint_or_denunciation(text, policy),
        lambda: _not_administrative(text, policy),
        lambda: _missing_contact(s, policy),
    )
    for check in checks:
        refusal = check()
        if refusal is not None:
            return refusal
    return Decision(
        accepted=True, reason=None, explanation="admissible", message_vi=policy.messages.accepted
    )


def refuse(
    reason: RefusalReason,
    explanation: str,
    *,
    policy: AdmissibilityPolicy = DEFAULT,
    message_key: Literal["complaint", "denunciation"] | None = None,
) -> Decision:
    """A refusal with the policy's message for `reason` (or for `message_key`)."""
    message = getattr(policy.messages, message_key or reason.value)
    return Decision(accepted=False, reason=reason, explanation=explanation, message_vi=message)


def _empty(text: str, policy: AdmissibilityPolicy) -> Decision | None:
    text = _salutations(policy.salutations).sub(" ", text)
    text = _terms(policy.closings).sub(" ", text)
    words = len(re.findall(r"\w*[^\W\d_]\w*", text))
    if words >= policy.min_content_words:
        return None
    explanation = f"content states nothing: {words} words besides salutations and closings"
    return refuse(RefusalReason.EMPTY_CONTENT, explanation, policy=policy)


def _foreign(content: str, policy: AdmissibilityPolicy) -> Decision | None:
    letters = [ch for ch in content.lower() if ch.isalpha()]
    vi_share = sum(ch in _LETTERS_VI for ch in letters) / max(len(letters), 1)
    words = re.findall(r"[a-z]+", fold(content))
    syllable_share = sum(bool(_SYLLABLE.fullmatch(w)) for w in words) / max(len(words), 1)
    if vi_share >= policy.min_vietnamese_letter_share:
        return None
    if syllable_share >= policy.min_syllable_share:
        return None
    explanation = (
        f"not Vietnamese: {vi_share:.0%} Vietnamese letters, "
        f"{syllable_share:.0%} of words shaped like Vietnamese syllables"
    )
    return refuse(RefusalReason.NOT_VIETNAMESE, explanation, policy=policy)


def _complaint_or_denunciation(text: str, policy: AdmissibilityPolicy) -> Decision | None:
    exempt = [m.span() for m in _terms(policy.scope_exemptions).finditer(text)]
    reason = RefusalReason.COMPLAINT_OR_DENUNCIATION
    accused = _found(text, policy.denunciation_terms, exempt)
    bribery = _found(text, policy.bribery_terms, exempt)
    if len(bribery) > 1 or (bribery and _found(text, policy.wrongdoing_signs, [])):
        accused += bribery
    if accused:
        explanation = f"denunciation (out of scope): {', '.join(accused)}"
        return refuse(reason, explanation, policy=policy, message_key="denunciation")
    contested = _found(text, policy.complaint_terms, exempt)
    acts = _found(text, policy.contested_acts, exempt)
    requests = _found(text, policy.contest_requests, exempt)
    if contested or (acts and requests):
        explanation = f"complaint (out of scope): {', '.join(contested or acts + requests)}"
        return refuse(reason, explanation, policy=policy, message_key="complaint")
    return None


def _not_administrative(text: str, policy: AdmissibilityPolicy) -> Decision | None:
    private = _found(text, policy.private_terms, [])
    administrative = _found(text, policy.administrative_terms, [])
    if len(private) <= len(administrative):
        return None
    explanation = (
        f"no administrative regulation or procedure: private matter ({', '.join(private)}), "
        f"procedure words: {', '.join(administrative) or 'none'}"
    )
    return refuse(RefusalReason.NOT_ADMINISTRATIVE, explanation, policy=policy)


def _missing_contact(s: Submission, policy: AdmissibilityPolicy) -> Decision | None:
    name = clean(s.name) or clean(s.organization)
    is_org = s.submitter_type is SubmitterType.ORGANIZATION
    problems = []
    if not _real_name(name, is_org=is_org, policy=policy):
        problems.append(f"no real name ({name!r})" if name else "no name")
    address = fold(clean(s.address))
    has_address = (
        address not in _folded(policy.placeholder_addresses)
        and len(re.findall(r"\w+", address)) >= policy.min_address_words
    )
    if not has_address and normalise_phone(s.phone) is None:
        problems.append("neither a postal address nor a valid phone number")
    if not problems:
        return None
    return refuse(RefusalReason.MISSING_CONTACT, "; ".join(problems), policy=policy)


def _real_name(name: str, *, is_org: bool, policy: AdmissibilityPolicy) -> bool:
    folded = fold(name)
    if not folded or folded in _folded(policy.placeholder_names):
        return False
    if is_org:
        return True
    if re.search(r"[,;&+/]|\bva\b", folded) or _terms(policy.group_markers).search(folded):
        return False  # a group signature: nobody in particular answers for it
    words = [w for w in re.findall(r"[^\W\d_]+", folded) if w not in _folded(policy.honorifics)]
    return len(words) >= policy.min_name_words


def _found(text: str, terms: tuple[str, ...], exempt: list[tuple[int, int]]) -> list[str]:
    """The distinct terms in `text`, leaving out hits inside an exempt span."""
    hits = {
        m.group(0)
        for m in _terms(terms).finditer(text)
        if not any(start <= m.start() and m.end() <= end for start, end in exempt)
    }
    return sorted(hits)


@lru_cache(maxsize=64)
def _terms(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One whole-word pattern for the folded terms, longest first."""
    escaped = {re.escape(fold(t)).replace(r"\ ", r"\s+") for t in terms if t}
    alternatives = "|".join(sorted(escaped, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@lru_cache(maxsize=16)
def _salutations(salutations: tuple[str, ...]) -> re.Pattern[str]:
    """A salutation and its addressee, up to the end of that line or sentence, or up to the
    writer's first "tôi" / "em": at most 12 words."""
    words = _terms(salutations).pattern
    writer = r"(?:toi|chung toi|chung em|em)\b"
    addressee = rf"(?:[ \t]+(?!{writer})[^\s.;!?]+){{0,12}}?"
    return re.compile(rf"{words}[ \t]*:?{addressee}[ \t]*(?:[.;!?\n]|(?=[ \t]+{writer}))")


@lru_cache(maxsize=16)
def _folded(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)
