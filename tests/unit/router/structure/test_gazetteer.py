"""Old and new place names → the commune covering them today.

Every expected commune comes from the packages themselves (vietnamadminunits'
`convert_address` on the official pre-2025 address, vietnam-provinces for the code), never
from the gazetteer's own answers.
"""

from __future__ import annotations

import time

import pytest

from services.kit.text import fold
from services.router.structure import find_places, resolve_place
from tests.unit.router.structure.support import (
    converted_row,
    legacy,
    legacy_rows,
    package_communes,
)

# (as written with diacritics, as written without, province, district, ward): former
# communes, wards and towns of both former provinces, written the ways citizens write them.
FORMER_UNITS = [
    # Gia Lai
    ("phường Hoa Lư, TP Pleiku", "phuong Hoa Lu, TP Pleiku", "Gia Lai", "Pleiku", "Hoa Lư"),
    ("P. Yên Đỗ, TP. Pleiku", "P. Yen Do, TP.Pleiku", "Gia Lai", "Pleiku", "Yên Đỗ"),
    (
        "phường Thống Nhất, thành phố Pleiku",
        "phuong thong nhat, thanh pho pleiku",
        "Gia Lai",
        "Pleiku",
        "Thống Nhất",
    ),
    ("xã Trà Đa, TP Pleiku", "xa Tra Da, tp Pleiku", "Gia Lai", "Pleiku", "Trà Đa"),
    ("xã Ia Kha, huyện Ia Grai", "xa Ia Kha, huyen Ia Grai", "Gia Lai", "Ia Grai", "Ia Kha"),
    ("xã Ia Dêr, H. Ia Grai", "xa Ia Der, H. Ia Grai", "Gia Lai", "Ia Grai", "Ia Dêr"),
    ("phường Ngô Mây, thị xã An Khê", "phuong Ngo May, TX An Khe", "Gia Lai", "An Khê", "Ngô Mây"),
    ("xã Cửu An, TX. An Khê", "xa Cuu An, tx. An Khe", "Gia Lai", "An Khê", "Cửu An"),
    (
        "phường Cheo Reo, thị xã Ayun Pa",
        "phuong Cheo Reo, thi xa Ayun Pa",
        "Gia Lai",
        "Ayun Pa",
        "Cheo Reo",
    ),
    ("TT. KBang, huyện KBang", "tt Kbang, h. K'Bang", "Gia Lai", "KBang", "KBang"),
    ("xã Sơn Lang, huyện K'Bang", "xa Son Lang, huyen Kbang", "Gia Lai", "KBang", "Sơn Lang"),
    (
        "thị trấn Đak Đoa, huyện Đắk Đoa",
        "TT Dak Doa, huyen Dak Doa",
        "Gia Lai",
        "Đak Đoa",
        "Đak Đoa",
    ),
    ("xã Glar, huyện Đak Đoa", "xa Glar, huyen Dak Doa", "Gia Lai", "Đak Đoa", "Glar"),
    (
        "thị trấn Phú Hòa, huyện Chư Păh",
        "thi tran Phu Hoa, huyen Chu Pah",
        "Gia Lai",
        "Chư Păh",
        "Phú Hòa",
    ),
    ("xã Ia Ka, huyện Chư Păh", "X. Ia Ka, H. Chu Pah", "Gia Lai", "Chư Păh", "Ia Ka"),
    (
        "thị trấn Kon Dơng, huyện Mang Yang",
        "tt Kon Dong, huyen Mang Yang",
        "Gia Lai",
        "Mang Yang",
        "Kon Dơng",
    ),
    (
        "xã Đak Ta Ley, huyện Mang Yang",
        "xa Dak Ta Ley, huyen Mang Yang",
        "Gia Lai",
        "Mang Yang",
        "Đak Ta Ley",
    ),
    (
        "thị trấn Chư Ty, huyện Đức Cơ",
        "thi tran Chu Ty, huyen Duc Co",
        "Gia Lai",
        "Đức Cơ",
        "Chư Ty",
    ),
    ("xã Ia Mơ, huyện Chư Prông", "xa Ia Mo, huyen Chu Prong", "Gia Lai", "Chư Prông", "Ia Mơ"),
    ("xã Ia Pal, huyện Chư Sê", "xa Ia Pal, huyen Chu Se", "Gia Lai", "Chư Sê", "Ia Pal"),
    ("xã Ia Tul, huyện Ia Pa", "xa Ia Tul, huyen Ia Pa", "Gia Lai", "Ia Pa", "Ia Tul"),
    (
        "thị trấn Phú Túc, huyện Krông Pa",
        "tt Phu Tuc, huyen Krong Pa",
        "Gia Lai",
        "Krông Pa",
        "Phú Túc",
    ),
    (
        "xã Ia Yeng, huyện Phú Thiện",
        "xa Ia Yeng, huyen Phu Thien",
        "Gia Lai",
        "Phú Thiện",
        "Ia Yeng",
    ),
    (
        "thị trấn Nhơn Hòa, huyện Chư Pưh",
        "thi tran Nhon Hoa, huyen Chu Puh",
        "Gia Lai",
        "Chư Pưh",
        "Nhơn Hòa",
    ),
    ("xã Ya Hội, huyện Đak Pơ", "xa Ya Hoi, huyen Dak Po", "Gia Lai", "Đăk Pơ", "Ya Hội"),
    (
        "xã Đăk Song, huyện Kông Chro",
        "xa Dak Song, huyen Kong Chro",
        "Gia Lai",
        "Kông Chro",
        "Đăk Song",
    ),
    # Bình Định
    (
        "phường Trần Phú, TP Quy Nhơn",
        "phuong Tran Phu, TP Quy Nhon",
        "Bình Định",
        "Quy Nhơn",
        "Trần Phú",
    ),
    (
        "phường Ghềnh Ráng, thành phố Quy Nhơn",
        "P. Ghenh Rang, TP. Qui Nhon",
        "Bình Định",
        "Quy Nhơn",
        "Ghềnh Ráng",
    ),
    ("xã Nhơn Lý, TP. Quy Nhơn", "xa Nhon Ly, tp Quy Nhon", "Bình Định", "Quy Nhơn", "Nhơn Lý"),
    (
        "phường Bùi Thị Xuân, TP Quy Nhơn",
        "phuong Bui Thi Xuan, thanh pho Quy Nhon",
        "Bình Định",
        "Quy Nhơn",
        "Bùi Thị Xuân",
    ),
    ("phường Đập Đá, thị xã An Nhơn", "P. Dap Da, TX An Nhon", "Bình Định", "An Nhơn", "Đập Đá"),
    ("xã Nhơn Hậu, TX An Nhơn", "xa Nhon Hau, tx An Nhon", "Bình Định", "An Nhơn", "Nhơn Hậu"),
    (
        "phường Bồng Sơn, thị xã Hoài Nhơn",
        "phuong Bong Son, thi xa Hoai Nhon",
        "Bình Định",
        "Hoài Nhơn",
        "Bồng Sơn",
    ),
    (
        "xã Hoài Hải, TX Hoài Nhơn",
        "xa Hoai Hai, TX. Hoai Nhon",
        "Bình Định",
        "Hoài Nhơn",
        "Hoài Hải",
    ),
    ("thị trấn An Lão, huyện An Lão", "tt An Lao, huyen An Lao", "Bình Định", "An Lão", "An Lão"),
    ("xã An Hưng, huyện An Lão", "xa An Hung, h. An Lao", "Bình Định", "An Lão", "An Hưng"),
    (
        "thị trấn Tăng Bạt Hổ, huyện Hoài Ân",
        "TT. Tang Bat Ho, H. Hoai An",
        "Bình Định",
        "Hoài Ân",
        "Tăng Bạt Hổ",
    ),
    ("xã Ân Tín, huyện Hoài Ân", "xa An Tin, huyen Hoai An", "Bình Định", "Hoài Ân", "Ân Tín"),
    (
        "thị trấn Bình Dương, huyện Phù Mỹ",
        "thi tran Binh Duong, huyen Phu My",
        "Bình Định",
        "Phù Mỹ",
        "Bình Dương",
    ),
    ("xã Mỹ Chánh, huyện Phù Mỹ", "xa My Chanh, huyen Phu My", "Bình Định", "Phù Mỹ", "Mỹ Chánh"),
    (
        "thị trấn Cát Khánh, huyện Phù Cát",
        "tt Cat Khanh, huyen Phu Cat",
        "Bình Định",
        "Phù Cát",
        "Cát Khánh",
    ),
    (
        "xã Cát Thắng, huyện Phù Cát",
        "xa Cat Thang, huyen Phu Cat",
        "Bình Định",
        "Phù Cát",
        "Cát Thắng",
    ),
    (
        "thị trấn Phú Phong, huyện Tây Sơn",
        "thi tran Phu Phong, huyen Tay Son",
        "Bình Định",
        "Tây Sơn",
        "Phú Phong",
    ),
    (
        "xã Bình Nghi, huyện Tây Sơn",
        "xa Binh Nghi, huyen Tay Son",
        "Bình Định",
        "Tây Sơn",
        "Bình Nghi",
    ),
    (
        "thị trấn Diêu Trì, huyện Tuy Phước",
        "tt Dieu Tri, h. Tuy Phuoc",
        "Bình Định",
        "Tuy Phước",
        "Diêu Trì",
    ),
    (
        "xã Phước Sơn, huyện Tuy Phước",
        "xa Phuoc Son, huyen Tuy Phuoc",
        "Bình Định",
        "Tuy Phước",
        "Phước Sơn",
    ),
    (
        "xã Canh Hiển, huyện Vân Canh",
        "xa Canh Hien, huyen Van Canh",
        "Bình Định",
        "Vân Canh",
        "Canh Hiển",
    ),
    (
        "thị trấn Vĩnh Thạnh, huyện Vĩnh Thạnh",
        "tt Vinh Thanh, huyen Vinh Thanh",
        "Bình Định",
        "Vĩnh Thạnh",
        "Vĩnh Thạnh",
    ),
]


