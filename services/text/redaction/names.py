"""Detectors for individuals' names.

Two independent signals: a capitalised run that starts with a known surname, and a
capitalised run right after words that introduce a person ("ông", "tôi tên là",
"Người liên hệ:", "Trân trọng,"). The submitter's own name is matched separately,
in any case and with or without diacritics.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from services.kit.text import fold
from services.text.redaction.base import (
    Kind,
    Lexicon,
    Span,
    TextView,
    Token,
    alternation,
    keyword_ok,
)
from services.text.redaction.lexicon import (
    ASCII_AMBIGUOUS,
    HONORIFICS,
    INTRODUCTIONS,
    LEADER_BEFORE,
    MIDDLE_ONLY,
    NAME_WORDS,
    NOT_A_NAME,
    NOT_NAME,
    NOT_PERSON,
    ORG_ACRONYMS,
    PLACE_BEFORE,
    PLAIN_HONORIFICS,
    ROLES,
    SIGN_OFFS,
    STOP_BIGRAMS,
    SURNAME_PREFIXES,
    SURNAMES,
    TITLES,
)

_HONORIFICS_ALTERNATION = alternation(sorted(HONORIFICS.exact))
_HONORIFIC = re.compile(
    rf"(?:(?P<w>{_HONORIFICS_ALTERNATION})|{alternation(sorted(TITLES.exact))}\.?)"
    r"[ \u00a0]+"
)
_ROLE = re.compile(alternation(ROLES) + r"[ \u00a0:,]+")
_INTRO = re.compile(alternation(INTRODUCTIONS) + r"[ \u00a0]*[:\-–]?[ \u00a0]*")
# A signature's parenthesis ("(đã ký)", "(ký, ghi rõ họ tên)") is read up to 100 characters.
_SIGN_OFF = re.compile(
    alternation(SIGN_OFFS) + r"[\s,:!.\-–]*(?:\((?:da ky|ky|ky ten)[^)]{0,100}\)[\s,:]*)?"
)
# What may follow a signature up to its line's end. Bounded and without two adjacent runs
# of the same characters (`[ .]*(…)?[ .]*`): on a long run of dots or spaces that form
# tried every split of the run, quadratic; an unclosed "(ký" was read to the text's end.
_LINE_END = re.compile(r"[ \t.,;!]*(?:\((?:đã ký|ký)[^)]{0,100}\)[ \t.,;!]*)?(?:\n|$)")


def starts_phrase(view: TextView, index: int) -> bool:
    """A capitalised word opening a common phrase: "Công ty", "Thành phố", "Văn hóa"."""
    if index + 1 >= len(view.tokens):
        return False
    here, after = view.tokens[index], view.tokens[index + 1]
    if after.capitalised or not view.adjacent(here, after):
        return False
    return f"{here.key} {after.key}" in STOP_BIGRAMS


def word_run(
    view: TextView, index: int, *, limit: int = 5, caps: bool = False, stop: Lexicon = NOT_NAME
) -> int:
    """End (exclusive) of the run of capitalised words starting at token `index`."""
    tokens, end = view.tokens, index
    while end < len(tokens) and end - index < limit:
        tok = tokens[end]
        if not (tok.capitalised or (caps and tok.upper)) or _stops(view, tok, stop):
            break
        if starts_phrase(view, end) or (end > index and not view.adjacent(tokens[end - 1], tok)):
            break
        if view.next_to_placeholder(tok):
            break  # what is left beside a redacted run is never a name of its own
        end += 1
    return end


def _stops(view: TextView, token: Token, stop: Lexicon) -> bool:
    # Folded, "Trong" may be "Trọng": in text without diacritics a name word wins.
    return stop.has(view, token.text) and not (view.plain and token.key in NAME_WORDS)


def name_run(view: TextView, index: int, *, caps: bool = False) -> int:
    end = word_run(view, index, caps=caps)
    while end > index and view.tokens[end - 1].key in MIDDLE_ONLY:
        end -= 1
    return end


def is_surname(view: TextView, token: Token) -> bool:
    if SURNAMES.has(view, token.text) or _ede_prefix(token):
        return True
    # "Nguyen" typed without marks inside a text that has them.
    return (
        token.text.isascii() and token.key not in ASCII_AMBIGUOUS and token.key in SURNAMES.folded
    )


def _ede_prefix(token: Token) -> bool:
    """Ede and Jrai names may open with "Y" (men) or "H'" (women): "Y Ble", "H'Hen Niê"."""
    return token.text == "Y" or token.text[:2] in ("H'", "H’")


def _inside_proper_noun(view: TextView, index: int) -> bool:
    """The surname continues a place or an organisation: "Thu Hà", "xã Ia Tô", "P. Hoa Lư"."""
    here = view.tokens[index]
    if view.next_to_placeholder(here):
        return True
    if index == 0:
        return False
    prev = view.tokens[index - 1]
    gap = view.text[prev.end : here.start]
    if gap in (". ", ".") and len(prev.text) <= 2:
        return PLACE_BEFORE.has(view, prev.text)
    if gap not in (" ", "\u00a0") or HONORIFICS.has(view, prev.text):
        return False
    if prev.upper:
        return prev.key in ORG_ACRONYMS
    if prev.capitalised:
        return True
    return PLACE_BEFORE.has(view, prev.text) and not _led_by_leader(view, index - 1)


def _led_by_leader(view: TextView, index: int) -> bool:
    """ "già làng", "trưởng thôn": the word names a role, so a person follows."""
    if index == 0:
        return False
    return LEADER_BEFORE.has(view, view.tokens[index - 1].text)


def _surname_name_end(view: TextView, index: int) -> int:
    """End of the name starting at `index`, or `index` when there is none."""
    tok = view.tokens[index]
    if not (tok.capitalised or tok.upper) or not is_surname(view, tok):
        return index
    if _inside_proper_noun(view, index):
        return index
    end = name_run(view, index, caps=tok.upper)
    if tok.upper and end - index < 3:
        return index  # "ĐỖ XE" in a shouted title is not a person
    minimum = 3 if SURNAME_PREFIXES.has(view, tok.text) else 2
    return index if end - index < minimum or _key(view, index, end) in NOT_PERSON else end


def _key(view: TextView, start: int, end: int) -> str:
    return " ".join(t.key for t in view.tokens[start:end])


def _surname_names(view: TextView) -> Iterator[Span]:
    index, tokens = 0, view.tokens
    while index < len(tokens):
        text = tokens[index].text
        if not (text[0].isupper() or text.isupper()):  # neither capitalised nor upper case
            index += 1  # so no name starts here (`_surname_name_end`)
            continue
        end = _surname_name_end(view, index)
        if end > index:
            yield Span(view.tokens[index].start, view.tokens[end - 1].end, Kind.NAME)
        index = max(end, index + 1)


def _after(view: TextView, offset: int, *, minimum: int) -> Span | None:
    """The name that starts exactly at `offset`, if it has at least `minimum` words."""
    index = view.token_at.get(offset)
    if index is None:
        return None
    end = name_run(view, index, caps=is_surname(view, view.tokens[index]))
    if end - index < minimum or _key(view, index, end) in NOT_PERSON:
        return None
    return Span(view.tokens[index].start, view.tokens[end - 1].end, Kind.NAME)


def _is_honorific(view: TextView, start: int, end: int) -> bool:
    """ "ông", "Anh" opening a sentence; but "Hoàng Anh Gia Lai" is a company's name."""
    if not keyword_ok(view, start, end, HONORIFICS):
        return False
    if view.plain and view.folded[start:end] not in PLAIN_HONORIFICS:
        return False
    index = view.token_at.get(start)
    if index is None or not view.tokens[index].capitalised:
        return True
    return view.sentence_start(view.tokens[index]) or not _inside_proper_noun(view, index)


