"""Build the labelled dev set for `fiu-screen evaluate` from the bundled lists.

    .venv/bin/python eval/make_devset.py [--seed 3] [--output tests/fixtures/devset/cases.csv]

Positives are real list entries (OFAC vessels and shipping / trading companies, coalition
operators) written the ways a payment clerk writes them, one variant kind per case: case,
punctuation, legal form, abbreviation, word order, typo, Arabic and Cyrillic script, vessel
numerals, SWIFT 35-character truncation, vessel prefix, and combinations of two. Negatives are
real unlisted carriers and forwarders, look-alikes that keep a listed name's generic words and
legal form but replace its own words, vessel look-alikes, and ordinary bank customers from
the feed generator. Identifier cases carry an IMO number, MMSI, LEI or crypto address, as a
party identifier or inside a remittance text.

Every case has a `split` (dev or test, by entry): tune on dev, report both. The output holds
only public-domain OFAC names, the project's fictional coalition names and text written here.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import sys
from collections import defaultdict
from typing import Callable, Optional

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from negatives import GENERIC, REAL_UNLISTED, REPLACEMENTS  # noqa: E402
from translit import to_arabic, to_cyrillic  # noqa: E402

from pipelines.generate_names import COUNTRY_PROFILES, PROFILES, company_name, person_name  # noqa: E402
from schemas.records import WatchlistEntry  # noqa: E402
from watchlists.spec import load_watchlists  # noqa: E402

LISTS = ["coalition:watchlists/data/coalition.csv", "ofac-xml:watchlists/data/ofac/sdn_advanced.xml.bz2"]
COLUMNS = ["query_id", "name", "kind", "expected", "split", "country", "entity_type", "identifier", "text"]
_SHIPPING = re.compile(r"(?i)\b(ship\w*|shpg|maritime|marine|navigation|nav|tankers?|lines?|logistics?|freight|"
                       r"cargo|transports?|sea|ocean|petroleum|petrochemical|trading|trade|bulk|carriers?|oil|"
                       r"energy|express|reederei|spedition|expeditie|fret|trasporti|transportes|port)\b")  # fmt: skip
_LATIN = re.compile(r"^[A-Za-z0-9 .,&'()/-]+$")
ABBREVIATIONS = {
    "shipping": ["Shpg", "SHPG", "Shpg."], "navigation": ["Nav.", "NAV", "Navig."], "logistics": ["LOG.", "Log", "Logist."],
    "international": ["Intl", "Int'l", "INTL.", "Int."], "management": ["Mgmt", "MGMT", "Mngt"],
    "trading": ["Trdg", "TRDG."], "maritime": ["Mar.", "Marit."], "company": ["Co.", "CO"], "corporation": ["Corp.", "CORP"],
    "brothers": ["Bros", "Bros."], "services": ["Svcs", "Svcs."], "transport": ["Transp.", "Tpt"],
    "limited": ["Ltd", "Ltd."], "incorporated": ["Inc."], "general": ["Gen."],
}  # fmt: skip
LEGAL_SPELLINGS = [
    ["Ltd", "Ltd.", "Limited", "LTD", "LIMITED"], ["Co., Ltd.", "Co Ltd", "Company Limited", "CO. LIMITED", "Co. Ltd"],
    ["LLC", "L.L.C.", "Limited Liability Company", "L.L.C"], ["Inc", "Inc.", "Incorporated"],
    ["Corp", "Corp.", "Corporation"], ["JSC", "J.S.C.", "Joint Stock Company"], ["FZE", "F.Z.E.", "Free Zone Establishment"],
    ["S.A.", "SA", "S.A", "Sociedad Anonima"], ["B.V.", "BV", "B V"], ["N.V.", "NV"], ["GmbH", "GMBH", "G.m.b.H."],
    ["S.p.A.", "SpA", "SPA"], ["S.r.l.", "Srl", "SRL"], ["Pte Ltd", "Pte. Ltd.", "Private Limited", "PTE LTD"],
    ["Co.", "Co", "Company", "CO."], ["PLC", "plc", "P.L.C."], ["DMCC", "D.M.C.C."], ["FZCO", "FZ Co", "F.Z.C.O."],
    ["SARL", "S.A.R.L.", "Sarl"], ["SAS", "S.A.S."], ["S.L.", "SL", "S.L"], ["GmbH & Co. KG", "GmbH & Co KG", "GMBH + CO. KG"],
]  # fmt: skip
_LEGAL_RE = re.compile(r"(?i)(?:,?\s+)(" + "|".join(sorted({re.escape(s) for g in LEGAL_SPELLINGS for s in g},
                                                              key=len, reverse=True)) + r")\s*$")  # fmt: skip
VESSEL_PREFIXES = ["MV ", "M/V ", "MT ", "M/T ", "SS ", "TS ", "M.V. ", "MV. ", "mv "]
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V", "6": "VI", "7": "VII", "8": "VIII", "9": "IX",
         "10": "X", "11": "XI", "12": "XII"}  # fmt: skip
ARABIC = {v: k for k, v in ROMAN.items()}
NAME_KINDS = ["exact", "case", "punctuation", "legal_form", "abbreviation", "word_order", "typo", "arabic",
              "cyrillic", "numerals", "swift35", "vessel_prefix", "combined"]  # fmt: skip


def simple(text: str) -> str:
    """A plain key to tell names apart here (independent of the matcher's normalisation)."""
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]+", "", anyascii(text).lower())


