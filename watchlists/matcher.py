"""Screening of parties against loaded watchlists: exact identifiers, fuzzy names, free text.

Plain functions and one index class, no Beam: the pipeline and `fiu-screen match-names` use
the same `Matcher`. Each distinct query is screened once; callers join matches back. Names go
through the candidate index (`watchlists.index`) and only the candidates are scored
(`watchlists.scoring`).
"""

from __future__ import annotations

import re
from typing import Iterable, NamedTuple, Optional, Sequence

from schemas.records import WatchlistEntry
from watchlists.identifiers import find_crypto_addresses, find_imos
from watchlists.index import NameIndex
from watchlists.normalize import VESSEL_PREFIXES, NameKey, name_key, sorted_tokens, text_tokens
from watchlists.scoring import TokenWeights, score_name
from watchlists.spec import Watchlist

DEFAULT_THRESHOLD = 88.0
MIN_FUZZY_LENGTH = 4  # names shorter than this (after normalisation) must match exactly
TEXT_VESSEL_CUES = VESSEL_PREFIXES | {"vessel", "ship", "mv", "imo", "tanker", "reefer"}
IDENTIFIER_KINDS = ("imo", "crypto_address", "iban", "bic", "lei", "mmsi")
_LONG_WORD = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{25,}(?![0-9A-Za-z])")


class PartyQuery(NamedTuple):
    """What is screened for one party: its name, its identifiers, or a free text to scan."""

    name: Optional[str] = None
    identifiers: tuple[tuple[str, str], ...] = ()  # (kind, canonical value)
    text: Optional[str] = None  # remittance information
    country: Optional[str] = None  # ISO2 country the party is given with (qualifier)
    entity_type: Optional[str] = None  # organization | vessel | person, when the feed says


class Match(NamedTuple):
    """One watchlist entry that fired for a query, with the reason."""

    entry_id: str
    list_source: str
    matched_name: Optional[str]
    entity_type: str
    match_type: str  # name | imo | crypto_address | iban | bic | lei | mmsi
    score: float
    explanation: str
    query_value: str  # the party's name or identifier that matched
    watchlist_version: str


class _Listed(NamedTuple):
    entry: WatchlistEntry
    version: str


