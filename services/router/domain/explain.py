"""Why a case went where it went, in the words an officer reads (issue 14).

The rule engine's reasons ("class behaviour 11: class.behaviour.delay 'cham'…", rule ids,
calendar fingerprints, confidence figures) stay in the stored decision and the routing
history for developers; the console and the e-mails show the short sentence built here
from the decision: which family of rules decided, the place or department recognised, the
regulation the submitter named. Pure: no figures, no rule ids, no hashes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from schemas.vocabulary import CLASS_VI, KIND_VI, TRIAGE

NATIONAL = "QG"  # the national PAKN system (Hệ thống PAKN quốc gia)

# Rule family (the rule id's first part) → what it means for an officer.
_FAMILY_VI = {
    "special": "nội dung thuộc nhóm việc được giao riêng cho {agency}",
    "field": "nội dung thuộc lĩnh vực quản lý của {agency}",
    "actor": "nội dung nêu cơ quan, đơn vị thuộc {agency}",
    "competence.central": "nội dung thuộc thẩm quyền của cơ quan trung ương",
    "competence.province": "nội dung thuộc thẩm quyền của cấp tỉnh: {agency}",
    "competence.district": "sự việc thuộc thẩm quyền chính quyền địa phương nơi xảy ra: {agency}",
    "transfer.named": "cán bộ chuyển hồ sơ đến {agency}",
    "cutover": "do sắp xếp tổ chức bộ máy, hồ sơ chuyển đến {agency}, cơ quan tiếp nhận nhiệm vụ",
}
_TRIAGE_VI = (
    "Hệ thống chưa đủ căn cứ để xác định cơ quan có thẩm quyền; "
    "Văn phòng UBND tỉnh phân loại và chuyển xử lý"
)


def _family(rule_id: str) -> str:
    for key in _FAMILY_VI:
        if rule_id == key or rule_id.startswith(key + ".") or rule_id.startswith(key):
            return key
    return ""


_CODE_TAIL = re.compile(r":\s*[A-Z]*\d[\w.]*$")


def _names_a_place(part: str) -> bool:
    if part.startswith(("địa chỉ", "xã, phường")) or "(tên cũ) →" in part:
        return True
    return "(cũ) →" in part and "sắp xếp" in part


def _place_vi(reasons: Sequence[str]) -> list[str]:
    """The place or department recognised, as the structure's rules wrote it in Vietnamese
    ("địa chỉ cũ thị trấn Ia Kha, huyện Ia Grai → xã Ia Grai", "Sở Giao thông vận tải (tên
    cũ) → Sở Xây dựng"), without codes; else how the rules found it."""
    said: list[str] = []
    how = ""
    for reason in reasons:
        for part in (p.strip() for p in reason.split(";")):
            part = _CODE_TAIL.sub("", part).removeprefix("cơ quan: ").strip()
            if part.startswith("theo địa chỉ người gửi"):
                how = "nơi xảy ra xác định theo địa chỉ người gửi"
            elif _names_a_place(part):
                said.append(part)
            elif "named at" in part or "a place in the text" in part:
                how = how or "nơi xảy ra được nêu trong nội dung"
    unique = list(dict.fromkeys(said))
    return [*unique, how] if how else unique


def officer_reason(
    *,
    agency: str,
    agency_name: str,
    rule_id: str,
    case_class: str = "",
    kind: str = "",
    regulation: str = "",
    reasons: Sequence[str] = (),
    decided_by: str = "router",
) -> str:
    """One or two plain Vietnamese sentences: why the case is with `agency_name`.

    An officer's own decision (a transfer, an assignment from triage) is given as the
    officer wrote it; the rules' decisions are told by family, never by id or figure."""
    written = "; ".join(r.strip() for r in reasons if r.strip())
    if decided_by != "router" and written:
        return f"Cán bộ chuyển đến {agency_name or agency}: {written}"
    parts: list[str] = []
    if agency == TRIAGE or rule_id.startswith("triage") or rule_id == "transfer.to_triage":
        parts.append(_TRIAGE_VI)
    elif agency == NATIONAL:
        parts.append(
            "Nội dung thuộc thẩm quyền của bộ, ngành trung ương; chuyển Hệ thống tiếp nhận, "
            "trả lời phản ánh, kiến nghị quốc gia"
        )
    else:
        family = _family(rule_id)
        template = _FAMILY_VI.get(family, "bộ quy tắc định tuyến xác định cơ quan xử lý: {agency}")
        sentence = template.format(agency=agency_name or agency)
        parts.append(sentence[:1].upper() + sentence[1:])
        places = _place_vi(reasons)
        if places:
            parts.append("Căn cứ: " + "; ".join(places))
    label = " — ".join(x for x in (CLASS_VI.get(case_class, ""), KIND_VI.get(kind, "")) if x)
    if label:
        parts.append(f"Loại: {label.lower()}")
    if regulation.strip():
        parts.append(f"Quy định được nêu: {regulation.strip()[:200]}")
    return ". ".join(parts) + "."