def split_legal(name: str) -> tuple[str, Optional[str]]:
    m = _LEGAL_RE.search(name)
    if m and m.start() > 2:
        return name[: m.start()].rstrip(" ,"), m.group(1)
    return name, None


# --- variants: each returns None when it does not apply -----------------------------------


def v_case(rng: random.Random, name: str, etype: str) -> Optional[str]:
    out = rng.choice([name.upper(), name.lower(), name.title()])
    return out if out != name else name.swapcase()


def v_punctuation(rng: random.Random, name: str, etype: str) -> Optional[str]:
    options = []
    if re.search(r"[.,'()&/-]", name):
        options.append(re.sub(r"[.,'()]", "", name).replace("&", "and").replace("-", " ").replace("/", " "))
    if " " in name:
        words = name.split()
        i = rng.randrange(len(words) - 1)
        options.append(" ".join(words[:i]) + (" " if i else "") + f"{words[i]}-{words[i + 1]} " + " ".join(words[i + 2:]))
        options.append(name.replace(" ", ", ", 1))
    if " and " in name.lower():
        options.append(re.sub(r"(?i)\band\b", "&", name))
    options = [o.strip() for o in options if o.strip() and o.strip() != name]
    return rng.choice(options) if options else None


def v_legal_form(rng: random.Random, name: str, etype: str) -> Optional[str]:
    if etype == "vessel":
        return None
    base, form = split_legal(name)
    if form is None:
        return f"{name} {rng.choice(['Ltd', 'LLC', 'Co.', 'Limited', 'Inc.'])}" if etype == "organization" else None
    group = next((g for g in LEGAL_SPELLINGS if form.lower().rstrip(".") in [s.lower().rstrip(".") for s in g]), None)
    if group is None or rng.random() < 0.25:
        return base  # legal form dropped
    others = [s for s in group if s.lower() != form.lower()]
    return f"{base} {rng.choice(others)}" if others else base


def v_abbreviation(rng: random.Random, name: str, etype: str) -> Optional[str]:
    words = name.split()
    spots = [i for i, w in enumerate(words) if re.sub(r"\W", "", w).lower() in ABBREVIATIONS]
    if not spots:
        return None
    for i in rng.sample(spots, k=min(len(spots), rng.choice([1, 2]))):
        words[i] = rng.choice(ABBREVIATIONS[re.sub(r"\W", "", words[i]).lower()])
    return " ".join(words)


