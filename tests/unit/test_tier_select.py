"""`-m` expressions that leave a tier out whole spare its collection (tests/tier_select.py)."""

from __future__ import annotations

import pytest

from tests.tier_select import TIERS, selects_tier

UNIT_ONLY = "not (component or fuzz or integration or browser)"


@pytest.mark.parametrize(
    ("expression", "selected"),
    [
        (UNIT_ONLY, {"unit"}),
        ("not integration and not browser and not fuzz and not component", {"unit"}),
        ("component", {"component"}),
        ("not integration", {"unit", "component", "fuzz", "browser"}),
        ("not integration and not browser", {"unit", "component", "fuzz"}),
        ("integration or browser", {"integration", "browser"}),
    ],
)
def test_a_tier_expression_selects_the_tiers_it_names(expression: str, selected: set[str]) -> None:
    assert {tier for tier in TIERS if selects_tier(expression, tier)} == selected
    assert all(selects_tier(expression, tier) is not None for tier in TIERS)


@pytest.mark.parametrize(
    "expression",
    ["slow", "not slow and not integration", "component or asyncio", "integration(", "a == b"],
)
def test_other_markers_or_odd_expressions_are_not_judged(expression: str) -> None:
    """A test may carry another marker itself: its directory must be collected."""
    assert all(selects_tier(expression, tier) is None for tier in TIERS)
