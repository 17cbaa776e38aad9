"""Is an item a PAKN the office can accept? (domain.md §3)

Checks run in this order, and the first that fails decides:

1. empty_content: with nothing stated there is nothing further to read.
2. not_vietnamese: the scope checks below read Vietnamese; another language cannot
   be scoped.
3. complaint_or_denunciation, then 4. not_administrative: these hold whoever sent the
   item, so they come before the contact check. An out-of-scope item would be refused
   even once completed; its sender is better served by being sent to the right body
   (Thanh tra tỉnh, a court) than by being asked for details first.
5. missing_contact last: it is the one defect the office helps to mend (*needs info*),
   so it is only worth asking about when the item would otherwise be accepted.

`duplicate` needs the register, so the caller decides it and builds the answer with
`refuse`. Every word list, threshold and message is in `AdmissibilityPolicy`
(admissibility_policy.py).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.submission import Submission, SubmitterType
from services.intake.domain.admissibility_policy import DEFAULT, AdmissibilityPolicy, Messages
from services.intake.domain.normalise import clean_paragraphs, normalise_phone
from services.kit.text import CharTable, analysed, clean, fold, marked_words

__all__ = [
    "DEFAULT",
    "AdmissibilityPolicy",
    "Decision",
    "Messages",
    "RefusalReason",
    "assess",
    "refuse",
]


class RefusalReason(StrEnum):
    MISSING_CONTACT = "missing_contact"
    NOT_VIETNAMESE = "not_vietnamese"
    EMPTY_CONTENT = "empty_content"
    COMPLAINT_OR_DENUNCIATION = "complaint_or_denunciation"
    DUPLICATE = "duplicate"
    NOT_ADMINISTRATIVE = "not_administrative"


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    accepted: bool
    reason: RefusalReason | None
    explanation: str  # English, for the office log
    message_vi: str  # for the submitter


# Latin-1 accents (à, é, ô...) are shared with French or Spanish; these are not.
_LETTERS_VI = frozenset(
    ch
    for ch in "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    if ord(ch) > 0xFF
)
# `str.translate` tables: a text's letters, and its letters particular to Vietnamese.
_ONLY_LETTERS = CharTable(lambda ch: ch if ch.isalpha() else None)
_ONLY_LETTERS_VI = CharTable(lambda ch: ch if ch in _LETTERS_VI else None)
_ONSET = r"(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdghklmnprstvx])?"
_SYLLABLE = re.compile(rf"{_ONSET}[aeiouy]{{1,3}}(?:ch|ng|nh|[cmnpt])?")
_SPACES = re.compile(r"\s+")
_MARKED_SHARE = 0.2  # below this share of words with diacritics a text was typed without
# A word is a run of word characters with at least one letter. Found as runs, then
# filtered: the single pattern `\w*[^\W\d_]\w*` rescanned a run of digits from every
# position in it, quadratic in the run's length.
_RUN = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class _Text:
    """Folded text, and the same letters with their diacritics ("" if they do not align)."""

    folded: str
    marked: str = ""
    # The whole words of `folded` (or of a text it was cut from): a term list none of whose
    # first words is among them finds nothing (`_spans`).
    words: frozenset[str] | None = None


def _text(lines: str) -> _Text:
    """Folded line by line (a line break ends a salutation), marks kept alongside when the
    text was typed with them."""
    folded = "\n".join(map(fold, lines.splitlines()))
    marked = "\n".join(
        _SPACES.sub(" ", unicodedata.normalize("NFC", line.lower())).strip()
        for line in lines.splitlines()
    )
    typed = False  # an ASCII text has no diacritics (đ is not ASCII either)
    if not marked.isascii():
        words, marked_ones = marked_words(marked)  # words with a letter; those with marks
        typed = marked_ones >= _MARKED_SHARE * max(words, 1)
    whole = frozenset(_RUN.findall(folded))
    return _Text(folded, marked if typed and len(marked) == len(folded) else "", whole)


def assess(s: Submission, *, policy: AdmissibilityPolicy = DEFAULT) -> Decision:
    """The admissibility decision for one item; see the module docstring for the order.

    Each field is read up to `ANALYSED_CHARS` (services.kit.text): every valid item whole.
    """
    title, content = clean(analysed(s.title)), clean_paragraphs(analysed(s.content))
    text = _text(f"{title}\n{content}")
    checks = (
        lambda: _empty(text, policy),
        lambda: _foreign(content, policy),
        lambda: _complaint_or_denunciation(text, policy),
        lambda: _not_administrative(text, policy),
        lambda: _missing_contact(s, policy),
    )
    for check in checks:
        refusal = check()
        if refusal is not None:
            return refusal
    return Decision(
        accepted=True, reason=None, explanation="admissible", message_vi=policy.messages.accepted
    )


def refuse(
    reason: RefusalReason,
    explanation: str,
    *,
    policy: AdmissibilityPolicy = DEFAULT,
    message_key: Literal["complaint", "denunciation"] | None = None,
) -> Decision:
    """A refusal with the policy's message for `reason` (or for `message_key`)."""
    message = getattr(policy.messages, message_key or reason.value)
    return Decision(accepted=False, reason=reason, explanation=explanation, message_vi=message)


