"""The three structures of domain.md §8 as dated agencies, against the reference CSVs and
the package of administrative units."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from services.router.domain.agencies import DEFAULT_AGENCIES, load_agencies
from services.router.structure import (
    agencies_on,
    agency_on,
    commune,
    communes,
    district_agency,
    load_units,
    period_on,
    structure,
)
from services.router.structure.agencies import DEFAULT_AGENCIES_2025
from tests.unit.router.structure.support import package_communes, reference_csv

LAST_2023 = date(2025, 2, 28)
FIRST_MERGED = date(2025, 3, 1)
LAST_DISTRICTS = date(2025, 6, 30)
FIRST_COMMUNES = date(2025, 7, 1)


def codes_on(day: date) -> set[str]:
    return set(agencies_on(day).codes)


def csv_codes(name: str, *, levels: set[str] | None = None) -> set[str]:
    return {r["code"] for r in reference_csv(name) if levels is None or r["level"] in levels}


def test_until_28_february_2025_the_2023_structure() -> None:
    assert codes_on(LAST_2023) == csv_codes("agencies-gia-lai-2023.csv")
    assert codes_on(date(2023, 1, 2)) == codes_on(LAST_2023)
    assert period_on(LAST_2023).id == "2023"  # type: ignore[union-attr]


@pytest.mark.parametrize("day", [FIRST_MERGED, LAST_DISTRICTS])
def test_march_to_june_2025_merged_departments_and_the_17_districts(day: date) -> None:
    departments = csv_codes("agencies-gia-lai-2025.csv", levels={"province", "central"})
    districts = csv_codes("agencies-gia-lai-2023.csv", levels={"district"})
    assert len(districts) == 17
    assert codes_on(day) == departments | districts
    assert {"SXD", "SNNMT", "SDTTG", "PLK", "IGR"} <= codes_on(day)
    assert not {"SGTVT", "STNMT", "SLDTBXH", "BDT", "X21553"} & codes_on(day)
    assert period_on(day).id == "2025-03"  # type: ignore[union-attr]


@pytest.mark.parametrize("day", [FIRST_COMMUNES, date(2026, 11, 16)])
def test_from_july_2025_merged_departments_and_the_135_communes(day: date) -> None:
    assert codes_on(day) == csv_codes("agencies-gia-lai-2025.csv")
    levels = Counter(a.level for a in agencies_on(day).agencies)
    assert levels == {"commune": 135, "province": 15, "central": 1}
    assert not {"PLK", "IGR", "SGTVT"} & codes_on(day)
    assert period_on(day).id == "2025-07"  # type: ignore[union-attr]


def test_nothing_before_2023() -> None:
    assert agencies_on(date(2022, 12, 31)).agencies == ()
    assert period_on(date(2022, 12, 31)) is None


def test_each_version_carries_the_dates_of_its_structure() -> None:
    old_department = agency_on("SGTVT", LAST_2023)
    assert old_department is not None
    assert (old_department.effective_from, old_department.effective_to) == (
        date(2023, 1, 1),
        LAST_2023,
    )
    assert agency_on("SGTVT", FIRST_MERGED) is None
    district = agency_on("IGR", LAST_DISTRICTS)
    assert district is not None and district.level == "district"
    assert district.effective_to == LAST_DISTRICTS
    assert agency_on("IGR", FIRST_COMMUNES) is None
    # A code of both structures has one version in each.
    old_snv, new_snv = structure().versions("SNV")
    assert old_snv.effective_to == LAST_2023 and "religion" in old_snv.fields
    assert new_snv.effective_from == FIRST_MERGED and new_snv.effective_to is None
    assert new_snv.predecessors == ("SNV", "SLDTBXH") and "religion" not in new_snv.fields
    assert agency_on("SNV", FIRST_MERGED) == new_snv


def test_a_commune_agency_is_made_from_the_package() -> None:
    agency = agency_on("X21553", FIRST_COMMUNES)
    assert agency is not None
    assert agency.level == "commune"
    assert agency.name_vi == "UBND phường Quy Nhơn Bắc"
    assert agency.name_en == "Phường Quy Nhơn Bắc People's Committee"
    assert agency.email == "pakn.x21553@gialai.gov.vn"
    assert (agency.effective_from, agency.effective_to) == (FIRST_COMMUNES, None)
    assert agency_on("X21553", LAST_DISTRICTS) is None
    assert commune("X21553") == commune("21553")
    found = commune("21553")
    assert found is not None and found.full_name == "phường Quy Nhơn Bắc"


def test_every_commune_of_the_package_has_an_agency_and_the_other_way_round() -> None:
    package = package_communes()  # read straight from vietnam-provinces
    agencies = {a.code: a for a in agencies_on(FIRST_COMMUNES).agencies if a.level == "commune"}
    assert len(package) == 135
    assert set(agencies) == {f"X{code}" for code in package}
    for code, name in package.items():
        assert agencies[f"X{code}"].name_vi == "UBND " + name[0].lower() + name[1:]
    kinds = Counter(c.kind for c in communes())
    assert kinds == {"xã": 110, "phường": 25}


def test_the_communes_are_those_of_the_reference_csv() -> None:
    rows = {
        r["code"]: r for r in reference_csv("agencies-gia-lai-2025.csv") if r["level"] == "commune"
    }
    agencies = {a.code: a for a in agencies_on(FIRST_COMMUNES).agencies if a.level == "commune"}
    assert set(agencies) == set(rows)
    for code, row in rows.items():
        agency = agencies[code]
        assert (agency.name_vi, agency.name_en) == (row["name_vi"], row["name_en"])
        assert agency.fields == (row["fields"],)
        assert agency.effective_from.isoformat() == row["effective_from"]


def test_the_departments_are_those_of_the_reference_csv() -> None:
    rows = [r for r in reference_csv("agencies-gia-lai-2025.csv") if r["level"] != "commune"]
    merged = load_agencies(DEFAULT_AGENCIES_2025)  # the project's ordinary loader reads it
    assert [a.code for a in merged.agencies] == [r["code"] for r in rows]
    for agency, row in zip(merged.agencies, rows, strict=True):
        assert agency.level == row["level"]
        assert (agency.name_vi, agency.name_en) == (row["name_vi"], row["name_en"])
        assert agency.fields == tuple(f.strip() for f in row["fields"].split(";"))
        assert agency.effective_from.isoformat() == row["effective_from"]
        predecessors = tuple(p.split("(")[0].strip() for p in row["predecessors"].split(";"))
        assert agency.predecessors == predecessors
        assert agency.fields_vi or agency.code == "TTR"


def test_the_2023_file_still_loads_as_before() -> None:
    old = load_agencies(DEFAULT_AGENCIES)
    assert len(old.agencies) == 38
    assert {a.effective_to for a in old.agencies} == {LAST_DISTRICTS}
    assert all(a.predecessors == () for a in old.agencies)


def test_the_17_former_districts_of_gia_lai_are_known_by_their_2023_agency() -> None:
    districts = [d for d in load_units().old_districts if d.province == "Gia Lai"]
    assert len(districts) == 17
    codes = {district_agency(d) for d in districts}
    assert codes == csv_codes("agencies-gia-lai-2023.csv", levels={"district"})
    binh_dinh = [d for d in load_units().old_districts if d.province == "Bình Định"]
    assert len(binh_dinh) == 11
    assert {district_agency(d) for d in binh_dinh} == {None}


def test_the_two_packages_disagree_on_five_commune_codes() -> None:
    # vietnam-provinces 2025.10.1 (and the reference CSV) against vietnamadminunits 1.0.4
    # (and vietnam-provinces' later releases from the official list, which need Python
    # 3.12): pinned here so that a change of either package is noticed.
    assert load_units().converter_codes == {
        "21862": "21859",  # xã Đề Gi
        "21889": "21901",  # xã Ngô Mây
        "21898": "21880",  # xã Cát Tiến
        "22003": "22006",  # xã Canh Vinh
        "23737": "23938",  # xã Ia Mơ
    }
