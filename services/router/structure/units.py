"""The province's administrative units, from the maintained packages (read once, cached).

- **vietnam-provinces** (the General Statistics Office's list): the commune-level units of
  today's province of Gia Lai (code 52), with their official codes, names and kinds. It
  is the register the commune agencies are made from, and its codes are those of
  ``agencies-gia-lai-2025.csv``.
- **vietnamadminunits**: the units of the former provinces of Gia Lai and Bình Định as
  they were just before 1 Jul 2025 (districts and their communes, wards and towns, with
  their codes), and the official conversion table saying which new unit covers each of
  them. Only its packaged data files are read: importing the package loads shapely and
  geopy and builds an online geocoder, and its converter geocodes any address that has a
  street over the network when a former commune was split. Its new units are joined to
  vietnam-provinces by name: for five communes of the new province its codes differ (see
  ``AdminUnits.converter_codes`` and docs/decisions/0005-administrative-units.md).

Nothing here reads anything but those packages' own files.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal, cast

import vietnam_provinces
from vietnam_provinces import ProvinceCode, Ward

from services.kit.text import fold
from services.router.errors import UnitsDataError

PROVINCE_CODE = 52  # today's Gia Lai (the former Gia Lai and Bình Định)

CommuneKind = Literal["xã", "phường"]
OldCommuneKind = Literal["xã", "phường", "thị trấn"]
OldDistrictKind = Literal["thành phố", "thị xã", "huyện"]

_NEW_PROVINCE_KEY = "tinhgialai"  # vietnamadminunits' key of today's province
_OLD_PROVINCES = {"tinhgialai": "Gia Lai", "tinhbinhdinh": "Bình Định"}
_COMMUNE_KINDS: tuple[CommuneKind, ...] = ("xã", "phường")
_OLD_COMMUNE_KINDS: tuple[OldCommuneKind, ...] = ("xã", "phường", "thị trấn")
_OLD_DISTRICT_KINDS: tuple[OldDistrictKind, ...] = ("thành phố", "thị xã", "huyện")


@dataclass(frozen=True)
class Commune:
    """A commune-level unit of the province since 1 Jul 2025."""

    code: str  # the official 5-digit unit code, "21553"
    kind: CommuneKind
    name: str  # "Quy Nhơn Bắc"

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def agency_code(self) -> str:
        return f"X{self.code}"


@dataclass(frozen=True)
class OldDistrict:
    """A district-level unit of the former provinces (until 30 Jun 2025)."""

    code: str  # official 3-digit code, "622"
    kind: OldDistrictKind
    name: str  # "Pleiku"
    province: str  # "Gia Lai" or "Bình Định" (the former provinces)

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class OldCommune:
    """A commune, ward or town of the former provinces, and the communes covering it now."""

    code: str  # official 5-digit code; "" for a unit of the gazetteer's own table
    kind: OldCommuneKind
    name: str
    district: OldDistrict
    # Codes of the communes that cover it since 1 Jul 2025; several when it was split, the
    # package's default (the one that took its seat) first.
    successors: tuple[str, ...]
    source: str = field(default="", compare=False)  # own table: where the fact comes from

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class AdminUnits:
    communes: tuple[Commune, ...]
    old_districts: tuple[OldDistrict, ...]
    old_communes: tuple[OldCommune, ...]
    # vietnamadminunits' own code of a commune, where it differs from vietnam-provinces'.
    converter_codes: Mapping[str, str]
    # Where the data comes from: package → "version (data date)".
    sources: Mapping[str, str]

    def commune(self, code: str) -> Commune | None:
        """A commune by its official code, with or without the agency's `X`."""
        return self._by_code.get(code.removeprefix("X"))

    @cached_property
    def _by_code(self) -> dict[str, Commune]:
        return {c.code: c for c in self.communes}


def kind_and_name(full: str, kinds: tuple[str, ...]) -> tuple[str, str]:
    for kind in sorted(kinds, key=len, reverse=True):
        if full.lower().startswith(kind + " "):
            return kind, full[len(kind) + 1 :].strip()
    raise UnitsDataError(f"unit name {full!r} does not start with one of {kinds}")


def _new_communes() -> tuple[Commune, ...]:
    communes = []
    for ward in Ward.iter_by_province(ProvinceCode(PROVINCE_CODE)):
        kind = str(ward.division_type.value)
        if kind not in _COMMUNE_KINDS:
            raise UnitsDataError(f"vietnam-provinces: unit {ward.name!r} is a {kind!r}")
        _, name = kind_and_name(ward.name, (kind,))
        communes.append(Commune(f"{int(ward.code):05d}", cast(CommuneKind, kind), name))
    if not communes:
        raise UnitsDataError(f"vietnam-provinces has no units for province {PROVINCE_CODE}")
    return tuple(sorted(communes, key=lambda c: c.code))


