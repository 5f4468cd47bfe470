"""Name scoring as a table of features with weights, so each alert can say what fired.

The main feature is an IDF-weighted token alignment: every word of each name is paired with
its most similar word in the other, and words that are frequent on the lists ("shipping",
"maritime", "import", "company") count less than rare ones, so "Smits Import Export" does
not look like "MDS Import Export". Short words and one-word names need (nearly) exact
spelling. Entity-type conflicts subtract a fixed penalty.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

from watchlists.normalize import NameKey

# Words so common in shipping and trade names that they say little about who is meant.
GENERIC_WORDS = frozenset("""
shipping maritime marine navigation lines line logistics transport transports transportes trasporti
trading trade international global group holding holdings services service management ship ships
shipmanagement tankers tanker bulk cargo freight forwarding import export agency company enterprises
enterprise industries industrial investment investments general ocean sea seas shipyard carriers
carrier express port ports terminal terminals spedition spedizioni commercial development energy
petroleum oil gas solutions partners network worldwide limited corporation bank
""".split())
GENERIC_FACTOR = 0.35


class Feature(NamedTuple):
    name: str
    weight: float  # contribution per unit of the feature (score points)
    meaning: str


FEATURES = {
    "token_alignment": Feature("token_alignment", 1.0, "IDF-weighted word similarity, both ways, 0–100"),
    "compact_equal": Feature("compact_equal", 100.0, "equal once spaces are removed (split/joined words)"),
    "organization_vs_person": Feature("organization_vs_person", -12.0,
                                      "the party has a legal form, the listed entry is a person"),
    "vessel_vs_other": Feature("vessel_vs_other", -12.0,
                               "the party is written as a vessel (MV, M/T…), the listed entry is not"),
}  # fmt: skip


class TokenWeights:
    """Inverse document frequency of words over the listed names (generic words damped)."""

    def __init__(self, cores: Iterable[str]) -> None:
        df: Counter[str] = Counter()
        n = 0
        for core in cores:
            n += 1
            df.update(set(core.split()))
        self._df = df
        self._n = max(n, 1)

    def __call__(self, token: str) -> float:
        w = math.log(1.0 + self._n / (1.0 + self._df.get(token, 0)))
        return w * GENERIC_FACTOR if token in GENERIC_WORDS else w


def token_similarity(a: str, b: str, single: bool) -> float:
    """0–100; typos (edits, swapped letters) are tolerated by length, none under 4 letters.

    In a one-word name a short word tolerates only two swapped letters: "Lauren" is not
    "Laurent", but "Suoran" is a typo of "Souran".
    """
    if a == b:
        return 100.0
    shortest, longest = min(len(a), len(b)), max(len(a), len(b))
    if shortest <= 3 or a.isdigit() or b.isdigit():
        return 0.0
    allowed = 1 if longest <= 8 else 2 if longest <= 14 else 3
    if single:
        allowed = 1 if longest > 8 else 0
    edits = OSA.distance(a, b, score_cutoff=max(allowed, 1))
    swapped = edits == 1 and Levenshtein.distance(a, b) == 2  # two neighbouring letters swapped
    if edits > allowed and not (swapped and longest >= 5):
        return 0.0
    return 100.0 - 50.0 / longest if swapped else float(fuzz.ratio(a, b))


def _directed(src: list[str], dst: list[str], weights: TokenWeights, single: bool) -> float:
    total = acc = 0.0
    for tok in src:
        w = weights(tok)
        total += w
        acc += w * max(token_similarity(tok, other, single) for other in dst)
    return acc / total if total else 0.0


class NameScore(NamedTuple):
    score: float
    features: tuple[tuple[str, float], ...]  # (feature, contribution) that fired

    def describe(self) -> str:
        return ", ".join(f"{name} {value:+.1f}" if name != "token_alignment" else f"{name} {value:.1f}"
                         for name, value in self.features)  # fmt: skip


def score_name(query: NameKey, listed: NameKey, entity_type: str, weights: TokenWeights) -> NameScore:
    """The feature contributions for one query name against one listed name."""
    q, c = query.core.split(), listed.core.split()
    features: list[tuple[str, float]] = []
    if query.core.replace(" ", "") == listed.core.replace(" ", ""):
        features.append(("compact_equal", FEATURES["compact_equal"].weight))
    else:
        single = len(q) == 1 or len(c) == 1
        alignment = (_directed(q, c, weights, single) + _directed(c, q, weights, single)) / 2
        features.append(("token_alignment", alignment * FEATURES["token_alignment"].weight))
    if query.legal_form and entity_type == "person":
        features.append(("organization_vs_person", FEATURES["organization_vs_person"].weight))
    if query.vessel_prefix and entity_type not in ("vessel", "unknown"):
        features.append(("vessel_vs_other", FEATURES["vessel_vs_other"].weight))
    total = max(0.0, min(100.0, sum(v for _, v in features)))
    return NameScore(round(total, 1), tuple(features))
