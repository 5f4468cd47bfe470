"""Planted watchlist hits for `generate`: which listed entries to plant, and how each is disguised.

A `HitPlanter` is built once from the watchlist entries. It keeps only what can be planted
(usable Latin-script names, valid IMO numbers, crypto addresses on a chain the synthetic
exchange trades) and prefers coalition organisations and vessels, then OFAC ones, then the
rest. Each hit says what was written into the feed (`text`), the value a screener should find
in it (`value`) and how it was disguised (`variant`), for the ground truth.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar

from schemas.records import WatchlistEntry
from watchlists.identifiers import crypto_chain, imo_check_ok, normalize_imo

T = TypeVar("T")

_LATIN = re.compile(r"^[A-Za-z0-9À-ÖØ-öø-ÿĀ-ž .,&'()/-]+$")
_TIER_WEIGHTS = (0.5, 0.35, 0.15)  # coalition org/vessel, OFAC org/vessel, anything else
_LEGAL_KEYS = frozenset((  # legal forms as keys: upper case, no dots, commas, spaces or &
    "LTD", "LIMITED", "LLC", "INC", "CORP", "CORPORATION", "CO", "COLTD", "COMPANY",
    "COMPANYLIMITED", "JSC", "OJSC", "PJSC", "CJSC", "OAO", "ZAO", "OOO", "PAO", "FZE", "FZCO",
    "FZC", "FZLLC", "LLP", "PLC", "SA", "SAS", "SARL", "SPA", "SRL", "SL", "BV", "NV", "VOF",
    "GMBH", "AG", "KG", "GMBHCOKG", "PTELTD", "PVTLTD", "SDNBHD", "LDA", "SAL", "SAE",
))
_DOTTED = {
    "SA": "S.A.", "BV": "B.V.", "NV": "N.V.", "LTD": "Ltd.", "INC": "Inc.", "CO": "Co.",
    "SPA": "S.p.A.", "SRL": "S.r.l.", "SL": "S.L.", "VOF": "V.O.F.", "LLC": "L.L.C.",
    "COLTD": "Co., Ltd.", "CORP": "Corp.", "SAS": "S.A.S.", "SARL": "S.A.R.L.", "JSC": "J.S.C.",
}
_OTHER_FORMS = ("Ltd", "LLC", "Limited", "Co. Ltd", "S.A.", "GmbH", "B.V.", "Inc.", "JSC", "SARL")
_VESSEL_PREFIXES = ("MV ", "M/V ", "M.V. ")
_VESSEL_PREFIX = re.compile(r"(?i)M[./]?[VT]\.?\s")  # the name already starts with one
_NAME_WEIGHTS = {
    "exact": 2, "upper": 2, "legal_form_dropped": 1, "legal_form_changed": 1,
    "legal_form_punctuated": 1, "typo": 2, "word_swap": 1, "vessel_prefix": 3,
}
_IMO_FORMATS = (("imo_space", "IMO {}"), ("imo_compact", "IMO{}"), ("imo_colon", "IMO: {}"),
                ("imo_no", "IMO No. {}"))
_IMO_TEXTS = ("freight {}", "charter hire {}", "bunker supply {} Rotterdam", "port dues {}",
              "demurrage {} B/L 20931", "crew wages {}", "{} dry dock repairs")
_CHAIN_FAMILIES = ("evm", "bech32", "tron", "base58", "monero")
_EVM_ASSETS = {
    "": (("ETH", "ethereum"), ("USDT", "ethereum"), ("USDC", "ethereum")),
    "ETH": (("ETH", "ethereum"),), "USDT": (("USDT", "ethereum"),),
    "USDC": (("USDC", "ethereum"),), "ARB": (("ETH", "arbitrum"), ("USDC", "arbitrum")),
    "BSC": (("USDT", "bsc"), ("USDC", "bsc")), "BNB": (("USDT", "bsc"),),
}


class Hit(NamedTuple):
    entry: WatchlistEntry
    kind: str  # name | imo | crypto_address
    variant: str
    value: str  # what a screener should find (equal to `text`, or inside it for imo)
    text: str  # what goes into the feed's column
    asset: str | None = None  # crypto hits: chain-appropriate asset and network
    network: str | None = None


def usable_name(name: str) -> bool:
    """A simple Latin-script name of reasonable length (what a European feed would carry)."""
    return (bool(_LATIN.match(name)) and len(name) <= 60 and len(name.split()) <= 6
            and sum(ch.isalpha() for ch in name) >= 3)


def _tier(entry: WatchlistEntry) -> int:
    preferred = entry.entity_type in ("organization", "vessel")
    if preferred and entry.list_source == "coalition":
        return 0
    return 1 if preferred and entry.list_source == "ofac_sdn" else 2


def crypto_assets(address: str, note: str | None) -> tuple[tuple[str, str], ...]:
    """(asset, network) pairs the synthetic exchange could carry for this listed address."""
    chain = crypto_chain(address)
    tag = (note or "").strip().upper()
    if tag.lower() in _CHAIN_FAMILIES:  # the coalition reader notes the chain family, not a currency
        tag = ""
    if chain == "evm":
        return _EVM_ASSETS.get(tag, ())
    if tag not in ("", "XBT", "BTC", "USDT", "TRX"):
        return ()
    if chain == "tron" and tag in ("", "USDT", "TRX"):
        return (("USDT", "tron"),)
    btc = address.lower().startswith("bc1") if chain == "bech32" else address[:1] in "13"
    if chain in ("bech32", "base58") and btc and tag in ("", "XBT", "BTC"):
        return (("BTC", "bitcoin"),)
    return ()


def _word(token: str) -> bool:
    """A token that names something: two or more letters and not itself a legal form."""
    letters = re.sub(r"[\W\d_]", "", token)
    return len(letters) >= 2 and letters.upper() not in _LEGAL_KEYS


def legal_form(name: str) -> tuple[str, str, str] | None:
    """(base, form as written, form key) when the name ends in a known legal form."""
    tokens = name.split()
    for k in (4, 3, 2, 1):
        if len(tokens) <= k:
            continue
        form = " ".join(tokens[-k:])
        key = re.sub(r"[\s.,&]", "", form).upper()
        base = " ".join(tokens[:-k]).rstrip(" ,")
        if key in _LEGAL_KEYS and any(_word(t) for t in base.split()):
            return base, form, key
    return None


def _typo(rng: random.Random, name: str) -> str | None:
    """One-character edit inside a long word; never in short names."""
    tokens = name.split(" ")
    long_words = [i for i, t in enumerate(tokens) if len(t) >= 6 and t.isalpha()]
    if len(name) < 12 or not long_words:
        return None
    i = long_words[int(rng.random() * len(long_words))]
    word = tokens[i]
    pos = 1 + int(rng.random() * (len(word) - 2))  # interior character
    op = rng.random()
    if op < 0.3:
        new = word[:pos] + word[pos + 1:]
    elif op < 0.6 and word[pos] != word[pos + 1]:
        new = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2:]
    else:
        letters = [c for c in "aeiounrstlm" if c != word[pos].lower()]
        c = letters[int(rng.random() * len(letters))]
        new = word[:pos] + (c.upper() if word[pos].isupper() else c) + word[pos + 1:]
    return " ".join(tokens[:i] + [new] + tokens[i + 1:])


def name_variants(rng: random.Random, name: str, entity_type: str) -> dict[str, str]:
    """Every disguise that applies to this name, by variant kind."""
    out = {"exact": name}
    if name != name.upper():
        out["upper"] = name.upper()
    lf = legal_form(name) if entity_type != "vessel" else None
    if lf is not None:
        base, form, key = lf
        out["legal_form_dropped"] = base
        others = [f for f in _OTHER_FORMS if re.sub(r"[\s.]", "", f).upper() != key]
        other = others[int(rng.random() * len(others))]
        out["legal_form_changed"] = f"{base} {other.upper() if base.isupper() else other}"
        if "." in form:
            out["legal_form_punctuated"] = f"{base} {re.sub(r'[.,]', '', form)}"
        elif key in _DOTTED:
            dotted = _DOTTED[key].upper() if form.isupper() else _DOTTED[key]
            out["legal_form_punctuated"] = f"{base} {dotted}"
    typo = _typo(rng, name)
    if typo is not None and typo != name:
        out["typo"] = typo
    tokens = name.split()
    if lf is None and 2 <= len(tokens) <= 3 and tokens[-1] != tokens[0]:
        out["word_swap"] = " ".join(tokens[-1:] + tokens[:-1])
    if entity_type == "vessel" and not _VESSEL_PREFIX.match(name):
        prefix = _VESSEL_PREFIXES[int(rng.random() * len(_VESSEL_PREFIXES))]
        out["vessel_prefix"] = prefix + name
    return out


def _weighted(rng: random.Random, options: Sequence[tuple[float, T]]) -> T:
    r = rng.random() * sum(w for w, _ in options)
    for w, item in options:
        if r < w:
            return item
        r -= w
    return options[-1][1]


class HitPlanter:
    """Chooses listed entries to plant and disguises their names, IMO numbers and addresses."""

    def __init__(self, entries: Sequence[WatchlistEntry]) -> None:
        self._names: tuple[list[tuple[WatchlistEntry, tuple[str, ...]]], ...] = ([], [], [])
        self._imos: tuple[list[tuple[WatchlistEntry, str]], ...] = ([], [], [])
        self._crypto: tuple[list[tuple[WatchlistEntry, str, tuple[tuple[str, str], ...]]], ...]
        self._crypto = ([], [], [])
        for e in entries:
            tier = _tier(e)
            names = [n for n in (e.name, *(a.name for a in e.aliases if not a.weak)) if n]
            usable = tuple(dict.fromkeys(n.strip() for n in names if usable_name(n.strip())))
            if usable and e.entity_type != "aircraft":
                self._names[tier].append((e, usable))
            for ident in e.identifiers:
                if ident.kind == "imo":
                    imo = normalize_imo(ident.value)
                    if imo is not None and imo_check_ok(imo):
                        self._imos[tier].append((e, imo))
                elif ident.kind == "crypto_address":
                    assets = crypto_assets(ident.value, ident.note)
                    if assets:
                        self._crypto[tier].append((e, ident.value, assets))

    @property
    def kinds(self) -> tuple[str, ...]:
        """The hit kinds this list can supply."""
        have = (any(self._names), any(self._imos), any(self._crypto))
        return tuple(k for k, ok in zip(("name", "imo", "crypto_address"), have) if ok)

    @staticmethod
    def _choose(rng: random.Random, tiers: tuple[list[T], ...]) -> T:
        pool = _weighted(rng, [(w, t) for w, t in zip(_TIER_WEIGHTS, tiers) if t])
        return pool[int(rng.random() * len(pool))]

    def name_hit(self, rng: random.Random) -> Hit:
        entry, names = self._choose(rng, self._names)
        name = names[0] if len(names) == 1 or rng.random() < 0.6 else names[
            1 + int(rng.random() * (len(names) - 1))]
        variants = name_variants(rng, name, entry.entity_type)
        variant = _weighted(rng, [(_NAME_WEIGHTS[k], k) for k in variants])
        return Hit(entry, "name", variant, variants[variant], variants[variant])

    def imo_hit(self, rng: random.Random) -> Hit:
        entry, imo = self._choose(rng, self._imos)
        variant, fmt = _IMO_FORMATS[int(rng.random() * len(_IMO_FORMATS))]
        fragment = fmt.format(imo)
        part = fragment
        if usable_name(entry.name) and rng.random() < 0.5:
            variant += "+vessel_name"
            use_mv = rng.random() < 0.5 and not _VESSEL_PREFIX.match(entry.name)
            part = f"MV {entry.name} {fragment}" if use_mv else f"{entry.name} ({fragment})"
        text = _IMO_TEXTS[int(rng.random() * len(_IMO_TEXTS))].format(part)
        return Hit(entry, "imo", variant, fragment, text)

    def crypto_hit(self, rng: random.Random) -> Hit:
        entry, address, assets = self._choose(rng, self._crypto)
        asset, network = assets[int(rng.random() * len(assets))]
        variant, written = "exact", address
        if crypto_chain(address) == "evm":
            r = rng.random()
            if r < 0.15:
                variant, written = "upper_case", "0x" + address[2:].upper()
            elif r < 0.4:
                variant = "mixed_case"
                written = "0x" + "".join(
                    c.upper() if rng.random() < 0.5 else c.lower() for c in address[2:])
        return Hit(entry, "crypto_address", variant, written, written, asset, network)

    def hit(self, rng: random.Random, kind: str) -> Hit:
        make: dict[str, Callable[[random.Random], Hit]] = {
            "name": self.name_hit, "imo": self.imo_hit, "crypto_address": self.crypto_hit}
        return make[kind](rng)