def v_word_order(rng: random.Random, name: str, etype: str) -> Optional[str]:
    base, form = split_legal(name)
    words = base.split()
    if len(words) < 2:
        return None
    for _ in range(5):
        new = words[:]
        rng.shuffle(new) if len(new) > 2 and rng.random() < 0.5 else new.insert(0, new.pop())
        if new != words:
            return " ".join(new) + (f" {form}" if form else "")
    return None


_KEYS = "qwertyuiopasdfghjklzxcvbnm"


def v_typo(rng: random.Random, name: str, etype: str) -> Optional[str]:
    words = name.split()
    spots = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha() and w.lower() not in GENERIC]
    spots = spots or [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not spots:
        return None
    i = rng.choice(spots)
    w = words[i]
    p = rng.randrange(1, len(w) - 1)
    op = rng.random()
    if op < 0.3:
        new = w[:p] + w[p + 1:]
    elif op < 0.55 and w[p] != w[p + 1]:
        new = w[:p] + w[p + 1] + w[p] + w[p + 2:]
    elif op < 0.8:
        c = rng.choice(_KEYS)
        new = w[:p] + (c.upper() if w[p].isupper() else c) + w[p + 1:]
    else:
        c = rng.choice(_KEYS)
        new = w[:p] + (c.upper() if w[p].isupper() else c) + w[p:]
    return " ".join(words[:i] + [new] + words[i + 1:]) if new != w else None


def v_arabic(rng: random.Random, name: str, etype: str) -> Optional[str]:
    return to_arabic(name, rng)


def v_cyrillic(rng: random.Random, name: str, etype: str) -> Optional[str]:
    return to_cyrillic(name, rng)


def v_numerals(rng: random.Random, name: str, etype: str) -> Optional[str]:
    words = name.split()
    for i, w in enumerate(words):
        if i and w in ROMAN:
            return " ".join(words[:i] + [ROMAN[w]] + words[i + 1:])
        if i and w.upper() in ARABIC:
            return " ".join(words[:i] + [ARABIC[w.upper()]] + words[i + 1:])
    if etype == "vessel" and rng.random() < 0.5 and not re.search(r"\d", name):
        return None
    return None


def v_swift35(rng: random.Random, name: str, etype: str) -> Optional[str]:
    text = re.sub(r"[^A-Z0-9 .,()/'+-]", "", name.upper().replace("&", "AND"))
    return text[:35].rstrip() if len(text) > 35 else None


def v_vessel_prefix(rng: random.Random, name: str, etype: str) -> Optional[str]:
    return rng.choice(VESSEL_PREFIXES) + name if etype == "vessel" else None


VARIANTS: dict[str, Callable[[random.Random, str, str], Optional[str]]] = {
    "case": v_case, "punctuation": v_punctuation, "legal_form": v_legal_form, "abbreviation": v_abbreviation,
    "word_order": v_word_order, "typo": v_typo, "arabic": v_arabic, "cyrillic": v_cyrillic, "numerals": v_numerals,
    "swift35": v_swift35, "vessel_prefix": v_vessel_prefix,
}  # fmt: skip
_COMBINABLE = ["case", "punctuation", "legal_form", "abbreviation", "word_order", "typo", "vessel_prefix", "numerals"]


def make_variant(rng: random.Random, kind: str, name: str, etype: str) -> Optional[str]:
    if kind == "exact":
        return name
    if kind == "combined":
        first, second = rng.sample(_COMBINABLE, 2)
        a = VARIANTS[first](rng, name, etype)
        b = VARIANTS[second](rng, a, etype) if a else None
        return b
    return VARIANTS[kind](rng, name, etype)


# --- the set ------------------------------------------------------------------------------


class Builder:
    def __init__(self, entries: list[WatchlistEntry], seed: int) -> None:
        self.rng = random.Random(seed)
        self.entries = entries
        self.by_key: dict[str, set[str]] = defaultdict(set)  # simple(name) → entries holding it (strong names)
        self.all_keys: set[str] = set()  # every listed name, weak aliases too, with and without legal form
        for e in entries:
            for n, weak in [(e.name, False)] + [(a.name, a.weak) for a in e.aliases]:
                k = simple(n)
                self.all_keys.add(k)
                self.all_keys.add(simple(split_legal(n)[0]))
                if not weak:
                    self.by_key[k].add(f"{e.list_source}:{e.entry_id}")
        self.rows: list[dict[str, str]] = []

    def add(self, name: str, kind: str, expected: str, split: str, **extra: str) -> None:
        row = {c: "" for c in COLUMNS}
        row.update(query_id=f"q{len(self.rows) + 1:05d}", name=name, kind=kind, expected=expected, split=split, **extra)
        self.rows.append(row)

    def expected(self, name: str) -> str:
        return "|".join(sorted(self.by_key[simple(name)]))

    def positives(self, pool: list[WatchlistEntry], per_entry: int, split: str, kinds: Optional[list[str]] = None
                  ) -> None:
        for e in pool:
            names = [e.name] + [a.name for a in e.aliases if not a.weak and _LATIN.match(a.name)]
            allowed = kinds or [k for k in NAME_KINDS if not (k == "vessel_prefix" and e.entity_type != "vessel")]
            for kind in self.rng.sample(allowed, k=min(per_entry, len(allowed))):
                src = self.rng.choice(names) if self.rng.random() < 0.3 and kind not in ("numerals", "swift35") else e.name
                variant = make_variant(self.rng, kind, src, e.entity_type)
                if variant is None and kind not in ("arabic", "cyrillic"):
                    variant = make_variant(self.rng, "combined", src, e.entity_type)
                    kind = "combined"
                if not variant:
                    continue
                if kind != "exact" and simple(variant) in self.all_keys and simple(variant) != simple(src):
                    continue  # the variant is itself another listed name
                self.add(variant, kind, self.expected(src), split)

    def identifiers(self, pool: list[WatchlistEntry], split: str) -> None:
        for e in pool:
            usable = [i for i in e.identifiers if i.kind in ("imo", "mmsi", "lei", "crypto_address")]
            for ident in self.rng.sample(usable, k=min(2, len(usable))):
                if self.rng.random() < 0.4:
                    continue
                exp = f"{e.list_source}:{e.entry_id}"
                value = ident.value
                if ident.kind == "imo":
                    shown = self.rng.choice([f"IMO {value}", f"IMO{value}", f"imo no. {value}", value])
                    if self.rng.random() < 0.5:
                        self.add("", "id_imo", exp, split, identifier=shown)
                    else:
                        text = self.rng.choice(["charter hire {} voy 12", "freight {} B/L 2231", "bunkers {} Fujairah"])
                        shown = shown if "imo" in shown.lower() else f"IMO:{shown}"
                        self.add("", "text_imo", exp, split, text=text.format(shown))
                elif ident.kind == "crypto_address":
                    shown = value.upper().replace("0X", "0x") if value.startswith("0x") and self.rng.random() < 0.5 else value
                    if self.rng.random() < 0.5:
                        self.add("", "id_crypto", exp, split, identifier=shown)
                    else:
                        self.add("", "text_crypto", exp, split, text=f"withdrawal to {shown}")
                else:
                    self.add("", f"id_{ident.kind}", exp, split, identifier=value)

    def lookalikes(self, pool: list[WatchlistEntry], split: str) -> None:
        for e in pool:
            words = e.name.split()
            own = [i for i, w in enumerate(words) if re.sub(r"\W", "", w).lower() not in GENERIC]
            generic = [i for i in range(len(words)) if i not in own]
            if not own or not generic:
                continue
            for _ in range(5):
                new = words[:]
                for i in own:
                    r = self.rng.choice(REPLACEMENTS)
                    new[i] = r.upper() if words[i].isupper() else r
                cand = " ".join(new)
                if simple(cand) not in self.all_keys and simple(split_legal(cand)[0]) not in self.all_keys:
                    kind = "neg_vessel_lookalike" if e.entity_type == "vessel" else "neg_generic_lookalike"
                    self.add(cand, kind, "", split)
                    break

    def vessel_numbers(self, pool: list[WatchlistEntry], split: str) -> None:
        for e in pool:
            m = re.search(r"\b(\d{1,4})\s*$", e.name)
            if not m:
                continue
            for _ in range(5):
                n = int(m.group(1)) + self.rng.choice([-3, -2, -1, 1, 2, 5, 11])
                cand = e.name[: m.start(1)] + str(max(n, 0))
                if simple(cand) not in self.all_keys:
                    self.add(cand, "neg_vessel_number", "", split)
                    break

    def real_unlisted(self, split_of: Callable[[int], str]) -> None:
        names = [n.strip() for n in REAL_UNLISTED.replace("\n", " ").split(";") if n.strip()]
        for i, name in enumerate(names):
            if simple(name) in self.all_keys or simple(split_legal(name)[0]) in self.all_keys:
                print(f"skipped listed name {name!r}", file=sys.stderr)
                continue
            variant = name if self.rng.random() < 0.6 else make_variant(self.rng, "case", name, "organization")
            self.add(variant or name, "neg_real_unlisted", "", split_of(i))

    def customers(self, n: int, split_of: Callable[[int], str]) -> None:
        countries = sorted(COUNTRY_PROFILES)
        for i in range(n):
            profile = PROFILES[self.rng.choice(COUNTRY_PROFILES[self.rng.choice(countries)])]
            name = company_name(self.rng, profile) if self.rng.random() < 0.6 else person_name(self.rng, profile)
            if simple(name) not in self.all_keys:
                self.add(name, "neg_bank_customer", "", split_of(i))


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--output", default="tests/fixtures/devset/cases.csv")
    args = parser.parse_args(argv)
    entries = [e for wl in load_watchlists(LISTS) for e in wl.entries]
    b = Builder(entries, args.seed)
    rng = b.rng
    usable = [e for e in entries if _LATIN.match(e.name) and len(e.name) >= 3]
    vessels = [e for e in usable if e.entity_type == "vessel"]
    shipping = [e for e in usable if e.entity_type == "organization" and e.list_source == "ofac_sdn"
                and _SHIPPING.search(e.name)]  # fmt: skip
    coalition = [e for e in usable if e.list_source == "coalition" and e.entity_type != "person"]
    rng.shuffle(vessels)
    rng.shuffle(shipping)
    rng.shuffle(coalition)
    halves = {"dev": (vessels[:110], shipping[:150], coalition[::2]),
              "test": (vessels[110:220], shipping[150:300], coalition[1::2])}  # fmt: skip
    numbered = [e for e in vessels if re.search(r" (\d{1,2}|[IVX]{1,4})$", e.name)]
    long_names = [e for e in shipping if len(e.name) > 40]
    for split, (v, s, c) in halves.items():
        b.positives(v + s + c, per_entry=3, split=split)
        half = slice(0, 30) if split == "dev" else slice(30, 60)
        b.positives(numbered[half], per_entry=1, split=split, kinds=["numerals"])
        b.positives(long_names[half], per_entry=1, split=split, kinds=["swift35"])
        b.identifiers(v[:60] + c, split)
        crypto = [e for e in entries if any(i.kind == "crypto_address" for i in e.identifiers)]
        b.identifiers(crypto[: 20] if split == "dev" else crypto[20:40], split)
        b.lookalikes(s + c, split)
        b.lookalikes(v, split)
        b.vessel_numbers(v, split)
    b.real_unlisted(lambda i: "dev" if i % 2 == 0 else "test")
    b.customers(400, lambda i: "dev" if i % 2 == 0 else "test")
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(b.rows)
    counts: dict[str, int] = defaultdict(int)
    for row in b.rows:
        counts[row["kind"]] += 1
    print(f"{len(b.rows)} cases written to {args.output}: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
