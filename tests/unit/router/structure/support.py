"""Independent answers for the structure tests, from the packages' own public interfaces.

The expected values of the tests come from here, never from services.router.structure:
vietnam-provinces' `Ward` list (the communes of today's Gia Lai and their codes),
vietnamadminunits' public database query and its `convert_address` (the official
conversion of a pre-2025 address), and the shared reference CSV files.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from vietnam_provinces import ProvinceCode, Ward

from services.kit.text import fold

REFERENCE = Path(__file__).resolve().parents[5] / "shared" / "reference"
OLD_PROVINCES = {"Gia Lai": "tinhgialai", "Bình Định": "tinhbinhdinh"}


def reference_csv(name: str) -> list[dict[str, str]]:
    """A file of ../shared/reference (the tests that need it skip when it is absent)."""
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/reference beside the repository)")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def package_communes() -> dict[str, str]:
    """vietnam-provinces: official code → name ("21553" → "Phường Quy Nhơn Bắc")."""
    return {f"{int(ward.code):05d}": ward.name for ward in Ward.iter_by_province(ProvinceCode(52))}


@cache
def package_code_by_name() -> dict[str, str]:
    return {fold(name): code for code, name in package_communes().items()}


@cache
def legacy_rows() -> tuple[dict[str, Any], ...]:
    """vietnamadminunits: the communes, wards and towns of both former provinces."""
    from vietnamadminunits.database import query

    return tuple(
        query(
            "SELECT province, provinceShort, district, districtShort, ward, wardShort"
            " FROM admin_units_legacy WHERE provinceKey IN ('tinhgialai', 'tinhbinhdinh')"
        )
    )


def legacy(province: str, district: str, ward: str) -> dict[str, Any]:
    """The package's row of a former unit, by short names ("Gia Lai", "Ia Grai", "Ia Kha")."""
    rows = [
        r
        for r in legacy_rows()
        if r["provinceShort"] == province
        and fold(r["districtShort"]) == fold(district)
        and fold(r["wardShort"]) == fold(ward)
    ]
    assert len(rows) == 1, f"{ward}, {district}, {province}: {len(rows)} rows in the package"
    return rows[0]


def _no_geocoding(address: str) -> None:
    raise AssertionError(f"the converter tried to geocode {address!r} over the network")


@cache
def converted(ward: str, district: str, province: str) -> tuple[str, str]:
    """The package's conversion of an official pre-2025 address: (new unit's name, its
    vietnam-provinces code). The package geocodes a split unit's address online when it
    thinks it has a street; that is switched off (the test fails instead)."""
    from vietnamadminunits import convert_address
    from vietnamadminunits.converter import converter_2025

    converter_2025.get_geo_location = _no_geocoding  # type: ignore[assignment]
    unit = convert_address(f"{ward}, {district}, {province}")
    assert unit.ward, f"the package converts {ward}, {district} to no unit"
    return unit.ward, package_code_by_name()[fold(unit.ward)]


def converted_row(row: dict[str, Any]) -> tuple[str, str]:
    return converted(row["ward"], row["district"], row["province"])