def _introduced_names(view: TextView) -> Iterator[Span]:
    for m in _HONORIFIC.finditer(view.folded):
        found = _after(view, m.end(), minimum=1)
        if found and (m["w"] is None or _is_honorific(view, m.start("w"), m.end("w"))):
            yield found
    for pattern, minimum in ((_ROLE, 2), (_INTRO, 1)):
        for m in pattern.finditer(view.folded):
            if found := _after(view, m.end(), minimum=minimum):
                yield found
    for m in _SIGN_OFF.finditer(view.folded):
        found = _after(view, m.end(), minimum=2)
        if found and _LINE_END.match(view.text, found.end):
            yield found


def name_spans(view: TextView) -> list[Span]:
    return [*_surname_names(view), *_introduced_names(view)]


def _phrase_spans(view: TextView, words: list[str], *, exact: bool) -> Iterator[Span]:
    """Occurrences of `words`; with `exact`, diacritics must match unless typed without."""
    if fold(words[0]) not in view.folded:  # every match holds the first word
        return
    wanted = " ".join(words).lower()
    for start, end in _phrase_matches(view.folded, [fold(w) for w in words]):
        found = view.text[start:end]
        same = " ".join(found.lower().split()) == wanted
        bare = found.isascii() and all(w[0].isupper() for w in found.split())
        if not exact or same or bare:
            yield Span(start, end, Kind.NAME)


