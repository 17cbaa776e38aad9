"""Routing decisions on invented items, the triage path, and the figures on the samples."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scripts.eval_routing import DEFAULT_SAMPLES, evaluate, load_samples
from services.router.domain.agencies import AgencyRegistry, load_agencies
from services.router.domain.classify import TRIAGE, RoutingDecision, RoutingInput, route
from services.router.domain.rules import RuleSet, load_rules

DAY = date(2023, 6, 1)


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def agencies() -> AgencyRegistry:
    return load_agencies()


def decide(
    rules: RuleSet,
    agencies: AgencyRegistry,
    content: str,
    *,
    title: str = "",
    address: str = "",
    regulation: str = "",
    day: date = DAY,
) -> RoutingDecision:
    item = RoutingInput(
        title=title, content=content, address=address, regulation=regulation, received_on=day
    )
    return route(item, rules=rules, agencies=agencies)


# (content, address, regulation, agency, class, kind) — invented, one per situation.
CASES = {
    # behaviour at a commune or district: the district, from the place in the text first
    "commune-official-no-diacritics": (
        "CD phan anh: can bo dia chinh xa Ia Hrung hen do dac 3 lan ma khong den, den nay van "
        "chua lam ho so cho gia dinh.",
        "lang Dut, xa Ia Hrung, huyen Ia Grai",
        "",
        "IGR",
        "behaviour",
        "phan_anh",
    ),
    "ward-desk-extra-copies": (
        "Tôi đến UBND phường Hội Thương nộp hồ sơ chứng thực, nhân viên yêu cầu tôi phải photo "
        "thêm 3 bản CCCD mới nhận. Mong lãnh đạo thành phố chấn chỉnh.",
        "",
        "",
        "PLK",
        "behaviour",
        "phan_anh",
    ),
    "district-desk-returns-file": (
        "Bộ phận một cửa UBND huyện Krông Pa trả hồ sơ đăng ký hộ kinh doanh của tôi 2 lần mà "
        "không nói rõ lý do.",
        "xã Chư Ngọc, huyện Krông Pa",
        "",
        "KPA",
        "behaviour",
        "phan_anh",
    ),
    "text-place-beats-address": (
        "Mẹ tôi nộp đơn tại UBND xã Ya Hội từ tháng 3, đến nay vẫn chưa được xác nhận. Đề nghị "
        "huyện kiểm tra.",
        "25 Trường Chinh, phường Phù Đổng, thành phố Pleiku",
        "",
        "DPO",
        "behaviour",
        "phan_anh",
    ),
    "address-when-text-names-no-place": (
        "Cán bộ xã hẹn mãi không cấp giấy xác nhận tình trạng hôn nhân.",
        "thôn Plei Rbai, xã Ia Sol, huyện Phú Thiện",
        "",
        "PTH",
        "behaviour",
        "phan_anh",
    ),
    "went-to-commune-rude-staff": (
        "Hôm qua tôi lên xã Đông làm giấy, nhân viên một cửa nói năng thiếu tôn trọng.",
        "làng Lợk, xã Đông, huyện KBang",
        "",
        "KBA",
        "behaviour",
        "phan_anh",
    ),
    "district-office": (
        "Phòng Tài nguyên và Môi trường huyện Ia Pa thẩm định hồ sơ tách thửa trễ hẹn 1 tháng.",
        "xã Pờ Tó, huyện Ia Pa",
        "",
        "IPA",
        "behaviour",
        "phan_anh",
    ),
    # behaviour at a provincial department or one of its offices
    "land-registry-branch-is-the-department": (
        "Chi nhánh Văn phòng đăng ký đất đai huyện Chư Sê trễ hẹn cấp giấy chứng nhận quyền sử "
        "dụng đất hơn 2 tháng.",
        "xã Ia Pal, huyện Chư Sê",
        "",
        "STNMT",
        "behaviour",
        "phan_anh",
    ),
    "forest-ranger-station": (
        "Hạt Kiểm lâm huyện Mang Yang gây khó khăn, yêu cầu thêm giấy tờ khi xác nhận nguồn gốc "
        "gỗ vườn nhà.",
        "xã Hra, huyện Mang Yang",
        "",
        "SNN",
        "behaviour",
        "phan_anh",
    ),
    "named-department-delay": (
        "Sở Kế hoạch và Đầu tư quá hạn 5 ngày vẫn chưa cấp giấy chứng nhận đăng ký doanh nghiệp.",
        "88 Lê Lợi, phường Tây Sơn, thành phố Pleiku",
        "",
        "SKHDT",
        "behaviour",
        "phan_anh",
    ),
    "field-words-when-nobody-is-named": (
        "CD phản ánh cán bộ kiểm dịch động vật hẹn lần hẹn lữa, chưa xuống lấy mẫu đàn bò.",
        "xã Ia Broăi, huyện Ia Pa",
        "",
        "SNN",
        "behaviour",
        "phan_anh",
    ),
    "desk-of-a-department-at-the-centre": (
        "Tôi nộp hồ sơ tại quầy của Sở Y tế ở Trung tâm Phục vụ hành chính công tỉnh, quá hạn 2 "
        "tháng vẫn chưa có chứng chỉ hành nghề. Đề nghị Sở kiểm tra.",
        "",
        "",
        "SYT",
        "behaviour",
        "phan_anh",
    ),
    # special targets
    "public-service-centre": (
        "Nhân viên tại Trung tâm Phục vụ hành chính công tỉnh hướng dẫn sai thành phần hồ sơ.",
        "xã Biển Hồ, Pleiku",
        "",
        "VPUB",
        "behaviour",
        "phan_anh",
    ),
    "portal-fault": (
        "Trang dịch vụ công của tỉnh không đăng nhập được, cứ báo lỗi hệ thống.",
        "xã Gào, thành phố Pleiku",
        "",
        "STTTT",
        "behaviour",
        "phan_anh",
    ),
    "economic-zone": (
        "Quy định về thuê đất trong khu công nghiệp Trà Đa buộc trả tiền thuê một lần cho 10 năm. "
        "Đề nghị cho phép trả hằng năm.",
        "",
        "",
        "BQLKKT",
        "regulation",
        "kien_nghi",
    ),
    "ethnic-policy": (
        "Quyết định của UBND tỉnh về hỗ trợ người có uy tín trong đồng bào dân tộc thiểu số chưa "
        "có phụ cấp hằng tháng.",
        "xã Hnol, Đak Đoa",
        "",
        "BDT",
        "regulation",
        "phan_anh",
    ),
    "fee-regulation-is-finance": (
        "Lệ phí đăng ký hộ kinh doanh theo nghị quyết của HĐND tỉnh cao hơn các tỉnh bạn. Kiến "
        "nghị giảm lệ phí cho hộ kinh doanh nhỏ.",
        "",
        "",
        "STC",
        "regulation",
        "kien_nghi",
    ),
    # provincial regulations: the department of the field
    "provincial-decision-land": (
        "Hạn mức giao đất ở theo quyết định của UBND tỉnh không phù hợp với thực tế. Đề nghị "
        "nâng hạn mức.",
        "",
        "Quyết định số 37/2019/QĐ-UBND",
        "STNMT",
        "regulation",
        "kien_nghi",
    ),
    "provincial-rule-transport": (
        "Quy định của UBND tỉnh về tải trọng trên đường tỉnh 665 chỉ 10 tấn. Đề nghị tỉnh điều "
        "chỉnh theo mùa vụ.",
        "",
        "",
        "SGTVT",
        "regulation",
        "kien_nghi",
    ),
    "provincial-plan-recruitment": (
        "Kế hoạch tuyển dụng viên chức năm 2023 của tỉnh giới hạn tuổi dưới 35 là không phù hợp. "
        "Kiến nghị bỏ giới hạn tuổi.",
        "",
        "",
        "SNV",
        "regulation",
        "kien_nghi",
    ),
    "provincial-rule-petrol": (
        "Quy hoạch của tỉnh về mạng lưới cửa hàng xăng dầu quy định khoảng cách tối thiểu quá xa.",
        "xã Ia Mrơn, Ia Pa",
        "",
        "SCT",
        "regulation",
        "phan_anh",
    ),
    "provincial-rule-health": (
        "Quy định của tỉnh về điều kiện mở phòng khám tư nhân ở vùng sâu là không hợp lý.",
        "",
        "",
        "SYT",
        "regulation",
        "phan_anh",
    ),
    "labour-abroad-not-foreign-affairs": (
        "Nghị quyết của HĐND tỉnh về hỗ trợ người lao động đi làm việc ở nước ngoài chỉ áp dụng "
        "cho hộ nghèo. Tôi kiến nghị mở rộng đối tượng.",
        "",
        "",
        "SLDTBXH",
        "regulation",
        "kien_nghi",
    ),
    "results-by-post": (
        "Tôi đề nghị tỉnh cho phép trả kết quả thủ tục hành chính qua bưu điện miễn phí cho "
        "người cao tuổi.",
        "",
        "",
        "VPUB",
        "regulation",
        "kien_nghi",
    ),
    # central regulations: QG
    "circular-in-text": (
        "Theo Thông tư 04/2020/TT-BTP thì đăng ký lại khai sinh phải có giấy tờ chứng minh. Đề "
        "nghị Bộ Tư pháp sửa thông tư.",
        "",
        "",
        "QG",
        "regulation",
        "kien_nghi",
    ),
    "law-in-the-regulation-field": (
        "Từ khi bỏ sổ hộ khẩu, làm thủ tục gì cũng phải xin xác nhận cư trú, rất phiền.",
        "",
        "Luật Cư trú số 68/2020/QH14",
        "QG",
        "regulation",
        "phan_anh",
    ),
    "ministry-rule": (
        "Việc Bộ Giáo dục và Đào tạo quy định thi tốt nghiệp THPT 4 môn làm học sinh vùng khó "
        "thiệt thòi. Xin phản ánh.",
        "",
        "",
        "QG",
        "regulation",
        "phan_anh",
    ),
    # district regulations: that district
    "district-decision-field": (
        "Giá trông giữ xe tại chợ thị trấn quá cao so với mặt bằng chung.",
        "",
        "Quyết định số 1234/QĐ-UBND ngày 5/5/2023 của UBND huyện Chư Sê",
        "CSE",
        "regulation",
        "phan_anh",
    ),
    "district-notice": (
        "Thông báo của UBND thị xã An Khê về dẹp chợ tạm làm tiểu thương mất chỗ buôn bán. Đề "
        "nghị thị xã bố trí thêm điểm bán tạm.",
        "",
        "",
        "AKE",
        "regulation",
        "kien_nghi",
    ),
    # general rules of version 2023.2
    "a-family-name-is-not-a-delay": (
        "Ông Rơ Châm Hiếu đề nghị tỉnh bổ sung hỗ trợ đăng ký nhãn hiệu tập thể cho hợp tác xã "
        "theo chương trình phát triển tài sản trí tuệ của tỉnh.",
        "",
        "",
        "SKHCN",
        "regulation",
        "kien_nghi",
    ),
    "what-the-commune-failed-to-do": (
        "Cán bộ xã Ia Hrung không niêm yết hồ sơ cấp giấy chứng nhận của tôi, hồ sơ để trong tủ "
        "từ tháng 2. Đề nghị huyện kiểm tra.",
        "",
        "",
        "IGR",
        "behaviour",
        "phan_anh",
    ),
    "the-district-as-the-one-acting": (
        "Con tôi đăng ký học nghề, huyện trả lời năm nay không mở lớp, không ai hướng dẫn thủ "
        "tục hoàn tiền học phí.",
        "thôn 2, xã Ia Peng, huyện Phú Thiện",
        "",
        "PTH",
        "behaviour",
        "phan_anh",
    ),
    "submitted-at-the-district": (
        "Hồ sơ cấp đổi sổ đỏ nộp ở huyện từ tháng 3 đến nay chưa có kết quả.",
        "thôn 6, xã Ia Pal, huyện Chư Sê",
        "",
        "CSE",
        "behaviour",
        "phan_anh",
    ),
    "a-price-list-is-finance": (
        "Bảng giá dịch vụ trông giữ xe do tỉnh ban hành thu 5.000 đồng mỗi lượt ở bệnh viện. "
        "Kiến nghị bổ sung vé ngày cho người nuôi bệnh.",
        "",
        "",
        "STC",
        "regulation",
        "kien_nghi",
    ),
    "a-proposal-to-a-ministry-is-about-its-rule": (
        "Kiến nghị Bộ Công Thương sửa cách tính giá điện bậc thang theo số người trong hộ.",
        "",
        "",
        "QG",
        "regulation",
        "kien_nghi",
    ),
    "an-application-is-not-a-proposal": (
        "Công ty nộp hồ sơ đề nghị cấp giấy phép xây dựng nhà xưởng mở rộng tại Ban Quản lý Khu "
        "kinh tế từ 2 tháng nay, đã quá hạn, không có văn bản nêu lý do.",
        "",
        "",
        "BQLKKT",
        "behaviour",
        "phan_anh",
    ),
    "a-lamp-is-not-a-trip": (
        "Đèn trong nhà không sáng vì điện yếu, đã báo 3 lần. Đề nghị tỉnh có kế hoạch cải tạo "
        "lưới điện nông thôn.",
        "thôn 10, xã Ia Tôr, huyện Chư Prông",
        "",
        "SCT",
        "regulation",
        "kien_nghi",
    ),
    "bus-routes-are-transport": (
        "De nghi tinh bo sung tuyen xe buyt Pleiku - Ia Grai vao mang luoi van tai hanh khach "
        "cong cong, co gia ve uu dai cho hoc sinh.",
        "",
        "",
        "SGTVT",
        "regulation",
        "kien_nghi",
    ),
    "the-cited-policy-names-the-field": (
        "Hợp tác xã kiến nghị bổ sung hỗ trợ chứng nhận bền vững vào chính sách khuyến nông của "
        "tỉnh, hiện chỉ hỗ trợ VietGAP cho hợp tác xã.",
        "",
        "",
        "SNN",
        "regulation",
        "kien_nghi",
    ),
    "district-plan-no-diacritics": (
        "Theo ke hoach cua UBND huyen Dak Doa, cac ho phai tu bo tien lam duong be tong. De nghi "
        "huyen giam muc dong gop cho ho ngheo.",
        "",
        "",
        "DDO",
        "regulation",
        "kien_nghi",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_routing_table(
    rules: RuleSet, agencies: AgencyRegistry, case: tuple[str, str, str, str, str, str]
) -> None:
    content, address, regulation, agency, case_class, kind = case
    decision = decide(rules, agencies, content, address=address, regulation=regulation)
    assert (decision.agency, decision.case_class, decision.kind) == (agency, case_class, kind)
    assert decision.confidence >= rules.thresholds.triage_below
    assert decision.rules_version == rules.version


def test_a_decision_says_why(rules: RuleSet, agencies: AgencyRegistry) -> None:
    decision = decide(rules, agencies, "UBND xã Song An chậm cấp giấy khai sinh cho con tôi.")
    assert decision.agency == "AKE"
    assert decision.rule_id == "actor.local_authority"
    joined = " | ".join(decision.reasons)
    assert "class behaviour" in joined and "'cham'" in joined
    assert "district AKE" in joined and "ubnd xa" in joined


def test_a_vague_item_goes_to_triage_without_a_guess(
    rules: RuleSet, agencies: AgencyRegistry
) -> None:
    decision = decide(rules, agencies, "Thủ tục bây giờ còn rườm rà quá, mong được cải thiện.")
    assert decision.agency == TRIAGE
    assert decision.suggested_agency is None
    assert decision.reasons[-1].startswith("triage:")


def test_a_local_authority_outside_the_province_goes_to_triage(
    rules: RuleSet, agencies: AgencyRegistry
) -> None:
    decision = decide(
        rules,
        agencies,
        "Cán bộ UBND xã hẹn lần hẹn lữa việc cấp giấy xác nhận.",
        address="123 Lê Lợi, quận 1, TP Hồ Chí Minh",
    )
    assert decision.agency == TRIAGE
    assert decision.case_class == "behaviour"


@pytest.mark.parametrize(
    ("address", "district"),
    [
        ("thôn 2, xã Ia Sao, huyện Ia Grai", "IGR"),
        ("buôn Tân Điệp, xã Ia Sao, thị xã Ayun Pa", "AYP"),
    ],
)
def test_a_shared_commune_name_is_resolved_by_the_address(
    rules: RuleSet, agencies: AgencyRegistry, address: str, district: str
) -> None:
    decision = decide(
        rules, agencies, "UBND xã Ia Sao chậm giải quyết hồ sơ kết hôn của tôi.", address=address
    )
    assert decision.agency == district


def test_below_the_threshold_the_best_guess_is_kept(agencies: AgencyRegistry) -> None:
    strict = load_rules()
    strict = strict.model_copy(
        update={"thresholds": strict.thresholds.model_copy(update={"triage_below": 0.99})}
    )
    decision = decide(strict, agencies, "UBND phường Cheo Reo chậm giải quyết hồ sơ.")
    assert decision.agency == TRIAGE
    assert decision.suggested_agency == "AYP"
    assert "below 0.99" in decision.reasons[-1]


def test_items_received_after_the_merger_go_to_triage(
    rules: RuleSet, agencies: AgencyRegistry
) -> None:
    decision = decide(
        rules, agencies, "UBND phường Cheo Reo chậm giải quyết hồ sơ.", day=date(2025, 7, 15)
    )
    assert decision.agency == TRIAGE
    assert decision.rule_id == "triage.no_rules"
    assert "not in force" in decision.reasons[-1]


def test_an_agency_missing_from_the_registry_goes_to_triage(rules: RuleSet) -> None:
    registry = load_agencies()
    without_stttt = AgencyRegistry(
        agencies=tuple(a for a in registry.agencies if a.code != "STTTT")
    )
    decision = decide(rules, without_stttt, "Cổng dịch vụ công báo lỗi, không nộp được hồ sơ.")
    assert decision.agency == TRIAGE
    assert decision.suggested_agency == "STTTT"


def test_agreement_on_the_labelled_samples(rules: RuleSet, agencies: AgencyRegistry) -> None:
    assert Path(DEFAULT_SAMPLES).exists(), (
        f"{DEFAULT_SAMPLES} missing: the labelled samples live in ../shared"
    )
    figures = evaluate(load_samples(DEFAULT_SAMPLES), rules=rules, agencies=agencies)
    assert figures.total >= 30
    assert figures.rate(figures.agency_ok) >= 0.90, figures.confusion
    assert figures.rate(figures.class_ok) >= 0.85
    assert figures.rate(figures.kind_ok) >= 0.85
