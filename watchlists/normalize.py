"""Name normalisation for matching: one canonical spelling per name, idempotent.

Steps: Unicode NFKC; Arabic-script legal forms (ش.ذ.م.م → LLC) replaced; transliteration to
Latin with `anyascii` (maintained, pure Python, no C library, one table for Cyrillic, Greek,
Arabic, Persian and CJK, where PyICU needs ICU and unidecode is GPL); casefold; punctuation;
legal forms split off (wherever a legal-only word stands, at either end otherwise, misspelt
long forms too); abbreviations expanded; vessel designators (MV, M/T, …) dropped; Roman
numerals to digits. "Noordzee Bulk Shipping B.V." and "NOORDZEE BULK SHIPPING BV" both
compare on "noordzee bulk shipping".

The key also records the script the name was written in (a transliterated Arabic name is a
consonant skeleton, compared by `skeleton`) and whether it may be a SWIFT field cut at 35
characters (its last word may be a prefix).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple, Optional, Tuple

from anyascii import anyascii
from rapidfuzz.distance import OSA

from watchlists.scripts import script_of, skeleton, skeletons
from watchlists.vocabulary import (
    ABBREVIATIONS,
    ARABIC_LEGAL,
    CONNECTORS,
    LEGAL_ANYWHERE,
    LEGAL_FORMS,
    LEGAL_MAX,
    LEGAL_RUN_WORDS,
    LEGAL_SPOKEN,
    LONG_LEGAL_CUES,
    LONG_LEGAL_FORMS,
    LONG_LEGAL_WORDS,
    ROMAN,
    ROMAN_SHORT,
    SPOKEN_STOP_WORDS,
    STOP_WORDS,
    VESSEL_AFTER,
    VESSEL_PREFIXES,
)

__all__ = ["LEGAL_FORMS", "VESSEL_PREFIXES", "NameKey", "name_key", "normalize_name", "script_of", "skeleton", "skeletons",
           "sorted_tokens",
           "text_tokens", "tokens"]  # fmt: skip

SWIFT_FIELD = 35  # a name of 34–35 characters may be a SWIFT name line cut short
SWIFT_CERTAIN = 32  # a cut line certainly holds the words of a listed name's first 32 characters
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_DOTTED_INITIAL = re.compile(r"(?<=\b[a-z])\.(?=[a-z]\b)")
_SLASHED_INITIAL = re.compile(r"\b([a-z])/([a-z])\b")
_APOSTROPHE = re.compile(r"['’`´ʼʻ]")
_NON_WORD = re.compile(r"[^a-z0-9&]+")
_ARABIC = re.compile("[\u0600-\u06ff]")
_LONG_LEGAL_CUE = re.compile("|".join(map(re.escape, LONG_LEGAL_CUES)))  # LONG_LEGAL_FORMS may apply


class NameKey(NamedTuple):
    """A normalised name split into its comparable core and its legal form."""

    core: str  # tokens without legal form or vessel prefix, e.g. "noordzee bulk shipping"
    legal_form: Optional[str]  # canonical legal form, e.g. "bv"
    vessel_prefix: bool  # the name carried MV, M/V, MT, SS, … before (or after) it
    script: str = "latin"  # latin | arabic | cyrillic | greek: the script most letters were in
    truncated: bool = False  # 34–35 characters long: the last word may be cut (SWIFT name field)
    head: int = 0  # words within the first 32 characters: what a name cut at 35 characters keeps


def _fold(text: str) -> str:
    """NFKC, transliterate to ASCII, casefold; apostrophes and single-letter dots joined.

    Most names and texts are ASCII already: for them the Unicode steps change nothing and are
    not run, and a step is run only when its character is there (this runs for every name
    and remittance text screened)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_GERMAN)
        if _ARABIC.search(text):
            for pattern, code in ARABIC_LEGAL:
                text = pattern.sub(code, text)
        text = anyascii(text)
    text = text.casefold()  # ASCII from here on: of the apostrophes, only ' and ` are left
    if "'" in text or "`" in text:
        text = _APOSTROPHE.sub("", text)
    if "." in text:
        text = _DOTTED_INITIAL.sub("", text)
    if "/" in text:
        text = _SLASHED_INITIAL.sub(r"\1\2", text)
    text = text.replace("&", " & ").replace("+", " & ")
    text = " ".join(_NON_WORD.sub(" ", text).split())
    if _LONG_LEGAL_CUE.search(text):
        for pattern, code in LONG_LEGAL_FORMS:
            text = pattern.sub(code, text)
    return text


