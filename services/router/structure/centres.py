"""Today's commune nearest a map point, for an item that gives a point and no address
(Open311's `lat`/`long`).

vietnamadminunits has, for every commune of the province, the centre of its area and the
area itself, but not its boundary: a point is taken to be in the commune whose centre is
nearest, and only when it lies within twice that commune's equivalent radius
(√(area/π)); anything farther (another province, the sea, a centre too coarse to say) is
no place at all, and the item is routed as if it had no address.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from services.kit.text import fold
from services.router.structure.units import Commune, _rows, converter_data_dir, load_units

_PROVINCE_KEY = "tinhgialai"
EARTH_RADIUS_KM = 6371.0
REACH = 2.0  # equivalent radii


@dataclass(frozen=True)
class Centre:
    commune: Commune
    lat: float
    long: float
    radius_km: float


@dataclass(frozen=True)
class NearCommune:
    commune: Commune
    distance_km: float

    @property
    def address_vi(self) -> str:
        """The place as an address line the rules read, saying where it came from."""
        return (
            f"{self.commune.full_name} (theo tọa độ bản đồ người gửi, "
            f"cách trung tâm {self.distance_km:.1f} km)"
        )


@cache
def centres() -> tuple[Centre, ...]:
    by_name = {fold(c.full_name): c for c in load_units().communes}
    rows = _rows(
        converter_data_dir() / "dataset.db",
        "SELECT ward, wardLat, wardLon, wardAreaKm2 FROM admin_units WHERE provinceKey = ?",
        _PROVINCE_KEY,
    )
    found = []
    for row in rows:
        commune = by_name.get(fold(row["ward"]))
        if commune is None or row["wardLat"] is None or not row["wardAreaKm2"]:
            continue
        radius = math.sqrt(float(row["wardAreaKm2"]) / math.pi)
        found.append(Centre(commune, float(row["wardLat"]), float(row["wardLon"]), radius))
    return tuple(found)


def distance_km(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(long2 - long1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def commune_near(lat: float, long: float) -> NearCommune | None:
    """The commune whose centre is nearest the point, if the point is within its reach."""
    best: tuple[float, Centre] | None = None
    for centre in centres():
        d = distance_km(lat, long, centre.lat, centre.long)
        if best is None or d < best[0]:
            best = (d, centre)
    if best is None or best[0] > REACH * best[1].radius_km:
        return None
    return NearCommune(best[1].commune, best[0])
