"""Former departments → the agencies that took over their work (agencies-gia-lai-2025.csv)."""

from __future__ import annotations

from datetime import date

import pytest

from services.kit.text import fold
from services.router.structure import (
    find_departments,
    load_units,
    structure,
    succession,
    successor,
    successors,
)
from tests.unit.router.structure.support import converted_row, legacy_rows, reference_csv

BEFORE = date(2025, 2, 28)
MERGED = date(2025, 3, 1)
TODAY = date(2026, 11, 16)


@pytest.mark.parametrize(
    ("name", "code", "today"),
    [
        ("Sở Giao thông vận tải", "SGTVT", "SXD"),
        ("So Giao thong van tai", "SGTVT", "SXD"),
        ("SỞ GIAO THÔNG VẬN TẢI", "SGTVT", "SXD"),
        ("Sở GTVT", "SGTVT", "SXD"),
        ("Sở Lao động - Thương binh và Xã hội", "SLDTBXH", "SNV"),
        ("so lao dong thuong binh va xa hoi", "SLDTBXH", "SNV"),
        ("Sở LĐ-TB&XH", "SLDTBXH", "SNV"),
        ("Ban Dân tộc", "BDT", "SDTTG"),
        ("ban dan toc", "BDT", "SDTTG"),
        ("Sở Kế hoạch và Đầu tư", "SKHDT", "STC"),
        ("so ke hoach va dau tu", "SKHDT", "STC"),
        ("Sở KH&ĐT", "SKHDT", "STC"),
        ("Sở Thông tin và Truyền thông", "STTTT", "SKHCN"),
        ("so thong tin va truyen thong", "STTTT", "SKHCN"),
        ("Sở Tài nguyên và Môi trường", "STNMT", "SNNMT"),
        ("so tai nguyen va moi truong", "STNMT", "SNNMT"),
        ("Sở TN&MT", "STNMT", "SNNMT"),
        ("Sở Nông nghiệp và Phát triển nông thôn", "SNN", "SNNMT"),
        ("so nong nghiep va phat trien nong thon", "SNN", "SNNMT"),
        ("Sở NN&PTNT", "SNN", "SNNMT"),
        # Names of both structures, and today's names
        ("Sở Tư pháp", "STP", "STP"),
        ("Sở Nông nghiệp và Môi trường", "SNNMT", "SNNMT"),
        ("Sở Dân tộc và Tôn giáo", "SDTTG", "SDTTG"),
    ],
)
def test_a_department_name_gives_its_successor(name: str, code: str, today: str) -> None:
    (ref,) = find_departments(f"Đề nghị {name} xem xét", TODAY)
    assert (ref.named, ref.successor) == (code, today)
    assert ref.written == name
    assert ref.former == (code != today)
    assert successor(code, TODAY) == today


def test_before_the_merger_a_department_is_its_own_successor() -> None:
    (ref,) = find_departments("Sở Giao thông vận tải chậm cấp phép", BEFORE)
    assert (ref.named, ref.successor, ref.former) == ("SGTVT", "SGTVT", False)
    assert ref.reason_vi == "Sở Giao thông vận tải"
    assert successor("SGTVT", MERGED) == "SXD"


def test_the_routing_reason_says_which_took_over() -> None:
    (ref,) = find_departments("Sở GTVT", TODAY)
    assert ref.reason_vi == "Sở Giao thông vận tải (tên cũ) → Sở Xây dựng"


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("SLDTBXH", "chậm chi trả trợ cấp xã hội cho trẻ em mồ côi", "SYT"),
        ("SLDTBXH", "hồ sơ công nhận hộ nghèo, hộ cận nghèo", "SNNMT"),
        ("SLDTBXH", "thủ tục cấp phép trường trung cấp dạy nghề", "SGDDT"),
        ("SLDTBXH", "chế độ cho người có công, thương binh", "SNV"),
        ("SLDTBXH", "bao hiem that nghiep", "SNV"),
        ("SLDTBXH", "", "SNV"),  # no field words: the main successor
        ("STTTT", "cấp thẻ nhà báo", "SVHTTDL"),
        ("STTTT", "sóng điện thoại yếu, viễn thông", "SKHCN"),
        ("SNV", "đăng ký sinh hoạt tôn giáo", "SDTTG"),
        ("SNV", "thi tuyển công chức", "SNV"),
    ],
)
def test_a_split_department_goes_where_the_field_went(code: str, text: str, expected: str) -> None:
    assert successor(code, TODAY, text) == expected
    shares = succession(code)
    assert shares is not None and expected in shares.candidates