def expected(province: str, district: str, ward: str) -> tuple[str, str]:
    return converted_row(legacy(province, district, ward))


def test_the_sample_spreads_over_both_former_provinces() -> None:
    by_province: dict[str, set[str]] = {}
    for *_, province, district, _ward in FORMER_UNITS:
        by_province.setdefault(province, set()).add(district)
    assert len(FORMER_UNITS) >= 40
    assert len(by_province["Gia Lai"]) == 17  # every former district of both
    assert len(by_province["Bình Định"]) == 11


@pytest.mark.parametrize(
    ("written", "province", "district", "ward"),
    [
        pytest.param(text, province, district, ward, id=text)
        for with_marks, without, province, district, ward in FORMER_UNITS
        for text in (with_marks, without)
    ],
)
def test_a_former_unit_written_as_citizens_do_gives_todays_commune(
    written: str, province: str, district: str, ward: str
) -> None:
    name, code = expected(province, district, ward)
    match = resolve_place(written)
    assert match is not None
    assert match.commune is not None, match.reason_vi
    assert (match.commune.code, match.commune.full_name) == (code, name[0].lower() + name[1:])
    assert not match.current
    assert match.old_commune is not None and fold(match.old_commune.name) == fold(ward)
    assert match.old_district is not None and fold(match.old_district.name) == fold(district)


