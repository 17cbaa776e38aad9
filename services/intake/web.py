"""Intake's HTTP side: the channels (public form, portal JSON API, Open311, the hotline
operator's and post clerk's forms and APIs), the printable receipt and the office's list
of payloads that could not be read.

They register through the same use case as the intake topic, synchronously, because the
person at the form must leave with a tracking code. The API contracts are in the OpenAPI
document (`/openapi.json`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from services.intake import pages
from services.intake.channels import open311, portal, staff, web
from services.intake.channels.http import Site

if TYPE_CHECKING:
    from services.intake.service import IntakeService


def build_app(service: IntakeService) -> FastAPI:
    app = FastAPI(
        title="PAKN Gia Lai — tiếp nhận",
        description="Các kênh tiếp nhận phản ánh, kiến nghị về quy định hành chính.",
        docs_url=None,
        redoc_url=None,
    )
    site = Site(receiver=service.receiver, settings=service.settings)
    for module in (web, portal, open311, staff, pages):
        app.include_router(module.router(site))
    return app
