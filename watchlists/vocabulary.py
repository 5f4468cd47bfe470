"""The word tables of name normalisation: legal forms, abbreviations, vessel designators.

Data only, so that a reviewer reads every spelling rule in one place. Tokens are folded
(ASCII, lower case, no punctuation) before they are looked up here.
"""

from __future__ import annotations

import re

# Legal forms as token sequences → one canonical code each. Longest match wins.
LEGAL_FORMS: dict[tuple[str, ...], str] = {
    ("gmbh", "and", "co", "kg"): "gmbh&co.kg", ("gmbh", "co", "kg"): "gmbh&co.kg",
    ("gmbh", "und", "co", "kg"): "gmbh&co.kg", ("gmbh", "co", "kgaa"): "gmbh&co.kg", ("se", "co", "kg"): "gmbh&co.kg",
    ("gmbh",): "gmbh", ("ag",): "ag", ("kg",): "kg", ("kgaa",): "kg", ("ohg",): "ohg", ("ug",): "ug",
    ("bv",): "bv", ("nv",): "nv", ("vof",): "vof", ("bvba",): "bvba", ("srl",): "srl", ("sprl",): "srl",
    ("sa", "nv"): "sa/nv", ("nv", "sa"): "sa/nv", ("sa",): "sa", ("sas",): "sas", ("sasu",): "sas",
    ("sarl",): "sarl", ("eurl",): "sarl", ("spa",): "spa", ("sl",): "sl", ("slu",): "sl", ("sau",): "sa",
    ("ltd",): "ltd", ("limited",): "ltd", ("pte", "ltd"): "pte ltd", ("pvt", "ltd"): "ltd",
    ("private", "limited"): "ltd", ("pty", "ltd"): "ltd", ("co", "ltd"): "co ltd", ("company", "limited"): "co ltd",
    ("co", "limited"): "co ltd", ("llc",): "llc", ("inc",): "inc", ("incorporated",): "inc", ("corp",): "corp",
    ("corporation",): "corp", ("plc",): "plc", ("jsc",): "jsc", ("ojsc",): "jsc", ("cjsc",): "jsc", ("pjsc",): "pjsc",
    ("ooo",): "ooo", ("oao",): "oao", ("zao",): "zao", ("ao",): "ao", ("pao",): "pjsc", ("tov",): "ooo",
    ("fze",): "fze", ("fzco",): "fzco", ("fzc",): "fzco", ("fz", "llc"): "fz-llc", ("fzllc",): "fz-llc",
    ("dmcc",): "dmcc", ("as",): "as", ("asa",): "as", ("sdn", "bhd"): "sdn bhd", ("lp",): "lp", ("llp",): "llp",
    ("ltda",): "ltd", ("sti",): "ltd", ("ltd", "sti"): "ltd", ("sal",): "sa", ("sae",): "sa", ("se",): "se",
    ("co",): "co", ("company",): "co", ("kompaniya",): "co", ("cia",): "co", ("cie",): "co",
}  # fmt: skip
LEGAL_MAX = max(len(k) for k in LEGAL_FORMS)

# Words that only ever belong to a legal form: dropped wherever they stand in a name.
LEGAL_ANYWHERE = frozenset({"llc", "ltd", "gmbh", "bv", "srl", "sprl", "spa", "sarl", "sas", "plc", "jsc", "pjsc",
                            "ojsc", "cjsc", "ooo", "fze", "fzco", "fzllc", "dmcc", "inc", "corp", "limited", "bvba",
                            "vof", "incorporated", "corporation", "ltda", "pte", "co", "company"})  # fmt: skip
# Long legal words: a misspelt one at the end of a name ("Compny", "Limted") is still a legal form.
LONG_LEGAL_WORDS = ("company", "limited", "corporation", "incorporated")
# Runs of these words ("joint stock company", "limited liability company") form a legal form.
LEGAL_RUN_WORDS = frozenset({"joint", "stock", "company", "limited", "liability", "closed", "open", "public",
                             "private", "co", "partnership", "incorporated", "corporation", "ltd"})  # fmt: skip

# Legal forms written out in full, as they appear on the lists (transliterations vary).
LONG_LEGAL_FORMS = [
    (re.compile(r"\bobs(?:h|c)?ch?estvo s ogranichenn\w* otvet\w*"), " ooo "),
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
    (re.compile(r"\blimited liability\b"), " llc "),
]
LONG_LEGAL_CUES = ("obs", "aktsioner", "limited liab", "joint", "sociedad", "societ", "gesellschaft", "vennootschap",
                   "free zone")  # fmt: skip