def tokens(text: str) -> list[str]:
    """Folded word tokens; '&' becomes 'and'."""
    return ["and" if tok == "&" else tok for tok in _fold(text).split()]


@lru_cache(maxsize=50_000)
def _legal_word(token: str) -> Optional[str]:
    """The long legal word a token spells, allowing one slip ("Compny", "Limted")."""
    if len(token) >= 6 and (token,) not in LEGAL_FORMS:
        for word in LONG_LEGAL_WORDS:
            if OSA.distance(token, word, score_cutoff=1) <= 1:
                return word
    return None


def _strip_legal_form(toks: list[str]) -> Tuple[list[str], Optional[str]]:
    """Remove one legal form: at the end, at the start, or a legal-only word anywhere."""
    if len(toks) > 1:
        slip = _legal_word(toks[-1])
        if slip is not None:
            return toks[:-1], LEGAL_FORMS[(slip,)]
    if not any(t in _LEGAL_TOKENS or _run_word(t) for t in toks):
        return toks, None
    for size in range(min(LEGAL_MAX, len(toks) - 1), 0, -1):
        tail = tuple(toks[-size:])
        if tail in LEGAL_FORMS:
            return toks[:-size], LEGAL_FORMS[tail]
    toks_run, code = _strip_legal_run(toks)
    if code is not None:
        return toks_run, code
    for size in range(min(LEGAL_MAX, len(toks) - 1), 0, -1):
        head = tuple(toks[:size])
        if head in LEGAL_FORMS and (head != ("co",) or len(toks) > 2):
            return toks[size:], LEGAL_FORMS[head]
    for i, tok in enumerate(toks):
        if tok in LEGAL_ANYWHERE and len(toks) > 1:
            return toks[:i] + toks[i + 1 :], LEGAL_FORMS.get((tok,), tok)
    return toks, None


_LEGAL_TOKENS = frozenset(t for key in LEGAL_FORMS for t in key) | LEGAL_RUN_WORDS


def _strip_legal_run(toks: list[str]) -> Tuple[list[str], Optional[str]]:
    """A run of two or more legal words inside a name ("... Joint Stock Company ...")."""
    start = 0
    while start < len(toks):
        end = start
        while end < len(toks) and _run_word(toks[end]):
            end += 1
        if end - start >= 2 and end - start < len(toks):
            run = [_run_word(t) for t in toks[start:end]]
            code = ("llc" if "liability" in run else "jsc" if "stock" in run else
                    "ltd" if "limited" in run or "ltd" in run else "co")  # fmt: skip
            return toks[:start] + toks[end:], code
        start = end + 1
    return toks, None


@lru_cache(maxsize=50_000)
def _run_word(token: str) -> Optional[str]:
    """The word of a written-out legal form a token spells, one slip allowed from 5 letters ("Stck")."""
    if token in LEGAL_RUN_WORDS:
        return token
    if len(token) >= 4:
        for word in LEGAL_RUN_WORDS:
            if len(word) >= 5 and OSA.distance(token, word, score_cutoff=1) <= 1:
                return word
    return None


def legal_word_like(token: str) -> bool:
    """A word of a written-out legal form ("private", "joint"), one slip allowed."""
    return _run_word(token) is not None


def legal_prefix(fragment: str) -> bool:
    """The cut-off start of a legal-form word ("compa", "lim")."""
    return len(fragment) >= 2 and any(w.startswith(fragment) for w in LONG_LEGAL_WORDS + ("liability", "gmbh"))


def _join_spelt_form(toks: list[str]) -> list[str]:
    """Single letters at the end that spell a legal form are one word: "B V" → "bv", "L L C" → "llc"."""
    for size in (3, 2):
        tail = toks[-size:]
        if len(toks) > size and all(len(t) == 1 for t in tail) and ("".join(tail),) in LEGAL_FORMS:
            return toks[:-size] + ["".join(tail)]
    return toks


def _strip_vessel(toks: list[str]) -> Tuple[list[str], bool]:
    if len(toks) > 1 and toks[0] in VESSEL_PREFIXES:
        return toks[1:], True
    if len(toks) > 1 and toks[-1] in VESSEL_AFTER:
        return toks[:-1], True
    return toks, False


