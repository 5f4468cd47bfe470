"""Name scoring as a table of features with weights, so each alert can say what fired.

The main feature is an IDF-weighted token alignment: every word of each name is paired with
its most similar word in the other, and words that are frequent on the lists ("shipping",
"maritime", "lines", "company") count less than rare ones, so "Smits Import Export" does not
look like "MDS Import Export". Word order does not matter. Short words and one-word names
need (nearly) exact spelling; a name written in Arabic or Cyrillic script is compared on the
consonant skeleton of each word; a name cut at 35 characters may end in a word prefix.
Every other feature only subtracts (type, legal form, country), so the alignment bounds the
score and the index can prune candidates on it.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, NamedTuple, Optional, Sequence

from rapidfuzz.distance import OSA, Levenshtein

from watchlists.normalize import NameKey, legal_prefix, legal_word_like, skeleton, skeletons

# Words so common in shipping and trade names that they say little about who is meant.
GENERIC_WORDS = frozenset(
    """
shipping maritime marine navigation lines line logistics transport transports transportes trasporti
trading trade international global group holding holdings services service management ship ships
shipmanagement tankers tanker bulk cargo freight forwarding import export agency company enterprises
enterprise industries industrial investment investments general ocean sea seas shipyard carriers
carrier express port ports terminal terminals spedition spedizioni commercial development energy
petroleum oil gas solutions partners network worldwide limited corporation bank
""".split()
)
GENERIC_FACTOR = 0.35  # a shared generic word is weak evidence …
UNMATCHED_GENERIC = 1.0  # … a generic word only one name has is a full difference
# Words that make a name a company's: one of them left unmatched against a vessel's name.
ORGANIZATION_WORDS = frozenset(
    """
shipping logistics trading management services service holding holdings group agency forwarding transport
enterprises industries investment investments company line lines navigation spedition partners solutions
""".split()
)
# Legal forms in families: within a family a different spelling is the same kind of company.
LEGAL_FAMILIES = {
    "ltd": "limited", "llc": "limited", "co ltd": "limited", "pte ltd": "limited", "plc": "limited",
    "gmbh": "limited", "bv": "limited", "srl": "limited", "sarl": "limited", "sl": "limited", "ooo": "limited",
    "fz-llc": "limited", "sdn bhd": "limited", "bvba": "limited", "ug": "limited", "llp": "limited",
    "jsc": "stock", "pjsc": "stock", "ao": "stock", "oao": "stock", "zao": "stock", "sa": "stock", "nv": "stock",
    "ag": "stock", "spa": "stock", "as": "stock", "sa/nv": "stock", "sas": "stock", "se": "stock",
    "inc": "corporation", "corp": "corporation", "fze": "free zone", "fzco": "free zone", "dmcc": "free zone",
    "kg": "partnership", "gmbh&co.kg": "partnership", "lp": "partnership", "vof": "partnership", "ohg": "partnership",
}  # fmt: skip


class Feature(NamedTuple):
    name: str
    weight: float  # contribution per unit of the feature (score points)
    meaning: str


FEATURES = {
    "token_alignment": Feature("token_alignment", 1.0, "IDF-weighted word similarity, both ways, 0–100"),
    "compact_equal": Feature("compact_equal", 100.0, "equal once spaces are removed (split/joined words)"),
    "declared_type_conflict": Feature("declared_type_conflict", -12.0,
                                      "the input says the party is another kind (vessel, organization, person)"),
    "organization_vs_person": Feature("organization_vs_person", -12.0,
                                      "the party has a legal form, the listed entry is a person"),
    "vessel_vs_other": Feature("vessel_vs_other", -12.0,
                               "the party is written as a vessel (MV, M/T…), the listed entry is not"),
    "organization_vs_vessel": Feature("organization_vs_vessel", -10.0,
                                      "the party has a legal form or a company word, the listed entry is a vessel"),
    "few_consonants": Feature("few_consonants", -10.0,
                              "written in another script with under 3 consonants: 'Коти', 'اپوس' fit many names"),
    "legal_form_mismatch": Feature("legal_form_mismatch", -3.0, "both have legal forms, of different families"),
    "country_mismatch": Feature("country_mismatch", -3.0, "the party's country is none of the entry's countries"),
}  # fmt: skip
TYPE_GROUPS = {"organization": "organization", "vessel": "vessel", "person": "person", "aircraft": "aircraft",
               "company": "organization", "legalentity": "organization", "individual": "person"}  # fmt: skip


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
        self._cache: dict[str, float] = {}

    def known(self, token: str) -> bool:
        return token in self._df

    def unmatched(self, token: str) -> float:
        """The weight of a word the other name lacks: a missing generic word is still a difference."""
        w = self(token)
        return w * UNMATCHED_GENERIC / GENERIC_FACTOR if token in GENERIC_WORDS else w

    def __call__(self, token: str) -> float:
        w = self._cache.get(token)
        if w is None:
            w = math.log(1.0 + self._n / (1.0 + self._df.get(token, 0)))
            w = w * GENERIC_FACTOR if token in GENERIC_WORDS else w
            self._cache[token] = w
        return w


def allowed_edits(longest: int, single: bool) -> int:
    """Typos tolerated in a word of this length (none under 4 letters; fewer in one-word names)."""
    if single:
        return 1 if longest >= 7 else 0
    return 0 if longest <= 3 else 1 if longest <= 8 else 2 if longest <= 14 else 3


def token_similarity(a: str, b: str, single: bool) -> float:
    """0–100; typos (edits, swapped letters) are tolerated by length, none under 4 letters.

    In a one-word name a word of up to 6 letters tolerates only two swapped letters, a longer
    one an edit inside it: "Suoran" is a typo of "Souran", "Kznashir" of "Kunashir", but
    "Laurent" is not "Lauren".
    """
    if a == b:
        return 100.0
    longest = max(len(a), len(b))
    if min(len(a), len(b)) <= 3 or a.isdigit() or b.isdigit():
        return 0.0
    allowed = allowed_edits(longest, single)
    edits = OSA.distance(a, b, score_cutoff=max(allowed, 1))
    swapped = edits == 1 and Levenshtein.distance(a, b, score_cutoff=2) == 2  # neighbouring letters swapped
    if edits > allowed and not (swapped and longest >= 5):
        return 0.0
    if single and not swapped and (a[0] != b[0] or a[-1] != b[-1]):
        return 0.0  # a one-word name with another first or last letter is another name: Lauren, Laurent
    return 100.0 - 100.0 * edits / (longest + 3)


SINGLE_SKELETON = 3  # consonants a one-word name in another script needs to fire on its skeleton alone
MIN_CONSONANTS = 3  # a name in another script with fewer consonants than this says too little to fire


def fragment(token: str) -> bool:
    """A cut-off last word the scorer leaves out when it matches nothing: short, or a legal word's start."""
    return len(token) <= 4 or legal_prefix(token)


