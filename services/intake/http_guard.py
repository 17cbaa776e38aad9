"""Intake's internal pages (/noi-bo/) are for office (VPUB) officers logged in at the console."""

from __future__ import annotations

from fastapi import Depends
from fastapi.params import Depends as DependsParam

from services.intake.settings import IntakeSettings
from services.kit import staffpass


def office_staff(settings: IntakeSettings) -> list[DependsParam]:
    """Route dependencies: a live staff pass of the office (else through the console's
    renewal or login), and a POST from this site's own pages."""
    return [Depends(staffpass.office_only(settings.staff_secret))]


def staff_json(settings: IntakeSettings) -> list[DependsParam]:
    """The staff JSON APIs' further checks: `application/json` and the form token header."""
    return [Depends(staffpass.json_api(settings.staff_secret))]