def test_the_department_name_itself_does_not_choose_the_share() -> None:
    # "thương binh" and "xã hội" are in the old name; the item is about children.
    (ref,) = find_departments(
        "Sở Lao động - Thương binh và Xã hội chậm giải quyết hồ sơ trẻ em", TODAY
    )
    assert ref.successor == "SYT"
    assert ref.reason_vi == "Sở Lao động - Thương binh và Xã hội (tên cũ) → Sở Y tế"


def test_the_field_split_is_data_a_caller_can_read() -> None:
    split = succession("SLDTBXH")
    assert split is not None
    assert split.main == "SNV"
    assert {s.to for s in split.shares} == {"SNV", "SNNMT", "SGDDT", "SYT"}
    poverty = next(s for s in split.shares if s.to == "SNNMT")
    assert poverty.fields == ("poverty reduction",)
    assert "giảm nghèo" in poverty.words
    assert successors("SLDTBXH", TODAY) == ("SNV", "SNNMT", "SGDDT", "SYT")
    assert successors("STTTT", TODAY) == ("SKHCN", "SVHTTDL")
    assert successors("SNV", TODAY) == ("SNV", "SDTTG")
    assert successors("SGTVT", BEFORE) == ("SGTVT",)


def test_the_successions_agree_with_the_csv_predecessors() -> None:
    rows = [r for r in reference_csv("agencies-gia-lai-2025.csv") if r["level"] != "commune"]
    for row in rows:
        for predecessor in row["predecessors"].split(";"):
            old = predecessor.split("(")[0].strip()
            assert row["code"] in successors(old, MERGED), f"{old} → {row['code']}"
    # ...and every 2023 department or central body has a successor in force.
    old = [r for r in reference_csv("agencies-gia-lai-2023.csv") if r["level"] != "district"]
    for row in old:
        assert successor(row["code"], MERGED) is not None, row["code"]


def test_a_district_passes_to_the_communes_covering_it() -> None:
    last_day, first_day = date(2025, 6, 30), date(2025, 7, 1)
    assert successor("IGR", last_day) == "IGR"
    assert successor("IGR", first_day) is None  # no single successor: the gazetteer decides
    expected = {
        f"X{converted_row(row)[1]}"
        for row in legacy_rows()
        if row["provinceShort"] == "Gia Lai" and fold(row["districtShort"]) == "ia grai"
    }
    assert set(successors("IGR", first_day)) == expected
    # Every former district of Gia Lai has its communes.
    districts = {d.code for d in load_units().old_districts if d.province == "Gia Lai"}
    codes = set(structure().district_agencies.values())
    assert len(districts) == len(codes) == 17
    assert all(successors(code, first_day) for code in codes)


def test_names_match_whole_words_only() -> None:
    assert find_departments("sở thích giao thông vận tải của tôi", TODAY) == ()
    assert find_departments("Ban Dân tộc thiểu số", TODAY)[0].named == "BDT"
    refs = find_departments("Sở GTVT và Sở TN&MT cùng trả lời", TODAY)
    assert [(r.named, r.successor) for r in refs] == [("SGTVT", "SXD"), ("STNMT", "SNNMT")]


def test_unknown_codes_have_no_successor() -> None:
    assert successor("NOPE", TODAY) is None
    assert successors("NOPE", TODAY) == ()
    assert successor("SNNMT", BEFORE) is None  # not yet an agency
