"""Recognising an item received twice.

Three kinds: the same channel message delivered again (same channel and channel
reference: `channel_key`); the same letter sent by two channels, say by e-mail and by
post (`fingerprint` + `is_same_letter`): same submitter, nearly the same text, a few days
apart; and the same person sending the same text again by the same channel within a day
(`is_repeat`: a form sent twice, a browser refresh, a second e-mail), which is the first
case again rather than a case of its own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from schemas.submission import Submission
from services.intake.domain.normalise import normalise_email, normalise_phone
from services.kit.text import analysed, clean, fold

# Three-word shingles: one mistyped word touches three shingles, while two different
# letters on the same subject still share few of them.
SHINGLE_WORDS = 3
# Share of the shorter address's words found in the longer one: "thôn 1, xã Song An"
# and the same plus ", tỉnh Gia Lai" are one address.
_SAME_ADDRESS = 0.8


def channel_key(s: Submission) -> str | None:
    """`channel:reference`, or None when the channel gave no reference."""
    reference = clean(s.channel_ref)
    return f"{s.channel.value}:{reference}" if reference else None


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What is compared to find the same letter; storable (shingles are stable hashes)."""

    received_at: datetime
    phone: str | None
    email: str | None
    name: str  # folded
    address: frozenset[str]  # folded words
    shingles: frozenset[int]


def fingerprint(s: Submission) -> Fingerprint:
    """Each text field is read up to `ANALYSED_CHARS` (services.kit.text)."""
    return Fingerprint(
        received_at=s.received_at,
        phone=normalise_phone(s.phone),
        email=normalise_email(s.email),
        name=fold(analysed(s.name or s.organization)),
        address=frozenset(_words(analysed(s.address))),
        shingles=_shingles(_words(analysed(s.content))),
    )


def is_same_letter(
    a: Fingerprint, b: Fingerprint, *, max_days: int = 30, min_similarity: float = 0.8
) -> bool:
    """Same submitter, received at most `max_days` apart, texts at least `min_similarity`
    alike (Jaccard index of their shingles)."""
    if abs(a.received_at - b.received_at) > timedelta(days=max_days):
        return False
    return _same_submitter(a, b) and similarity(a, b) >= min_similarity


def is_repeat(
    a: Fingerprint,
    b: Fingerprint,
    *,
    window: timedelta = timedelta(days=1),
    min_similarity: float = 0.9,
) -> bool:
    """The same person (the same phone or e-mail: a name alone is not enough) sending the
    same text again within `window`; the caller checks that the channel is the same."""
    if abs(a.received_at - b.received_at) > window:
        return False
    same_person = bool(a.phone and a.phone == b.phone) or bool(a.email and a.email == b.email)
    return same_person and similarity(a, b) >= min_similarity


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Jaccard index of the two texts' shingles; 0.0 when either text is empty."""
    if not a.shingles or not b.shingles:
        return 0.0
    return len(a.shingles & b.shingles) / len(a.shingles | b.shingles)


def _same_submitter(a: Fingerprint, b: Fingerprint) -> bool:
    if a.phone and a.phone == b.phone:
        return True
    if a.email and a.email == b.email:
        return True
    if not (a.name and a.name == b.name and a.address and b.address):
        return False
    shared = len(a.address & b.address) / min(len(a.address), len(b.address))
    return shared >= _SAME_ADDRESS


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def _shingles(words: list[str]) -> frozenset[int]:
    size = min(SHINGLE_WORDS, len(words))
    grams = (" ".join(words[i : i + size]) for i in range(len(words) - size + 1)) if size else ()
    # blake2b, not hash(): Python salts str hashes per process, and fingerprints are stored.
    return frozenset(
        int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams
    )
