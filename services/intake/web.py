"""Intake's HTTP side: the channels (public form, portal JSON API, Open311, the hotline
operator's and post clerk's forms and APIs), the printable receipt and the office's list
of payloads that could not be read.

They register through the same use case as the intake topic, synchronously, because the
person at the form must leave with a tracking code. The public API contracts are in the
OpenAPI document (`/openapi.json`); the staff pages and APIs (`/noi-bo/`) are left out of it.

Every link the service prints (receipts, status pages) is built from the configured
`PUBLIC_BASE_URL`, never from the request's `Host` header: the app refuses to start without it.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.intake import pages
from services.intake.channels import open311, portal, staff, web
from services.intake.channels.http import Site
from services.intake.receiving import Receiver
from services.intake.settings import IntakeSettings
from services.kit.web import MissingSetting, harden, require_base_url

__all__ = ["MissingSetting", "build_app"]


def build_app(*, receiver: Receiver, settings: IntakeSettings) -> FastAPI:
    """The app of the channels; they take what they use (the receiver and the settings),
    not the service, so that the service builds them without an import cycle."""
    require_base_url(settings.public_base_url, variable="PAKN_INTAKE_PUBLIC_BASE_URL")
    app = FastAPI(
        title="PAKN Gia Lai — tiếp nhận",
        description="Các kênh tiếp nhận phản ánh, kiến nghị về quy định hành chính.",
        docs_url=None,
        redoc_url=None,
    )
    site = Site(receiver=receiver, settings=settings)
    for module in (web, portal, open311, staff, pages):
        app.include_router(module.router(site))
    return harden(app)
