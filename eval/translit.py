"""Latin → Cyrillic and Latin → Arabic spellings of names, as a clerk would write them.

Used only to build the dev set (`eval/make_devset.py`): written independently of the
matcher's own normalisation, with the ambiguities real transcriptions have (c as к or с,
v as в or ф, short vowels dropped in Arabic script, p as ب or پ).
"""

from __future__ import annotations

import random
import re

_CYR_DIGRAPHS = [("shch", "щ"), ("sh", "ш"), ("ch", "ч"), ("kh", "х"), ("zh", "ж"), ("ts", "ц"), ("ya", "я"),
                 ("yu", "ю"), ("ph", "ф"), ("th", "т"), ("ck", "к"), ("qu", "кв"), ("ee", "и"), ("oo", "у"),
                 ("x", "кс")]  # fmt: skip
_CYR = {"a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и", "j": "дж",
        "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р", "s": "с", "t": "т",
        "u": "у", "v": "в", "w": "в", "y": "и", "z": "з"}  # fmt: skip


def to_cyrillic(text: str, rng: random.Random) -> str:
    """Letter-by-letter (sometimes English-phonetic) Cyrillic; digits and spaces kept."""
    out = []
    for word in text.split():
        upper = word.isupper()
        w = word.lower()
        if rng.random() < 0.5:  # English-style reading of a few endings
            w = re.sub(r"ing\b", "инг", w)
            w = re.sub(r"time\b", "тайм", w)
            w = re.sub(r"ine\b", "ин", w)
        w = re.sub(r"c(?=[eiy])", "s", w)
        for src, dst in _CYR_DIGRAPHS:
            w = w.replace(src, dst)
        w = re.sub(r"(?<=[aeiouаеиоу])y", "й", w)
        w = "".join(_CYR.get(ch, ch) for ch in w)
        out.append(w.upper() if upper else w.capitalize())
    return " ".join(out)


_AR_DIGRAPHS = [("sh", "ش"), ("ch", "تش"), ("kh", "خ"), ("gh", "غ"), ("th", "ث"), ("ph", "ف"), ("ck", "ك"),
                ("qu", "كو"), ("ee", "ي"), ("oo", "و"), ("ou", "و"), ("ai", "اي"), ("ay", "اي"),
                ("x", "كس")]  # fmt: skip
_AR = {"b": "ب", "d": "د", "f": "ف", "h": "ه", "j": "ج", "k": "ك", "l": "ل", "m": "م", "n": "ن", "q": "ق",
       "r": "ر", "s": "س", "t": "ت", "w": "و", "y": "ي", "z": "ز"}  # fmt: skip
_AR_CHOICES = {"p": ("ب", "پ"), "v": ("ف", "و"), "g": ("غ", "ج", "ق", "گ"), "c": ("ك", "ک")}
_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7", "VIII": "8", "IX": "9", "X": "10"}
_AR_LONG = {"a": "ا", "i": "ي", "o": "و", "u": "و", "e": "ي"}
_AR_LEGAL = {"llc": "ش.ذ.م.م", "dmcc": "م.د.م.س", "fze": "م.م.ح", "fzco": "ش.م.ح", "ltd": "المحدودة",
             "limited": "المحدودة", "co": "شركة", "company": "شركة"}  # fmt: skip


def to_arabic(text: str, rng: random.Random) -> str:
    """Arabic-script spelling: long vowels as ا/و/ي, short ones often dropped, p/v/g ambiguous."""
    out = []
    for word in text.lower().split():
        if word.strip(".,") in _AR_LEGAL:
            out.append(_AR_LEGAL[word.strip(".,")])
            continue
        if word.isdigit() or word.upper() in _ROMAN:
            out.append(_ROMAN.get(word.upper(), word))
            continue
        w = re.sub(r"[^a-z]", "", word)
        w = re.sub(r"c(?=[eiy])", "s", w)
        w = re.sub(r"(.)\1", r"\1", w)  # doubled letters are written once
        w = re.sub(r"e\b", "", w) if len(w) > 3 else w  # silent final e
        for src, dst in _AR_DIGRAPHS:
            w = w.replace(src, dst)
        chars = []
        for i, ch in enumerate(w):
            if ch in _AR_LONG:
                first = i == 0
                if first:
                    chars.append("ا" if ch in "aei" else "او")
                elif ch == "e" and rng.random() < 0.6 or ch == "a" and rng.random() < 0.25:
                    continue  # short vowel, not written
                else:
                    chars.append(_AR_LONG[ch])
            elif ch in _AR_CHOICES:
                chars.append(rng.choice(_AR_CHOICES[ch]))
            else:
                chars.append(_AR.get(ch, ch))
        if chars:
            out.append("".join(chars))
    return " ".join(out)
