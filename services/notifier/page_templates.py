"""The notifier's page templates, with the view helpers every page may call."""

from __future__ import annotations

from pathlib import Path

from schemas.vocabulary import CLASS_VI, KIND_VI
from services.kit.pages import templates
from services.notifier import public
from services.notifier.catalog import CLASSES, KINDS, STATUSES
from services.notifier.labels import vn_date, vn_datetime, vn_decimal

TEMPLATES = templates(Path(__file__).parent / "templates" / "web")
TEMPLATES.env.globals.update(
    view=public,
    vn_date=vn_date,
    vn_datetime=vn_datetime,
    vn_decimal=vn_decimal,
    status_choices=STATUSES,
    class_choices={code: CLASS_VI[code] for code in CLASSES},
    kind_choices={code: KIND_VI[code] for code in KINDS},
)
