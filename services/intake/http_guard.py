"""Intake's internal pages (/noi-bo/) are for office (VPUB) officers logged in at the console."""

from __future__ import annotations

from fastapi import Depends
from fastapi.params import Depends as DependsParam

from services.intake.settings import IntakeSettings
from services.kit import staffpass


def office_staff(settings: IntakeSettings) -> list[DependsParam]:
    """Route dependencies: a valid staff pass of the office, else the console's login."""
    return [Depends(staffpass.office_only(settings.staff_secret))]