def _empty(text: _Text, policy: AdmissibilityPolicy) -> Decision | None:
    kept = _salutations(policy.salutations).sub(lambda m: " " * len(m.group(0)), text.folded)
    kept = _terms(policy.closings).sub(lambda m: " " * len(m.group(0)), kept)
    needed = min(policy.min_substantive_words, policy.min_content_words)
    # Words and fillers are read in step, and only as far as it takes to see enough of
    # both: both counts only grow, so enough at some word is enough at the end.
    fillers = _iter_spans(_Text(kept, text.marked, text.words), policy.filler_words)
    upcoming = next(fillers, None)
    filler: tuple[int, int] | None = None  # the last filler starting at or before the word
    words = substantive = 0
    for match in _RUN.finditer(kept):
        if not _LETTER.search(match.group()):
            continue
        start, end = match.span()
        while upcoming is not None and upcoming[0] <= start:
            filler, upcoming = upcoming, next(fillers, None)
        words += 1
        substantive += filler is None or end > filler[1]  # not inside that filler
        if words >= policy.min_content_words and substantive >= needed:
            return None
    explanation = (
        f"content states nothing: {words} words besides salutations and closings, "
        f"{substantive} that say something"
    )
    return refuse(RefusalReason.EMPTY_CONTENT, explanation, policy=policy)


def _foreign(content: str, policy: AdmissibilityPolicy) -> Decision | None:
    letters = content.lower().translate(_ONLY_LETTERS)
    vi_share = len(letters.translate(_ONLY_LETTERS_VI)) / max(len(letters), 1)
    if vi_share >= policy.min_vietnamese_letter_share:
        return None
    words = re.findall(r"[a-z]+", fold(content))
    syllable_share = sum(bool(_SYLLABLE.fullmatch(w)) for w in words) / max(len(words), 1)
    if syllable_share >= policy.min_syllable_share:
        return None
    explanation = (
        f"not Vietnamese: {vi_share:.0%} Vietnamese letters, "
        f"{syllable_share:.0%} of words shaped like Vietnamese syllables"
    )
    return refuse(RefusalReason.NOT_VIETNAMESE, explanation, policy=policy)


def _complaint_or_denunciation(text: _Text, policy: AdmissibilityPolicy) -> Decision | None:
    # The exempt spans are only looked for once a term is found.
    exempt = cache(lambda: _spans(text, policy.scope_exemptions))
    reason = RefusalReason.COMPLAINT_OR_DENUNCIATION
    accused = _found(text, policy.denunciation_terms, exempt)
    bribery = _found(text, policy.bribery_terms, exempt)
    if len(bribery) > 1 or (bribery and _found(text, policy.wrongdoing_signs, [])):
        accused += bribery
    if accused:
        explanation = f"denunciation (out of scope): {', '.join(accused)}"
        return refuse(reason, explanation, policy=policy, message_key="denunciation")
    contested = _found(text, policy.complaint_terms, exempt)
    decided = _found(text, policy.decision_terms, exempt) if contested else []
    acts = _found(text, policy.contested_acts, exempt)
    requests = _found(text, policy.contest_requests, exempt)
    if decided or (acts and requests):
        grounds = contested + decided if decided else acts + requests
        explanation = f"complaint (out of scope): {', '.join(grounds)}"
        return refuse(reason, explanation, policy=policy, message_key="complaint")
    return None


def _not_administrative(text: _Text, policy: AdmissibilityPolicy) -> Decision | None:
    private = _found(text, policy.private_terms, [])
    administrative = _found(text, policy.administrative_terms, [])
    if len(private) <= len(administrative):
        return None
    explanation = (
        f"no administrative regulation or procedure: private matter ({', '.join(private)}), "
        f"procedure words: {', '.join(administrative) or 'none'}"
    )
    return refuse(RefusalReason.NOT_ADMINISTRATIVE, explanation, policy=policy)


def _missing_contact(s: Submission, policy: AdmissibilityPolicy) -> Decision | None:
    name = clean(analysed(s.name)) or clean(analysed(s.organization))
    is_org = s.submitter_type is SubmitterType.ORGANIZATION
    problems = []
    if not _real_name(name, is_org=is_org, policy=policy):
        problems.append(f"no real name ({name!r})" if name else "no name")
    address, phone = clean(analysed(s.address)), analysed(s.phone)
    if not _postal_address(address, policy) and normalise_phone(phone) is None:
        problems.append("neither a postal address nor a valid phone number")
    if not problems:
        return None
    return refuse(RefusalReason.MISSING_CONTACT, "; ".join(problems), policy=policy)


