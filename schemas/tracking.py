"""Tracking codes printed on receipts and read out over the hotline.

Format: ``GL-XXXX-XXXC`` — the prefix ``GL`` (Gia Lai), seven random symbols and one
check symbol, in two groups of four. 23**7 ≈ 3.4 billion codes: collisions are rare
but possible, so the register keeps codes unique and draws again on a clash.

The alphabet (23 symbols) keeps only what survives handwriting and the phone: digits
2–9, and letters with no look-alike or sound-alike there: no 0/O/Q, 1/I/L, Z (2),
S (5), G (6), B (8), U/V, nor N (heard as M).

The check symbol makes the weighted sum Σ (i+1)·value(symbol i) over all eight symbols
≡ 0 (mod 23). Because 23 is prime and the weights 1..8 are distinct and non-zero mod
23, every single wrong symbol and every swap of two symbols (adjacent or not) changes
the sum, so it is caught. (Luhn mod N, by comparison, misses one adjacent swap.)
"""

from __future__ import annotations

import random
import re

ALPHABET = "23456789ACDEFHJKMPRTWXY"
PREFIX = "GL"
_N = len(ALPHABET)  # prime: see the module docstring
_PAYLOAD = 7
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}


def new_tracking_code(rng: random.Random | None = None) -> str:
    """A fresh code; pass a seeded `rng` in tests, by default the OS's randomness."""
    rng = rng or random.SystemRandom()
    payload = "".join(rng.choice(ALPHABET) for _ in range(_PAYLOAD))
    return _format(payload + _check_symbol(payload))


def parse_tracking_code(text: str) -> str | None:
    """The canonical form of a code as typed or dictated, or None if it is not one.

    Case, spaces, dashes, dots and the ``GL`` prefix are optional.
    """
    compact = re.sub(r"[\s\-_.]", "", text or "").upper()
    if len(compact) == _PAYLOAD + 1 + len(PREFIX) and compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    if len(compact) != _PAYLOAD + 1 or any(ch not in _VALUE for ch in compact):
        return None
    if _weighted_sum(compact) % _N != 0:
        return None
    return _format(compact)


def _check_symbol(payload: str) -> str:
    # Solve weighted_sum(payload) + (len+1)·c ≡ 0 for c; pow(w, -1, N) is w's inverse.
    weight = len(payload) + 1
    value = -_weighted_sum(payload) * pow(weight, -1, _N) % _N
    return ALPHABET[value]


def _weighted_sum(symbols: str) -> int:
    return sum((i + 1) * _VALUE[ch] for i, ch in enumerate(symbols))


def _format(symbols: str) -> str:
    return f"{PREFIX}-{symbols[:4]}-{symbols[4:]}"
