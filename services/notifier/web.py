"""The notifier's HTTP side: public pages, feeds, the Open311 API, statistics, the office's
delivery page. Public routes read only the public projection (`PublicCase`, transfers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from services.kit.web import harden, require_base_url
from services.notifier.feeds import routes as feed_routes
from services.notifier.office import routes as office_routes
from services.notifier.open311 import routes as open311_routes
from services.notifier.stats import routes as stats_routes
from services.notifier.web_pages import routes as page_routes

if TYPE_CHECKING:
    from services.notifier.service import NotifierService


def build_app(service: NotifierService) -> FastAPI:
    require_base_url(service.settings.public_base_url, variable="PAKN_NOTIFIER_PUBLIC_BASE_URL")
    app = FastAPI(title="PAKN Gia Lai — công khai", docs_url=None, redoc_url=None)
    for routes in (page_routes, feed_routes, open311_routes, stats_routes, office_routes):
        app.include_router(routes(service))
    return harden(app)