# The submitter's name is looked for without a regular expression of its own: one compiled
# per name filled the `re` module's cache (512 patterns) and evicted everyone else's,
# the e-mail package's included, which then compiled theirs again for every message.
_SPACE_RUN = re.compile(r"\s+")
_WORD_CHAR = re.compile(r"\w")
_AFTER_HONORIFIC = re.compile(rf"(?P<w>{_HONORIFICS_ALTERNATION})\s+")


def _phrase_end(folded: str, keys: list[str], start: int) -> int | None:
    """Where `keys` (folded words, whitespace between them) end when they start at `start`
    with no word character on either side; None when they are not there."""
    if start > 0 and _WORD_CHAR.match(folded, start - 1):
        return None
    at = start
    for i, key in enumerate(keys):
        if i:
            gap = _SPACE_RUN.match(folded, at)
            if gap is None:
                return None
            at = gap.end()
        if not folded.startswith(key, at):
            return None
        at += len(key)
    return None if _WORD_CHAR.match(folded, at) else at


def _phrase_matches(folded: str, keys: list[str]) -> Iterator[tuple[int, int]]:
    r"""What `re.finditer(r"(?<!\w)k1\s+k2…(?!\w)", folded)` finds, left to right and
    without overlaps."""
    start = folded.find(keys[0])
    while start != -1:
        end = _phrase_end(folded, keys, start)
        if end is None or end == start:
            start = folded.find(keys[0], start + 1)
            continue
        yield start, end
        start = folded.find(keys[0], end)


def _given_spans(view: TextView, given: str) -> Iterator[Span]:
    """The given name alone: after an honorific, or capitalised on its own mid-sentence."""
    key = fold(given)
    if key not in view.folded:  # neither an honorific's match nor a word can hold it
        return
    yield from _after_honorific(view, key)
    for index, tok in enumerate(view.tokens):
        if tok.key == key and tok.capitalised and _alone(view, index, given):
            yield Span(tok.start, tok.end, Kind.NAME)


def _after_honorific(view: TextView, key: str) -> Iterator[Span]:
    """The folded word `key` right after an honorific ("chị", "ông"), as `finditer` on
    "honorific, spaces, `key`, no word character" would find it: left to right, no overlaps."""
    taken = 0
    for m in _AFTER_HONORIFIC.finditer(view.folded):
        end = m.end() + len(key)
        if m.start() < taken or not view.folded.startswith(key, m.end()):
            continue
        if _WORD_CHAR.match(view.folded, end):
            continue
        taken = end
        if keyword_ok(view, m.start("w"), m.end("w"), HONORIFICS):
            yield Span(m.end(), end, Kind.NAME)


def _alone(view: TextView, index: int, given: str) -> bool:
    tok = view.tokens[index]
    if tok.text.lower() != given.lower() and not tok.text.isascii():
        return False
    if view.sentence_start(tok) or view.next_to_placeholder(tok):
        return False
    neighbours = view.tokens[max(index - 1, 0) : index] + view.tokens[index + 1 : index + 2]
    return not any(
        n.capitalised and (view.adjacent(n, tok) or view.adjacent(tok, n)) for n in neighbours
    )


def known_name_spans(view: TextView, name: str) -> list[Span]:
    """The submitter's own name: whole, its last words, and the given name alone."""
    words = name.split()
    if not words or fold(name) in NOT_A_NAME:
        return []
    spans = list(_phrase_spans(view, words, exact=False)) if len(words) > 1 else []
    tails = {tuple(words[1:]), tuple(words[-2:])} if len(words) > 2 else set()
    for tail in tails:
        # Two words may be a common phrase ("Văn Hòa" / "văn hóa"); three are not.
        spans += _phrase_spans(view, list(tail), exact=len(tail) < 3)
    givens = {words[-1]}
    if len(words) > 1 and fold(words[0]) not in SURNAMES.folded:
        givens.add(words[0])  # Western order: "David Thompson"
    for given in givens:
        if len(given) > 1:
            spans += _given_spans(view, given)
    return spans