def converter_data_dir() -> Path:
    """vietnamadminunits' data folder, found without importing the package."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise UnitsDataError("the vietnamadminunits package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _rows(db: Path, sql: str, *params: str) -> list[dict[str, Any]]:
    connection = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql, params)]
    finally:
        connection.close()


@cache
def load_units() -> AdminUnits:
    """The units of the packages (cached: read once per process)."""
    communes = _new_communes()
    by_folded_name = {fold(c.full_name): c for c in communes}
    data = converter_data_dir()
    db = data / "dataset.db"

    # vietnamadminunits' new units of the province: its key → our commune (by name).
    new_rows = _rows(
        db,
        "SELECT wardKey, ward, wardCode FROM admin_units WHERE provinceKey = ?",
        _NEW_PROVINCE_KEY,
    )
    by_key: dict[str, Commune] = {}
    converter_codes: dict[str, str] = {}
    for row in new_rows:
        commune = by_folded_name.get(fold(row["ward"]))
        if commune is None:
            raise UnitsDataError(f"vietnamadminunits: {row['ward']!r} not in vietnam-provinces")
        by_key[row["wardKey"]] = commune
        if str(row["wardCode"]) != commune.code:
            converter_codes[commune.code] = str(row["wardCode"])
    if len(by_key) != len(communes):
        raise UnitsDataError(
            f"vietnamadminunits has {len(by_key)} units of the province, "
            f"vietnam-provinces {len(communes)}"
        )

    # The conversion table: old "province_district_ward" key → new units (default first).
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    merged = converter["DICT_PROVINCE"].get(_NEW_PROVINCE_KEY)
    if sorted(merged or ()) != sorted(_OLD_PROVINCES):
        raise UnitsDataError(f"vietnamadminunits: today's Gia Lai is made of {merged}")
    successors: dict[str, list[str]] = {}
    for new_key, old_keys in converter["DICT_PROVINCE_WARD_NO_DIVIDED"][_NEW_PROVINCE_KEY].items():
        for old_key in old_keys:
            successors.setdefault(old_key, []).append(new_key)
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(_NEW_PROVINCE_KEY, {})
    for old_key, parts in divided.items():
        ordered = sorted(parts, key=lambda part: not part["isDefaultNewWard"])
        successors.setdefault(old_key, []).extend(part["newWardKey"] for part in ordered)

    old_rows = _rows(
        db,
        "SELECT provinceKey, districtKey, wardKey, districtShort, wardShort, districtType,"
        " wardType, districtCode, wardCode FROM admin_units_legacy"
        " WHERE provinceKey IN (?, ?) ORDER BY wardCode",
        *_OLD_PROVINCES,
    )
    districts: dict[str, OldDistrict] = {}
    old_communes = []
    for row in old_rows:
        district_kind = row["districtType"].lower()
        commune_kind = row["wardType"].lower()
        if district_kind not in _OLD_DISTRICT_KINDS or commune_kind not in _OLD_COMMUNE_KINDS:
            raise UnitsDataError(f"vietnamadminunits: unexpected kinds in {row}")
        district = districts.setdefault(
            row["districtCode"],
            OldDistrict(
                code=str(row["districtCode"]),
                kind=cast(OldDistrictKind, district_kind),
                name=row["districtShort"],
                province=_OLD_PROVINCES[row["provinceKey"]],
            ),
        )
        key = f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"
        new_keys = successors.get(key)
        if not new_keys:
            raise UnitsDataError(f"vietnamadminunits: no new unit for {key}")
        codes = tuple(dict.fromkeys(by_key[k].code for k in new_keys))
        old_communes.append(
            OldCommune(
                code=str(row["wardCode"]),
                kind=cast(OldCommuneKind, commune_kind),
                name=row["wardShort"],
                district=district,
                successors=codes,
            )
        )
    return AdminUnits(
        communes=communes,
        old_districts=tuple(sorted(districts.values(), key=lambda d: d.code)),
        old_communes=tuple(old_communes),
        converter_codes=converter_codes,
        sources={
            "vietnam-provinces": (
                f"{version('vietnam-provinces')} (data {vietnam_provinces.__data_version__})"
            ),
            "vietnamadminunits": version("vietnamadminunits"),
        },
    )