@pytest.mark.parametrize("diacritics", [True, False], ids=["diacritics", "folded"])
def test_every_former_unit_of_the_package_in_its_official_spelling(diacritics: bool) -> None:
    for row in legacy_rows():
        address = f"{row['ward']}, {row['district']}, tỉnh {row['provinceShort']}"
        text = address if diacritics else fold(address)
        name, code = converted_row(row)
        match = resolve_place(text)
        assert match is not None, text
        codes = [c.code for c in match.candidates]
        if match.ambiguous:  # split between two new communes: the package's default first
            assert codes[0] == code, text
        else:
            assert codes == [code], f"{text}: {match.reason_vi}, package says {name}"


def test_the_routing_reason_names_the_old_and_the_new_unit() -> None:
    match = resolve_place("xã Ia Kha, huyện Ia Grai")
    assert match is not None
    name, code = expected("Gia Lai", "Ia Grai", "Ia Kha")
    assert name == "Xã Ia Grai"
    assert match.reason_vi == "địa chỉ cũ thị trấn Ia Kha, huyện Ia Grai → xã Ia Grai"
    assert match.written == "xã Ia Kha, huyện Ia Grai"
    assert match.commune is not None and match.commune.agency_code == f"X{code}"
    bare = resolve_place("thôn 3, Ia Kha, Ia Grai, Gia Lai")  # no unit words at all
    assert bare is not None and bare.reason_vi == match.reason_vi


