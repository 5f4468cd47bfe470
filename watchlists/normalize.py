"""Name normalisation for matching: one canonical spelling per name, idempotent.

Steps: Unicode NFKC, transliteration to Latin (anyascii: maintained, pure Python, covers
Cyrillic, Greek and Arabic without a C library), casefold, punctuation, legal forms,
common abbreviations and vessel numerals. The legal form is split off so that "Noordzee
Bulk Shipping B.V." and "NOORDZEE BULK SHIPPING BV" compare on "noordzee bulk shipping".
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple, Optional, Tuple

from anyascii import anyascii
from rapidfuzz.distance import OSA

# Multi-token legal forms first (longest match wins); values are the canonical code.
LEGAL_FORMS: dict[Tuple[str, ...], str] = {
    ("gmbh", "and", "co", "kg"): "gmbh&co.kg",
    ("gmbh", "co", "kg"): "gmbh&co.kg",
    ("gmbh", "und", "co", "kg"): "gmbh&co.kg",
    ("gmbh",): "gmbh",
    ("ag",): "ag",
    ("kg",): "kg",
    ("ohg",): "ohg",
    ("ug",): "ug",
    ("bv",): "bv",
    ("nv",): "nv",
    ("vof",): "vof",
    ("bvba",): "bvba",
    ("srl",): "srl",
    ("sprl",): "srl",
    ("sa", "nv"): "sa/nv",
    ("nv", "sa"): "sa/nv",
    ("sa",): "sa",
    ("sas",): "sas",
    ("sasu",): "sas",
    ("sarl",): "sarl",
    ("eurl",): "sarl",
    ("spa",): "spa",
    ("sl",): "sl",
    ("slu",): "sl",
    ("sau",): "sa",
    ("ltd",): "ltd",
    ("limited",): "ltd",
    ("pte", "ltd"): "pte ltd",
    ("private", "limited"): "ltd",
    ("co", "ltd"): "co ltd",
    ("company", "limited"): "co ltd",
    ("llc",): "llc",
    ("inc",): "inc",
    ("incorporated",): "inc",
    ("corp",): "corp",
    ("corporation",): "corp",
    ("plc",): "plc",
    ("jsc",): "jsc",
    ("ojsc",): "jsc",
    ("cjsc",): "jsc",
    ("pjsc",): "pjsc",
    ("ooo",): "ooo",
    ("oao",): "oao",
    ("zao",): "zao",
    ("ao",): "ao",
    ("pao",): "pjsc",
    ("fze",): "fze",
    ("fzco",): "fzco",
    ("fz", "llc"): "fz-llc",
    ("fzllc",): "fz-llc",
    ("dmcc",): "dmcc",
    ("as",): "as",
    ("sdn", "bhd"): "sdn bhd",
    ("lp",): "lp",
    ("llp",): "llp",
    ("co",): "co",
    ("company",): "co",
}
_LEGAL_MAX = max(len(k) for k in LEGAL_FORMS)
_LONG_LEGAL_WORDS = ("company", "limited", "corporation", "incorporated")
# Forms that are never ordinary words, so they may be dropped from the middle of a name too.
_UNAMBIGUOUS_LEGAL = frozenset({"llc", "ltd", "gmbh", "bv", "srl", "spa", "sarl", "sas", "plc", "jsc", "pjsc",
                                "ooo", "fze", "fzco", "dmcc", "inc", "corp", "limited", "bvba", "vof"})

ABBREVIATIONS: dict[str, str] = {
    "shpg": "shipping",
    "shipg": "shipping",
    "nav": "navigation",
    "navig": "navigation",
    "intl": "international",
    "int": "international",
    "mgmt": "management",
    "mngt": "management",
    "mar": "maritime",
    "bros": "brothers",
    "trdg": "trading",
    "svcs": "services",
    "svc": "services",
    "transp": "transport",
    "logist": "logistics",
    "mfg": "manufacturing",
    "st": "saint",
}

VESSEL_PREFIXES = frozenset({"mv", "mt", "ss", "ts", "my", "fv", "mts", "mtv"})

_ROMAN = {
    "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8",
    "ix": "9", "x": "10", "xi": "11", "xii": "12", "xiii": "13", "xiv": "14", "xv": "15",
}  # fmt: skip

CONNECTORS = {"und": "and", "et": "and", "en": "and", "y": "and"}
STOP_WORDS = frozenset({"and", "the", "of"})  # dropped from the core: "&" and "and" compare equal
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})

# Legal forms written out in full, in the spellings seen on the lists (transliterations vary).
_LONG_LEGAL_FORMS = [
    (re.compile(r"\bobs(?:h|c)?ch?estvo s ogranichenn\w* otvetstvennost\w*"), " ooo "),
    (re.compile(r"\bobshchestvo s dopolnitel\w* otvetstvennost\w*"), " odo "),
    (re.compile(r"\b(?:publichnoe|otkrytoe|zakrytoe|nepublichnoe)? ?aktsionernoe obshchestvo\b"), " jsc "),
    (re.compile(r"\blimited liability (?:company|partnership)\b"), " llc "),
    (re.compile(r"\b(?:closed|open|public)? ?joint[ -]stock (?:company|compnay)\b"), " jsc "),
    (re.compile(r"\bsociedad (?:de responsabilidad )?limitada\b"), " sl "),
    (re.compile(r"\bsociedad anonima\b"), " sa "),
    (re.compile(r"\bsociete (?:a responsabilite limitee|anonyme|par actions simplifiee)\b"), " sarl "),
    (re.compile(r"\bsocieta (?:a responsabilita limitata|per azioni)\b"), " srl "),
    (re.compile(r"\bgesellschaft mit beschraenkter haftung\b"), " gmbh "),
    (re.compile(r"\baktiengesellschaft\b"), " ag "),
    (re.compile(r"\bbesloten vennootschap(?: met beperkte aansprakelijkheid)?\b"), " bv "),
    (re.compile(r"\bnaamloze vennootschap\b"), " nv "),
    (re.compile(r"\bfree zone (?:establishment|company)\b"), " fze "),
]

_DOTTED_INITIAL = re.compile(r"(?<=\b[a-z])\.(?=[a-z]\b)")
_SLASHED_INITIAL = re.compile(r"\b([a-z])/([a-z])\b")
_APOSTROPHE = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[^a-z0-9&]+")


class NameKey(NamedTuple):
    """A normalised name split into its comparable core and its legal form."""

    core: str  # tokens without legal form or vessel prefix, e.g. "noordzee bulk shipping"
    legal_form: Optional[str]  # canonical legal form, e.g. "bv"
    vessel_prefix: bool  # the name started with MV, M/V, MT, SS, …


def _fold(text: str) -> str:
    """NFKC, transliterate to ASCII, casefold; apostrophes and single-letter dots joined."""
    text = unicodedata.normalize("NFKC", text).translate(_GERMAN)
    text = anyascii(text).casefold()
    text = _APOSTROPHE.sub("", text)
    text = _DOTTED_INITIAL.sub("", text)
    text = _SLASHED_INITIAL.sub(r"\1\2", text)
    text = text.replace("&", " & ")
    text = " ".join(_NON_WORD.sub(" ", text).split())
    for pattern, code in _LONG_LEGAL_FORMS:
        text = pattern.sub(code, text)
    return text


def tokens(text: str) -> list[str]:
    """Folded word tokens; '&' becomes 'and'."""
    out = []
    for tok in _NON_WORD.sub(" ", _fold(text)).split():
        out.append("and" if tok == "&" else tok)
    return out


def _strip_legal_form(toks: list[str]) -> Tuple[list[str], Optional[str]]:
    """Remove one legal form at the end (or the start, or an unambiguous one anywhere)."""
    if len(toks) > 1 and len(toks[-1]) >= 6 and toks[-1] not in LEGAL_FORMS:
        for word in _LONG_LEGAL_WORDS:  # "Compny", "Limted": a misspelt legal form is still one
            if OSA.distance(toks[-1], word, score_cutoff=1) <= 1:
                return toks[:-1], LEGAL_FORMS[(word,)]
    for size in range(min(_LEGAL_MAX, len(toks) - 1), 0, -1):
        tail = tuple(toks[-size:])
        if tail in LEGAL_FORMS:
            return toks[:-size], LEGAL_FORMS[tail]
    for size in range(min(_LEGAL_MAX, len(toks) - 1), 0, -1):
        head = tuple(toks[:size])
        if head in LEGAL_FORMS and head != ("co",):
            return toks[size:], LEGAL_FORMS[head]
    for i, tok in enumerate(toks[1:-1], start=1):
        if tok in _UNAMBIGUOUS_LEGAL:
            return toks[:i] + toks[i + 1 :], LEGAL_FORMS[(tok,)]
    return toks, None


def name_key(text: Optional[str]) -> Optional[NameKey]:
    """The comparable form of a name; None when nothing comparable is left."""
    if not text:
        return None
    toks = tokens(text)
    if not toks:
        return None
    legal: Optional[str] = None
    prefix = False
    while True:  # strip until stable, so that normalising twice changes nothing
        toks, form = _strip_legal_form(toks)
        legal = legal or form
        stripped_prefix = len(toks) > 1 and toks[0] in VESSEL_PREFIXES
        if stripped_prefix:
            toks, prefix = toks[1:], True
        if form is None and not stripped_prefix:
            break
    core = [_canonical(t) for t in toks]
    core = [t for t in core if t not in STOP_WORDS] or core
    core = [core[0]] + [_ROMAN.get(t, t) for t in core[1:]]
    return NameKey(" ".join(core), legal, prefix)


def _canonical(token: str) -> str:
    """One spelling per word: abbreviations expanded, connectors unified."""
    token = ABBREVIATIONS.get(token, token)
    return CONNECTORS.get(token, token)


def text_tokens(text: str) -> list[str]:
    """Free text (remittance information) as the same canonical words as name cores."""
    return [_ROMAN.get(t, t) for t in (_canonical(t) for t in tokens(text))]


def normalize_name(text: Optional[str]) -> str:
    """The core of a name as one string ('' when empty); idempotent."""
    key = name_key(text)
    return key.core if key else ""


def sorted_tokens(core: str) -> str:
    """Tokens in alphabetical order, so word order does not matter."""
    return " ".join(sorted(core.split()))