def cut_tail(words: Sequence[str]) -> int:
    """How many words at the end of a name cut at 35 characters may be left out when they match
    nothing: the cut-off fragment and the legal-form words before it ("... Private L")."""
    if not words or not fragment(words[-1]):
        return 0
    n = 1
    while n < len(words) and legal_word_like(words[-1 - n]):
        n += 1
    return n


def skeleton_similarity(a: str, b: str, single: bool = False) -> float:
    """0–100 for a word written in another script: equal consonant skeletons. A one-word name
    needs three consonants to fire on its skeleton alone ('Коти' fits KOTI, HECATE, AKUTA)."""
    sa, sb = skeletons(a), skeletons(b)
    common = sa & sb
    if common:
        longest = max(len(x) for x in common)
        return 85.0 if single and longest < SINGLE_SKELETON else 95.0 if longest else 90.0
    if any(len(x) >= 5 and len(y) >= 5 and Levenshtein.distance(x, y, score_cutoff=1) <= 1 for x in sa for y in sb):
        return 85.0
    return 0.0


def _similarity(a: str, b: str, single: bool, script: str, partial: bool) -> float:
    sim = token_similarity(a, b, single)
    if sim < 100.0 and partial and 2 <= len(a) < len(b) and b.startswith(a):
        return 100.0
    if sim < 95.0 and script != "latin" and not a.isdigit():
        sim = max(sim, skeleton_similarity(a, b, single))
    return sim