def test_a_former_unit_without_its_district_when_the_name_is_unique() -> None:
    name, code = expected("Bình Định", "Hoài Ân", "Tăng Bạt Hổ")
    match = resolve_place("Tôi ở thị trấn Tăng Bạt Hổ, gửi ý kiến")
    assert match is not None and match.commune is not None
    assert match.commune.code == code
    assert name == "Xã Hoài Ân"
    assert match.reason_vi == "địa chỉ cũ thị trấn Tăng Bạt Hổ, huyện Hoài Ân → xã Hoài Ân"


def test_todays_names_give_that_commune() -> None:
    for code, name in package_communes().items():
        for text in (name, fold(name), f"UBND {name}, tỉnh Gia Lai"):
            match = resolve_place(text)
            assert match is not None and match.current, text
            assert [c.code for c in match.candidates] == [code], text
    match = resolve_place("phường Quy Nhơn Bắc")
    assert match is not None and match.reason_vi == "địa chỉ phường Quy Nhơn Bắc"
    assert match.commune is not None and match.commune.agency_code == "X21553"


def covering(province: str, district: str) -> set[str]:
    """The codes of the communes covering a former district, per the package."""
    return {
        converted_row(row)[1]
        for row in legacy_rows()
        if row["provinceShort"] == province and fold(row["districtShort"]) == fold(district)
    }


@pytest.mark.parametrize(
    ("written", "province", "district", "namesake"),
    [
        ("TP Quy Nhơn", "Bình Định", "Quy Nhơn", "phường Quy Nhơn"),
        ("tp. Qui Nhon", "Bình Định", "Quy Nhơn", "phường Quy Nhơn"),
        ("huyện Tuy Phước", "Bình Định", "Tuy Phước", "xã Tuy Phước"),
        ("huyen Tuy Phuoc, Binh Dinh", "Bình Định", "Tuy Phước", "xã Tuy Phước"),
        ("thành phố Pleiku", "Gia Lai", "Pleiku", "phường Pleiku"),
        ("huyện Ia Grai", "Gia Lai", "Ia Grai", "xã Ia Grai"),
        ("Krông Pa, Gia Lai", "Gia Lai", "Krông Pa", None),
    ],
)
def test_a_former_district_alone_lists_the_communes_covering_it(
    written: str, province: str, district: str, namesake: str | None
) -> None:
    match = resolve_place(written)
    assert match is not None and match.level == "district"
    assert match.ambiguous and match.commune is None
    assert {c.code for c in match.candidates} == covering(province, district)
    if namesake is not None:
        assert match.candidates[0].full_name == namesake
    assert match.reason_vi.startswith(f"địa chỉ cũ {match.old_name} → một trong: ")


