"""The notifier's HTTP side: public pages, feeds, the Open311 API, statistics, the office's
delivery page. Public routes read only the public projection (`PublicCase`, transfers)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, FastAPI

from services.kit.faults import is_transient
from services.kit.web import harden, require_base_url
from services.notifier.directory import use
from services.notifier.feeds import routes as feed_routes
from services.notifier.office import routes as office_routes
from services.notifier.open311 import routes as open311_routes
from services.notifier.public_pages import routes as page_routes
from services.notifier.site import Site
from services.notifier.stats import routes as stats_routes

log = logging.getLogger(__name__)


def build_app(service: Site) -> FastAPI:
    require_base_url(service.settings.public_base_url, variable="PAKN_NOTIFIER_PUBLIC_BASE_URL")
    app = FastAPI(title="PAKN Gia Lai — công khai", docs_url=None, redoc_url=None)

    async def reference_data() -> None:
        """Every page speaks of the router's agencies and working days as last received."""
        try:
            await service.reference.refresh()
        except Exception as error:  # the database away: keep the last copy; a page that
            # needs the database says so itself, and the probes and forms still answer
            kind = "unavailable" if is_transient(error) else "unreadable"
            log.warning("notifier: reference data %s, last copy kept: %s", kind, error)
        use(service.reference.directory)

    # A dependency, not a middleware: the embedded app takes these routes without this app.
    pages = APIRouter(dependencies=[Depends(reference_data)])
    for routes in (page_routes, feed_routes, open311_routes, stats_routes, office_routes):
        pages.include_router(routes(service))
    app.include_router(pages)
    return harden(app)