@lru_cache(maxsize=200_000)
def name_key(text: Optional[str]) -> Optional[NameKey]:
    """The comparable form of a name; None when nothing comparable is left."""
    if not text:
        return None
    toks = tokens(text)
    if not toks:
        return None
    script = script_of(text)
    if script != "latin":
        toks = _spoken_legal_forms(toks)
    toks = _join_spelt_form(toks)
    legal: Optional[str] = None
    prefix = False
    while True:  # strip until stable, so that normalising twice changes nothing
        toks, form = _strip_legal_form(toks)
        legal = legal or form
        if form is not None and len(toks) > 1 and _run_word(toks[-1]):  # "... Private" of "Private Limited"
            toks = toks[:-1]
        if form is not None and len(toks) > 1 and _run_word(toks[0]):  # "Private X Joint Stock Company"
            toks = toks[1:]
        toks, stripped = _strip_vessel(toks)
        prefix = prefix or stripped
        if form is None and not stripped:
            break
    core = [c for t in toks for c in (_canonical(t) if script != "arabic" else CONNECTORS.get(t, t)).split()]
    stop = STOP_WORDS if script == "latin" else STOP_WORDS | SPOKEN_STOP_WORDS
    core = [t for t in core if t not in stop] or core
    core = [core[0]] + [ROMAN.get(t, t) for t in core[1:]]
    if len(core) > 1:
        core = [ROMAN_SHORT.get(t, t) for t in core]
    raw = text.strip()
    truncated = len(raw) in (SWIFT_FIELD - 1, SWIFT_FIELD)
    head = len(core)
    if len(raw) > SWIFT_CERTAIN:  # words a cut SWIFT line of this name surely still holds
        cut = name_key(raw[:SWIFT_CERTAIN])
        whole = set(core)
        head = min(head, sum(1 for t in cut.core.split() if t in whole)) if cut is not None else head
    return NameKey(" ".join(core), legal, prefix, script, truncated, head)


def _spoken_legal_forms(toks: list[str]) -> list[str]:
    """Legal-form words as written in another script, back in Latin ("jmbh" → "gmbh", "llk" → "llc").

    A short form ("Ко", "НВ", "ЛЛК") only counts as the last word, or before a word it forms a
    legal form with ("Ко Лтд", "Джоинт Сток Компани"), where it is unlikely to be a word of
    the name itself."""
    if len(toks) < 2:
        return toks
    spoken = []
    for tok in toks:
        sk = skeleton(tok) if not tok.isdigit() else ""
        spoken.append((tok if (tok,) in LEGAL_FORMS else _LEGAL_SKELETONS.get(sk) if sk else None, len(sk)))
    out = list(toks)
    after: Optional[str] = None  # the legal word accepted right after this position
    for i in range(len(toks) - 1, -1, -1):
        word, length = spoken[i]
        ok = word is not None and (length > 3 or i == len(toks) - 1 or (after is not None and _pair(word, after)))
        if ok:
            out[i] = word  # type: ignore[assignment]
        after = out[i] if ok else None
    return out if any((t,) not in LEGAL_FORMS and t not in LEGAL_RUN_WORDS for t in out) else toks


def _pair(first: str, second: str) -> bool:
    """Two words that stand together in a legal form ("co ltd", "joint stock")."""
    return (first, second) in LEGAL_FORMS or (first in LEGAL_RUN_WORDS and second in LEGAL_RUN_WORDS)


def _canonical(token: str) -> str:
    """One spelling per word: abbreviations expanded, connectors unified."""
    token = ABBREVIATIONS.get(token, token)
    return CONNECTORS.get(token, token)


def text_tokens(text: str) -> list[str]:
    """Free text (remittance information) as the same canonical words as name cores."""
    out = [c for t in tokens(text) for c in _canonical(t).split()]
    return [ROMAN.get(t, t) for t in out]


def normalize_name(text: Optional[str]) -> str:
    """The core of a name as one string ('' when empty); idempotent.

    Transliteration can create a legal-form word that the first pass could not see (Cyrillic
    "с" + Arabic "ی" → "s", "y"), so the core is normalised again until nothing changes.
    """
    key = name_key(text)
    core = key.core if key else ""
    for _ in range(_MAX_PASSES):
        again = name_key(core)
        nxt = again.core if again else ""
        if nxt == core:
            break
        core = nxt
    return core


_MAX_PASSES = 8


def sorted_tokens(core: str) -> str:
    """Tokens in alphabetical order, so word order does not matter."""
    return " ".join(sorted(core.split()))


_LEGAL_SKELETONS = {skeleton(w): w for w in reversed(LEGAL_SPOKEN)}  # the first spelling wins a shared skeleton
