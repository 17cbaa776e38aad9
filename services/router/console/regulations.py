"""The regulation a case is about, as a key that groups cases citing the same document
however it was written ("QĐ 22/2016/QĐ-UBND", "quyết định số 22/2016/qđ-ubnd"…). Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from services.kit.text import fold
from services.text.regulations import RegulationRef, find_regulations, parse_regulation

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_LEVEL_VI = {"provincial": "cấp tỉnh", "district": "cấp huyện", "central": "trung ương"}

T = TypeVar("T")


@dataclass(frozen=True)
class Regulation:
    key: str  # URL-safe: qd-22-2016-ubnd-provincial
    label: str  # QĐ số 22/2016/QĐ-UBND (cấp tỉnh)


def _named(ref: RegulationRef) -> Regulation | None:
    if ref.doc_type is None:
        return None  # "Quy định về …": free words, nothing to group on
    if ref.number is None:  # a law by its name: Luật Đất đai 2013
        return Regulation(_slug(fold(ref.text)), ref.text)
    code = f"{ref.number}/{ref.year}" if ref.year else ref.number
    code += f"/{ref.doc_type}-{ref.issuer}" if ref.issuer else ""
    level = _LEVEL_VI.get(ref.level or "", "")
    parts = (ref.doc_type, ref.number, str(ref.year or ""), ref.issuer or "", ref.level or "")
    label = f"{ref.doc_type} số {code}" + (f" ({level})" if level else "")
    return Regulation(_slug(fold(" ".join(p for p in parts if p))), label)


def _slug(text: str) -> str:
    return _NOT_SLUG.sub("-", text).strip("-")[:120]


def regulation_of(regulation: str, title: str = "", content: str = "") -> Regulation | None:
    """The document named in the case's `regulation` field, else the first one its text
    cites; None when neither names a document."""
    ref = parse_regulation(regulation) if regulation.strip() else None
    found = _named(ref) if ref else None
    if found is not None:
        return found
    for cited in find_regulations(f"{title}\n{content}"):
        named = _named(cited)
        if named is not None:
            return named
    return None


@dataclass(frozen=True)
class Group(Generic[T]):
    regulation: Regulation
    items: tuple[T, ...]


def group_by_regulation(
    items: Iterable[tuple[Regulation | None, T]], *, min_size: int = 1
) -> list[Group[T]]:
    """Items grouped by their regulation (items without one are left out), biggest first."""
    groups: dict[str, tuple[Regulation, list[T]]] = {}
    for regulation, item in items:
        if regulation is None:
            continue
        groups.setdefault(regulation.key, (regulation, []))[1].append(item)
    found = [Group(reg, tuple(members)) for reg, members in groups.values()]
    found = [group for group in found if len(group.items) >= min_size]
    return sorted(found, key=lambda g: (-len(g.items), g.regulation.label))


def members(groups: Sequence[Group[T]], key: str) -> Group[T] | None:
    return next((g for g in groups if g.regulation.key == key), None)