# Arabic-script legal forms and company words, replaced before transliteration.
ARABIC_LEGAL = [
    (re.compile(r"ش\s*\.?\s*ذ\s*\.?\s*م\s*\.?\s*م\.?"), " llc "),
    (re.compile(r"ذ\s*\.\s*م\s*\.\s*م\.?"), " llc "),
    (re.compile(r"م?\s*\.?\s*د\s*\.\s*م\s*\.\s*س\.?"), " dmcc "),
    (re.compile(r"ش\s*\.\s*م\s*\.\s*ح\.?"), " fzco "),
    (re.compile(r"م\s*\.\s*م\s*\.\s*ح\.?"), " fze "),
    (re.compile(r"ش\s*\.\s*م\s*\.\s*[عخ]\.?"), " jsc "),
    (re.compile(r"سهامی\s+(?:عام|خاص)"), " jsc "),
    (re.compile(r"(?:^|\s)(?:شركة|شرکت|شركت)(?=\s|$)"), " company "),
    (re.compile(r"(?:^|\s)(?:المحدودة|محدود|المحدوده)(?=\s|$)"), " limited "),
]

ABBREVIATIONS: dict[str, str] = {
    "shpg": "shipping", "shipg": "shipping", "shpng": "shipping", "nav": "navigation", "navig": "navigation",
    "intl": "international", "int": "international", "internat": "international", "mgmt": "management",
    "mngt": "management", "mgt": "management", "mar": "maritime", "marit": "maritime", "bros": "brothers",
    "trdg": "trading", "trd": "trading", "svcs": "services", "svc": "services", "serv": "services",
    "transp": "transport", "tpt": "transport", "trans": "transport", "logist": "logistics", "log": "logistics",
    "logis": "logistics", "mfg": "manufacturing", "st": "saint", "gen": "general", "grp": "group",
    "hldgs": "holdings", "hldg": "holding", "ent": "enterprises", "ind": "industries", "inds": "industries",
    "petrol": "petroleum", "petrochem": "petrochemical", "chem": "chemical", "eng": "engineering",
    "natl": "national", "dev": "development", "invest": "investment", "inv": "investment", "assoc": "associates",
    "dist": "distribution", "equip": "equipment", "elec": "electric", "ctr": "center", "centre": "center",
    "shipmanagement": "ship management",
}  # fmt: skip

# Legal-form words as their consonant skeletons (see normalize.skeleton), to find them in a
# name written in Arabic or Cyrillic script: "jmbh" (جمبه) is GmbH, "llk" (ЛЛК) is LLC.
LEGAL_SPOKEN = ("joint", "stock", "public", "private", "closed", "gmbh", "llc", "ltd", "limited", "company", "corporation", "corp", "inc", "incorporated", "jsc",
                "pjsc", "dmcc", "fze", "fzco", "liability", "partnership", "pvt", "co", "bv", "nv", "srl",
                "sarl", "kompaniya")  # fmt: skip

# Designators written before (or after) a vessel's name.
VESSEL_PREFIXES = frozenset({"mv", "mt", "ss", "ts", "my", "fv", "mts", "mtv", "mst", "msv", "lpg", "lng", "sy"})
VESSEL_AFTER = frozenset({"mv", "mt", "ss", "mts"})
CONNECTORS = {"und": "and", "et": "and", "en": "and", "y": "and"}
STOP_WORDS = frozenset({"and", "the", "of"})  # dropped from the core: "&" and "and" compare equal
# "and", "of", "the" written in Arabic or Cyrillic script (اند، اوف، ثي، энд, оф, зе), transliterated
SPOKEN_STOP_WORDS = frozenset({"nd", "and", "end", "aand", "wf", "af", "of", "thy", "dhy", "ze", "zi", "dzhe"})
ROMAN = {
    "ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "xi": "11", "xii": "12",
    "xiii": "13", "xiv": "14", "xv": "15", "xvi": "16", "xvii": "17", "xviii": "18", "xix": "19", "xx": "20",
}  # fmt: skip
ROMAN_SHORT = {"i": "1", "v": "5", "x": "10"}  # only in names of two words or more: "BELLA I", "STAR V"