def alignment(query: NameKey, listed: NameKey, weights: TokenWeights) -> float:
    """IDF-weighted word alignment, the mean of both directions, 0–100."""
    q, c = query.core.split(), listed.core.split()
    if query.truncated and len(q) > 1 and len(q[-1]) == 1:
        q = q[:-1]  # one letter of a cut-off word says nothing
    single = len(q) == 1 or len(c) == 1
    last = len(q) - 1
    tail = len(q) - cut_tail(q) if query.truncated else len(q)  # words from here on may be cut-off legal words
    sims = [[_similarity(a, b, single, query.script, query.truncated and i == last) for b in c]
            for i, a in enumerate(q)]  # fmt: skip
    q_weights, c_weights = [weights(a) for a in q], [weights(b) for b in c]
    total = acc = 0.0
    evidence = []  # whole words of a cut name that match: what the name still says
    for i, a in enumerate(q):
        best_j = max(range(len(c)), key=lambda j: sims[i][j])
        best = sims[i][best_j]
        if query.truncated and i >= tail and best == 0.0:
            continue  # the cut-off end of a word the listed name does not have (often its legal form)
        w = min(q_weights[i], c_weights[best_j]) if best > 0.0 else weights.unmatched(a)  # a typo weighs as its word
        total += w
        acc += w * best
        if best > 0.0 and i != last:
            evidence.append(a)
    forward = acc / total if total else 0.0
    # a cut name is only answerable for the listed words it reached, if it still says something
    says = len(evidence) >= 2 or any(len(a) >= 5 and a not in GENERIC_WORDS for a in evidence)
    head = listed.head or len(c) if says else len(c)
    total = acc = 0.0
    for j in range(len(c)):
        best_i = max(range(len(q)), key=lambda i: sims[i][j])
        best = sims[best_i][j]
        if query.truncated and j >= head and best == 0.0:
            continue
        w = min(q_weights[best_i], c_weights[j]) if best > 0.0 else weights.unmatched(c[j])
        total += w
        acc += w * best
    backward = acc / total if total else 0.0
    return (forward + backward) / 2


class NameScore(NamedTuple):
    score: float
    features: tuple[tuple[str, float], ...]  # (feature, contribution) that fired

    def describe(self) -> str:
        return ", ".join(f"{name} {value:+.1f}" if name != "token_alignment" else f"{name} {value:.1f}"
                         for name, value in self.features)  # fmt: skip


def _type_feature(query: NameKey, listed: NameKey, entity_type: str, query_type: Optional[str],
                  unmatched_org_word: bool) -> Optional[str]:  # fmt: skip
    declared = TYPE_GROUPS.get((query_type or "").strip().lower())
    listed_group = TYPE_GROUPS.get(entity_type)
    if declared is not None and listed_group is not None:
        return "declared_type_conflict" if declared != listed_group else None
    if query.vessel_prefix and entity_type not in ("vessel", "unknown"):
        return "vessel_vs_other"
    if entity_type == "vessel" and not query.vessel_prefix and (query.legal_form or unmatched_org_word):
        return "organization_vs_vessel"
    if query.legal_form and entity_type == "person":
        return "organization_vs_person"
    return None


def score_name(query: NameKey, listed: NameKey, entity_type: str, weights: TokenWeights,
               query_type: Optional[str] = None, query_country: Optional[str] = None,
               listed_countries: Sequence[str] = ()) -> NameScore:  # fmt: skip
    """The feature contributions for one query name against one listed name."""
    features: list[tuple[str, float]] = []
    if query.core.replace(" ", "") == listed.core.replace(" ", ""):
        features.append(("compact_equal", FEATURES["compact_equal"].weight))
    else:
        features.append(("token_alignment", alignment(query, listed, weights) * FEATURES["token_alignment"].weight))
    listed_words = set(listed.core.split())
    org_word = entity_type == "vessel" and any(t in ORGANIZATION_WORDS and t not in listed_words
                                               for t in query.core.split())  # fmt: skip
    kind = _type_feature(query, listed, entity_type, query_type, org_word)
    if kind is not None:
        features.append((kind, FEATURES[kind].weight))
    if query.script != "latin" and sum(len(skeleton(t)) for t in query.core.split()) < MIN_CONSONANTS:
        features.append(("few_consonants", FEATURES["few_consonants"].weight))
    families = LEGAL_FAMILIES.get(query.legal_form or ""), LEGAL_FAMILIES.get(listed.legal_form or "")
    if families[0] and families[1] and families[0] != families[1]:
        features.append(("legal_form_mismatch", FEATURES["legal_form_mismatch"].weight))
    if query_country and listed_countries and query_country.upper() not in listed_countries:
        features.append(("country_mismatch", FEATURES["country_mismatch"].weight))
    total = max(0.0, min(100.0, sum(v for _, v in features)))
    return NameScore(round(total, 1), tuple(features))
