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
_UMLAUT_SPELLING = re.compile(r"(?<=[a-z])([aou])e")  # Kuehlfracht = Kühlfracht = Kuhlfracht

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
    text = unicodedata.normalize("NFKC", text)
    text = anyascii(text).casefold()
    text = _APOSTROPHE.sub("", text)
    text = _DOTTED_INITIAL.sub("", text)
    text = _SLASHED_INITIAL.sub(r"\1\2", text)
    text = text.replace("&", " & ")
    return text


def tokens(text: str) -> list[str]:
    """Folded word tokens; '&' becomes 'and'."""
    out = []
    for tok in _NON_WORD.sub(" ", _fold(text)).split():
        out.append("and" if tok == "&" else tok)
    return out


def _strip_legal_form(toks: list[str]) -> Tuple[list[str], Optional[str]]:
    """Remove one legal form at the end (or the start), keeping at least one token."""
    for size in range(min(_LEGAL_MAX, len(toks) - 1), 0, -1):
        tail = tuple(toks[-size:])
        if tail in LEGAL_FORMS:
            return toks[:-size], LEGAL_FORMS[tail]
    for size in range(min(_LEGAL_MAX, len(toks) - 1), 0, -1):
        head = tuple(toks[:size])
        if head in LEGAL_FORMS and head != ("co",):
            return toks[size:], LEGAL_FORMS[head]
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
    core = [core[0]] + [_ROMAN.get(t, t) for t in core[1:]]
    return NameKey(" ".join(core), legal, prefix)


def _canonical(token: str) -> str:
    """One spelling per word: abbreviations expanded, connectors unified, umlauts folded."""
    token = ABBREVIATIONS.get(token, token)
    token = CONNECTORS.get(token, token)
    return _UMLAUT_SPELLING.sub(r"\1", token)


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
