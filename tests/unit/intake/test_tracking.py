from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.tracking import ALPHABET, new_tracking_code, parse_tracking_code

CODE = re.compile(rf"GL-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")


def test_alphabet_avoids_look_alikes_and_has_a_prime_size() -> None:
    assert not set(ALPHABET) & set("01OQILZSGBUVN")
    assert len(set(ALPHABET)) == len(ALPHABET) == 23


def test_codes_have_the_documented_form_and_parse_to_themselves() -> None:
    rng = random.Random(7)
    for _ in range(200):
        code = new_tracking_code(rng)
        assert CODE.fullmatch(code)
        assert parse_tracking_code(code) == code


def test_a_seeded_rng_gives_the_same_codes() -> None:
    assert new_tracking_code(random.Random(1)) == new_tracking_code(random.Random(1))


def test_codes_are_unique_enough() -> None:
    rng = random.Random(2023)
    codes = {new_tracking_code(rng) for _ in range(20_000)}
    assert len(codes) >= 19_990


def test_default_randomness_is_used_without_an_rng() -> None:
    assert CODE.fullmatch(new_tracking_code())


@pytest.mark.parametrize(
    "typed",
    ["gl-6r4a-5kja", "GL6R4A5KJA", "gl 6r4a 5kja", " 6R4A-5KJA ", "6r4a5kja", "GL.6R4A.5KJA"],
)
def test_parse_accepts_what_operators_type(typed: str) -> None:
    assert new_tracking_code(random.Random(1)) == "GL-6R4A-5KJA"
    assert parse_tracking_code(typed) == "GL-6R4A-5KJA"


@pytest.mark.parametrize(
    "typed", ["", "GL-6R4A-5KJ", "GL-6R4A-5KJAA", "GL-6R4A-5KJ0", "XX-6R4A-5KJA", "GL-6R4A-5KJB"]
)
def test_parse_rejects_malformed_codes(typed: str) -> None:
    assert parse_tracking_code(typed) is None


def _symbols(code: str) -> str:
    return code.removeprefix("GL-").replace("-", "")


@given(st.randoms(use_true_random=False), st.integers(0, 7), st.integers(1, len(ALPHABET) - 1))
def test_a_single_wrong_symbol_is_caught(rng: random.Random, at: int, shift: int) -> None:
    symbols = _symbols(new_tracking_code(rng))
    wrong = ALPHABET[(ALPHABET.index(symbols[at]) + shift) % len(ALPHABET)]
    assert parse_tracking_code(symbols[:at] + wrong + symbols[at + 1 :]) is None


@given(st.randoms(use_true_random=False), st.integers(0, 6))
def test_an_adjacent_swap_is_caught(rng: random.Random, at: int) -> None:
    symbols = list(_symbols(new_tracking_code(rng)))
    if symbols[at] == symbols[at + 1]:
        return  # swapping equal symbols changes nothing
    symbols[at], symbols[at + 1] = symbols[at + 1], symbols[at]
    assert parse_tracking_code("".join(symbols)) is None


@given(st.text(max_size=40))
def test_parse_never_crashes_and_returns_canonical_codes(text: str) -> None:
    parsed = parse_tracking_code(text)
    assert parsed is None or (CODE.fullmatch(parsed) and parse_tracking_code(parsed) == parsed)
