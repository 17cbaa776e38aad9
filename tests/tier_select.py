"""Which tier directories a `-m` expression leaves out whole, so that pytest need not even
collect them: `-m "not (component or fuzz or integration or browser)"` then costs what
`pytest tests/unit` costs, not that plus importing every other tier's modules (some 6 s).

Markers are set by directory (tests/conftest.py), so a test's tier markers are known before
its module is read: the expression is evaluated with its tier's marker alone set. An
expression naming any other marker is not judged here (None: collect as usual), as a test may
carry that marker itself.
"""

from __future__ import annotations

import ast

TIERS = ("unit", "component", "fuzz", "integration", "browser")
MARKED = frozenset(TIERS) - {"unit"}  # tests/unit has no marker


def selects_tier(markexpr: str, tier: str) -> bool | None:
    """Whether `markexpr` selects the tests of `tier`'s directory; None: it cannot say."""
    try:
        tree = ast.parse(markexpr, mode="eval").body
    except SyntaxError:
        return None
    try:
        return _value(tree, tier)
    except ValueError:
        return None


def _value(node: ast.expr, tier: str) -> bool:
    match node:
        case ast.Name(id=name) if name in MARKED:
            return name == tier
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _value(operand, tier)
        case ast.BoolOp(op=ast.And(), values=values):
            return all([_value(v, tier) for v in values])
        case ast.BoolOp(op=ast.Or(), values=values):
            return any([_value(v, tier) for v in values])
    raise ValueError("not a plain expression of tier markers")