def test_a_former_unit_that_was_split_is_ambiguous() -> None:
    match = resolve_place("xã An Nghĩa, huyện An Lão, Bình Định")
    assert match is not None and match.ambiguous
    _, default = expected("Bình Định", "An Lão", "An Nghĩa")
    assert match.candidates[0].code == default
    assert len(match.candidates) == 2


@pytest.mark.parametrize(
    ("written", "merged_into"),
    [
        ("xã Tân Sơn, TP Pleiku", ("Gia Lai", "Pleiku", "Biển Hồ")),
        ("xa Tan Son, thanh pho Pleiku", ("Gia Lai", "Pleiku", "Biển Hồ")),
        ("xã Đak Hlơ, huyện KBang", ("Gia Lai", "KBang", "Kông Bơ La")),
        ("xã Chư Hdrông, TP Pleiku", ("Gia Lai", "Pleiku", "Chi Lăng")),
        ("phường Lê Lợi, TP Quy Nhơn", ("Bình Định", "Quy Nhơn", "Thị Nại")),
        ("phuong Ly Thuong Kiet, tp Quy Nhon", ("Bình Định", "Quy Nhơn", "Trần Phú")),
        ("phường Lê Hồng Phong, TP Quy Nhơn", ("Bình Định", "Quy Nhơn", "Trần Phú")),
        ("Ia Ma Rơn, Ia Pa", ("Gia Lai", "Ia Pa", "Ia Mrơn")),
    ],
)
def test_units_merged_before_the_package_come_from_our_table(
    written: str, merged_into: tuple[str, str, str]
) -> None:
    _, code = expected(*merged_into)
    match = resolve_place(written)
    assert match is not None and match.commune is not None, written
    assert match.commune.code == code
    assert not match.current


@pytest.mark.parametrize(
    "text",
    [
        "Tôi ở xa trung tâm, đi lại khó khăn",
        "Đề nghị tăng trợ cấp xã hội Phú Cát và bảo trợ xã hội Hội Sơn",
        "thành phố Hồ Chí Minh",
        "phường Bến Nghé, quận 1",
        "",
        None,
    ],
)
def test_texts_that_name_no_place_of_the_province(text: str | None) -> None:
    assert find_places(text) == ()


def test_the_district_written_decides() -> None:
    # Lê Lợi was a ward of Quy Nhơn, not of Pleiku: the address says Pleiku.
    match = resolve_place("phường Lê Lợi, TP Pleiku")
    assert match is not None and match.level == "district"
    assert match.old_district is not None and match.old_district.name == "Pleiku"
    # Today's An Phú is in the former Pleiku; An Khê's former ward of that name is elsewhere.
    today = resolve_place("phường An Phú")
    former = resolve_place("phường An Phú, thị xã An Khê")
    assert today is not None and today.current
    assert former is not None and former.commune is not None
    assert former.commune.code == expected("Gia Lai", "An Khê", "An Phú")[1]
    assert today.candidates != former.candidates


def test_several_places_in_one_text() -> None:
    matches = find_places(
        "Tôi ở phường Hoa Lư, TP Pleiku nhưng làm thủ tục tại UBND huyện Tuy Phước."
    )
    assert [m.level for m in matches] == ["commune", "district"]
    assert matches[0].commune is not None
    assert matches[0].commune.code == expected("Gia Lai", "Pleiku", "Hoa Lư")[1]


def test_lookups_take_well_under_a_millisecond() -> None:
    texts = [with_marks for with_marks, *_ in FORMER_UNITS] + ["TP Quy Nhơn", "xã Ia Grai"]
    resolve_place(texts[0])  # the indexes are built once
    start = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for text in texts:
            resolve_place(text)
    per_lookup = (time.perf_counter() - start) / (rounds * len(texts))
    assert per_lookup < 0.001, f"{per_lookup * 1e6:.0f} µs per lookup"
