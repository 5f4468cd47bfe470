"""Scripts and consonant skeletons: how a name written in Arabic or Cyrillic script compares.

Transliterated Arabic keeps consonants and long vowels only (شيپينغ → "shypyngh"), and a
name written phonetically in Cyrillic spells vowels its own way (Маритайм → "maritaym"). What
survives both is the consonant skeleton: "shipping" and "shybyngh" are both "Sbnk".
"""

from __future__ import annotations

import re
from functools import lru_cache

_NON_LATIN = re.compile("[\u0370-\u03ff\u0400-\u052f\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_SCRIPTS = (("arabic", 0x0600, 0x06FF), ("arabic", 0x0750, 0x077F), ("arabic", 0xFB50, 0xFDFF),
            ("arabic", 0xFE70, 0xFEFF), ("cyrillic", 0x0400, 0x052F), ("greek", 0x0370, 0x03FF))  # fmt: skip


def script_of(text: str) -> str:
    """The non-Latin script most letters of the text are in, else 'latin'."""
    if text.isascii() or not _NON_LATIN.search(text):
        return "latin"
    counts: dict[str, int] = {}
    latin = 0
    for ch in text:
        code = ord(ch)
        if code < 0x0250:
            latin += ch.isalpha()
            continue
        for name, low, high in _SCRIPTS:
            if low <= code <= high:
                counts[name] = counts.get(name, 0) + 1
                break
    if not counts:
        return "latin"
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] > latin else "latin"


_SKELETON_PAIRS = (("dzh", "j"), ("tsh", "S"), ("tch", "S"), ("sch", "S"), ("sh", "S"), ("ch", "S"), ("zh", "z"), ("kh", ""),
                   ("gh", "k"), ("ph", "f"), ("th", "t"), ("dh", "d"), ("ck", "k"), ("x", "ks"), ("ce", "se"),
                   ("ci", "si"), ("cy", "sy"))  # fmt: skip
_SKELETON_MAP = str.maketrans({"c": "k", "q": "k", "g": "k", "j": "k", "p": "b"})
_SKELETON_DROP = str.maketrans({v: None for v in "aeiouywh"})


@lru_cache(maxsize=100_000)
def skeleton(token: str) -> str:
    """Consonant skeleton of a folded word, the part that survives writing it in Arabic or
    Cyrillic script and back: 'shipping' and 'shybyngh' (شيپينغ) are both 'Sbnk'."""
    if token.isdigit():
        return token
    for src, dst in _SKELETON_PAIRS:
        token = token.replace(src, dst)
    token = re.sub(r"(.)\1+", r"\1", token.translate(_SKELETON_MAP))  # "pp" is one letter in Arabic script
    return re.sub(r"(.)\1+", r"\1", token.translate(_SKELETON_DROP).replace("v", "f"))  # "sasco" is ساسکو


@lru_cache(maxsize=100_000)
def skeletons(token: str) -> frozenset[str]:
    """The skeleton, and for a word with v also the one without it: v is ف (f) in Arabic script
    but و (w, a vowel sign) in Persian, and в is both v and w in Cyrillic."""
    main = skeleton(token)
    if "v" not in token or token.isdigit():
        return frozenset((main,))
    return frozenset((main, skeleton(token.replace("v", "w"))))