class Matcher:
    """An index over one or more watchlists; build once per process, query many times."""

    def __init__(self, lists: Sequence[Watchlist], threshold: float = DEFAULT_THRESHOLD, workers: int = 1,
                 weights: Optional[TokenWeights] = None):  # fmt: skip
        """`weights`: word weights of a larger list set (re-screening a few entries scores as a full run).

        `workers` is kept for callers of the first version (it sized rapidfuzz's thread pool); the
        index is pure Python, so parallelism comes from several processes (Beam workers, a fork pool).
        """
        if not 0 < threshold <= 100:
            raise ValueError(f"threshold must be in (0, 100], got {threshold}")
        self.threshold = threshold
        self.workers = workers
        self._listed: list[_Listed] = []
        self._ids: dict[tuple[str, str], list[int]] = {}
        self._choice_owner: list[tuple[int, str, NameKey]] = []  # (listed index, name as listed, its key)
        self._exact: dict[str, list[tuple[int, str]]] = {}  # short cores matched exactly
        self._vessel_names: dict[tuple[str, ...], list[tuple[int, str]]] = {}
        known = {name: key for wl in lists for name, key in wl.name_keys or ()}  # from the list cache
        for wl in lists:
            for entry in wl.entries:
                self._add(_Listed(entry, wl.version), known)
        self._vessel_reach: dict[str, int] = {}  # first word of a listed vessel name → the longest such name's words
        for words in self._vessel_names:
            self._vessel_reach[words[0]] = max(self._vessel_reach.get(words[0], 0), len(words))
        self._weights = weights if weights is not None else TokenWeights(o[2].core for o in self._choice_owner)
        self._index = NameIndex([o[2] for o in self._choice_owner], self._weights)

    def _add(self, listed: _Listed, known: dict[str, Optional[NameKey]]) -> None:
        """Index one entry; `known`: listed names' keys worked out before (the list cache's)."""
        idx = len(self._listed)
        self._listed.append(listed)
        entry = listed.entry
        for ident in entry.identifiers:
            self._ids.setdefault((ident.kind, ident.value), []).append(idx)
        strong = [entry.name] + [a.name for a in entry.aliases if not a.weak]
        seen: set[str] = set()
        for listed_name in strong:
            key = known[listed_name] if listed_name in known else name_key(listed_name)
            if key is None or key.core in seen:
                continue
            seen.add(key.core)
            if len(key.core) < MIN_FUZZY_LENGTH:
                self._exact.setdefault(sorted_tokens(key.core), []).append((idx, listed_name))
            else:
                self._choice_owner.append((idx, listed_name, key))
            if entry.entity_type == "vessel":
                self._vessel_names.setdefault(tuple(key.core.split()), []).append((idx, listed_name))

    @property
    def entry_count(self) -> int:
        return len(self._listed)

    # --- the three kinds of evidence -----------------------------------------------------

    def _match(
        self, idx: int, match_type: str, score: float, matched: Optional[str], query_value: str, why: str
    ) -> Match:
        entry, version = self._listed[idx]
        where = f"{entry.list_source} {entry.entry_id} ({entry.entity_type})"
        return Match(entry.entry_id, entry.list_source, matched or entry.name, entry.entity_type, match_type,
                     round(score, 1), f"{why} → {where}", query_value, version)  # fmt: skip

    def match_identifiers(self, identifiers: Iterable[tuple[str, str]]) -> list[Match]:
        """Exact matches of canonical identifiers; an identifier hit fires regardless of name."""
        out = []
        for kind, value in identifiers:
            for idx in self._ids.get((kind, value), ()):
                why = f"{kind} {value!r} is listed for {self._listed[idx].entry.name!r}"
                out.append(self._match(idx, kind, 100.0, None, value, why))
        return out

    def match_names(self, names: Sequence[Optional[str]], countries: Optional[Sequence[Optional[str]]] = None,
                    entity_types: Optional[Sequence[Optional[str]]] = None) -> list[list[Match]]:  # fmt: skip
        """Fuzzy matches of many names: index candidates, then feature scoring.

        `countries` and `entity_types` (parallel to `names`, optional) qualify each name: a
        party given as another kind of entity, or from none of the entry's countries, scores lower.
        """
        out = []
        for i, name in enumerate(names):
            country = countries[i] if countries is not None else None
            etype = entity_types[i] if entity_types is not None else None
            out.append(self._match_name(name, country, etype))
        return out

    def _match_name(self, name: Optional[str], country: Optional[str], etype: Optional[str]) -> list[Match]:
        key = name_key(name) if name else None
        if key is None:
            return []
        out = []
        for idx, listed_name in self._exact.get(sorted_tokens(key.core), ()):
            why = f"name {name!r} = {listed_name!r} (short name, exact after normalisation)"
            out.append(self._match(idx, "name", 100.0, listed_name, name or "", why))
        if len(key.core) < MIN_FUZZY_LENGTH:
            return out
        for pos in self._index.candidates(key, self.threshold):
            idx, listed_name, listed_key = self._choice_owner[pos]
            entry = self._listed[idx].entry
            scored = score_name(key, listed_key, entry.entity_type, self._weights, etype, country, entry.countries)
            if scored.score >= self.threshold:
                why = (f"name {name!r} ~ {listed_name!r} [{key.core!r} vs {listed_key.core!r}]: "
                       f"{scored.describe()} = {scored.score:.1f}")  # fmt: skip
                out.append(self._match(idx, "name", scored.score, listed_name, name or "", why))
        return out

    def candidate_entries(self, names: Sequence[Optional[str]]) -> list[set[str]]:
        """The entries ("list_source:entry_id") the index proposes for scoring, per name."""
        out = []
        for name in names:
            key = name_key(name) if name else None
            found: set[str] = set()
            if key is not None:
                positions = self._index.candidates(key, self.threshold) if len(key.core) >= MIN_FUZZY_LENGTH else []
                idxs = [self._choice_owner[p][0] for p in positions]
                idxs += [idx for idx, _ in self._exact.get(sorted_tokens(key.core), ())]
                found = {f"{self._listed[i].entry.list_source}:{self._listed[i].entry.entry_id}" for i in idxs}
            out.append(found)
        return out

    def scan_text(self, text: Optional[str]) -> list[Match]:
        """Remittance text: IMO numbers, crypto addresses and listed vessel names in it."""
        if not text:
            return []
        ids = [("imo", imo) for imo in find_imos(text)]
        ids += [("crypto_address", a) for a in find_crypto_addresses(text)]
        ids += [
            ("crypto_address", w)
            for w in _LONG_WORD.findall(text)
            if ("crypto_address", w) in self._ids and ("crypto_address", w) not in ids
        ]  # any other chain's listed address, written exactly
        out = self.match_identifiers(ids)
        toks = text_tokens(text)
        for start, first in enumerate(toks):
            reach = self._vessel_reach.get(first)  # most words start no listed vessel name
            if reach is None:
                continue
            for size in range(min(reach, len(toks) - start), 0, -1):
                gram = tuple(toks[start : start + size])
                hits = self._vessel_names.get(gram)
                if not hits:
                    continue
                cued = start > 0 and toks[start - 1] in TEXT_VESSEL_CUES
                if size == 1 and not cued:
                    continue  # a one-word vessel name needs "MV", "vessel", … before it
                for idx, listed_name in hits:
                    why = f"vessel name {listed_name!r} appears in the text {' '.join(gram)!r}"
                    out.append(self._match(idx, "name", 100.0, listed_name, " ".join(gram), why))
                break
        return out

    # --- one call per batch of distinct queries ------------------------------------------

    def screen(self, queries: Sequence[PartyQuery]) -> list[list[Match]]:
        """All matches per query, at most one per watchlist entry (the strongest evidence)."""
        by_name = self.match_names([q.name for q in queries], [q.country for q in queries],
                                   [q.entity_type for q in queries])  # fmt: skip
        out = []
        for query, name_hits in zip(queries, by_name):
            hits = self.match_identifiers(query.identifiers) + self.scan_text(query.text) + name_hits
            out.append(best_per_entry(hits))
        return out


def best_per_entry(hits: Iterable[Match]) -> list[Match]:
    """One match per listed entry: identifiers before names, then the higher score.

    The other evidence for the same entry is appended to the explanation ("also: …").
    """
    by_entry: dict[tuple[str, str], list[Match]] = {}
    for hit in hits:
        by_entry.setdefault((hit.list_source, hit.entry_id), []).append(hit)
    out = []
    for group in by_entry.values():
        group.sort(key=_strength, reverse=True)
        best, others = group[0], []
        for hit in group[1:]:
            if hit.explanation != best.explanation and hit.explanation not in others:
                others.append(hit.explanation.split(" → ")[0])
        if others:
            best = best._replace(explanation=f"{best.explanation}; also: {'; '.join(others)}")
        out.append(best)
    return sorted(out, key=lambda m: (-m.score, m.list_source, m.entry_id))


def _strength(hit: Match) -> tuple[int, float]:
    return (0 if hit.match_type == "name" else 1, hit.score)
