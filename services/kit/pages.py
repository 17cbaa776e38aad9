"""Page templates: each service's own folder first, then the shared layout."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

SHARED = Path(__file__).parent / "templates"


def templates(own: Path) -> Jinja2Templates:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(own), FileSystemLoader(SHARED)]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
    )
    return Jinja2Templates(env=env)
