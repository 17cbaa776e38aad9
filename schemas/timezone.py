"""Vietnam's time zone, the one every date in the PAKN rules is read in.

Shared vocabulary: deadlines count working days in Vietnam, receipts print local times,
and public filters take local dates, in all three services.
"""

from __future__ import annotations

from datetime import timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _vietnam_zone() -> tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:
        # No tz database on the host: Vietnam has kept UTC+7 without DST since 1975.
        return timezone(timedelta(hours=7), "ICT")


VIETNAM = _vietnam_zone()