def _postal_address(address: str, policy: AdmissibilityPolicy) -> bool:
    text = _text(address)
    if text.folded in _folded(policy.placeholder_addresses):
        return False
    if len(re.findall(r"\w+", text.folded)) < policy.min_address_words:
        return False
    return bool(re.search(r"\d", text.folded) or _found(text, policy.address_units, []))


def _real_name(name: str, *, is_org: bool, policy: AdmissibilityPolicy) -> bool:
    folded = fold(name)
    if not folded or folded in _folded(policy.placeholder_names):
        return False
    if is_org:
        return True
    if re.search(r"[,;&+/]|\bva\b", folded) or _terms(policy.group_markers).search(folded):
        return False  # a group signature: nobody in particular answers for it
    words = [w for w in re.findall(r"[^\W\d_]+", folded) if w not in _folded(policy.honorifics)]
    return len(words) >= policy.min_name_words


def _found(
    text: _Text,
    terms: tuple[str, ...],
    exempt: list[tuple[int, int]] | Callable[[], list[tuple[int, int]]],
) -> list[str]:
    """The distinct terms in `text`, leaving out hits inside an exempt span (`exempt` may
    be what gives them, asked only when a term is found)."""
    spans = _spans(text, terms)
    if not spans:
        return []
    outside = exempt() if callable(exempt) else exempt
    hits = {" ".join(text.folded[a:b].split()) for a, b in spans if not _inside((a, b), outside)}
    return sorted(hits)


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Whether `span` lies within one of `spans` (sorted, not overlapping: as `_spans` gives
    them). A binary search: comparing every pair was quadratic on a text full of hits."""
    i = bisect_right(spans, (span[0], sys.maxsize)) - 1
    return i >= 0 and span[1] <= spans[i][1]


def _spans(text: _Text, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the terms occur, spelt as listed when the text carries diacritics."""
    return list(_iter_spans(text, terms))


def _iter_spans(text: _Text, terms: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """`_spans`, found as they are read."""
    firsts = _first_words(terms)
    if text.words is not None and firsts is not None and firsts.isdisjoint(text.words):
        return
    spellings = _spellings(terms)
    for match in _terms(terms).finditer(text.folded):
        written = text.marked[match.start() : match.end()].split() if text.marked else []
        listed = spellings.get(" ".join(match.group(0).split()), ())
        if not written or any(_spelled_as(written, words) for words in listed):
            yield match.span()


def _spelled_as(written: list[str], listed: tuple[str, ...]) -> bool:
    """Words typed with diacritics carry the listed ones, wherever they sit ("hoà"/"hòa")."""
    return len(written) == len(listed) and all(
        _marks(w) == _marks(m) for w, m in zip(written, listed, strict=True)
    )


@lru_cache(maxsize=16384)  # words, not texts: Vietnamese has a few thousand syllables
def _marks(word: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFD", word)
    marks = [c for c in decomposed if unicodedata.category(c) == "Mn"]
    return tuple(sorted(marks + ["đ"] * word.count("đ")))


@lru_cache(maxsize=64)
def _spellings(terms: tuple[str, ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    spellings: dict[str, set[tuple[str, ...]]] = {}
    for term in terms:
        if term:
            words = tuple(unicodedata.normalize("NFC", term.lower()).split())
            spellings.setdefault(" ".join(fold(term).split()), set()).add(words)
    return {key: tuple(sorted(value)) for key, value in spellings.items()}


@lru_cache(maxsize=64)
def _first_words(terms: tuple[str, ...]) -> frozenset[str] | None:
    """The first word of each folded term (None when a term has none). Every word of a term
    is a whole word where `_terms` finds it, so a text without one of these has no term."""
    firsts = [_RUN.findall(fold(t))[:1] for t in terms if t]
    if not all(firsts):
        return None
    return frozenset(first for (first,) in firsts)


@lru_cache(maxsize=64)
def _terms(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One whole-word pattern for the folded terms, longest first."""
    escaped = {re.escape(fold(t)).replace(r"\ ", r"\s+") for t in terms if t}
    alternatives = "|".join(sorted(escaped, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@lru_cache(maxsize=16)
def _salutations(salutations: tuple[str, ...]) -> re.Pattern[str]:
    """A salutation and its addressee, up to the end of that line or sentence, or up to the
    writer's first "tôi" / "em": at most 12 words."""
    words = _terms(salutations).pattern
    writer = r"(?:toi|chung toi|chung em|em)\b"
    addressee = rf"(?:[ \t]+(?!{writer})[^\s.;!?]+){{0,12}}?"
    return re.compile(rf"{words}[ \t]*:?{addressee}[ \t]*(?:[.;!?\n]|(?=[ \t]+{writer}))")


@lru_cache(maxsize=16)
def _folded(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)
