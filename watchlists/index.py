"""Candidate generation: which listed names can still reach the threshold for a query name.

Scoring every listed name would cost tens of thousands of comparisons per query. The index
finds, for each query word, the listed words it can match under the scorer's own rules
(exact; typos within the allowed edits, through a symmetric-deletion table; the consonant
skeleton for a name written in another script; a word prefix for a name cut at 35
characters), and uses two bounds that follow from the score being a mean of two weighted
word alignments, with every other feature only subtracting:

* prefix filter: a listed name that matches none of the query's heaviest words, which carry
  more than 1 − (2T − 100)/100 of its weight, cannot reach T; only those words' postings
  are read;
* upper bound: counting each matched word as a perfect match gives a score no lower than the
  real one; candidates whose bound is under T are not scored.

Both bounds are exact for the scorer in `scoring.py`, so the only recall the index loses is
outside those rules (typos beyond two edits in a long word); `fiu-screen evaluate` measures it.
"""

from __future__ import annotations

import bisect
from array import array
from typing import Optional, Sequence

import numpy as np
from rapidfuzz.distance import OSA, Levenshtein

from watchlists.normalize import NameKey, skeletons
from watchlists.scoring import TokenWeights, allowed_edits, cut_tail

MAX_DELETES = 2  # deletion neighbourhood kept for listed words of 9+ letters (1 for shorter ones)
_CACHE_LIMIT = 400_000


def _deletes(word: str, depth: int) -> set[str]:
    """The word and every string made by deleting up to `depth` of its letters."""
    out = {word}
    layer = {word}
    for _ in range(depth):
        layer = {w[:i] + w[i + 1 :] for w in layer for i in range(len(w))}
        out |= layer
    return out


def _depth(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 9 else MAX_DELETES


class NameIndex:
    """Listed name keys (by position) → the positions worth scoring for a query key."""

    def __init__(self, keys: Sequence[NameKey], weights: TokenWeights) -> None:
        self._weights = weights
        self._tokens: list[tuple[str, ...]] = []
        self._token_sets: list[frozenset[str]] = []
        self._postings: dict[str, list[int]] = {}
        self._compact: dict[str, list[int]] = {}
        for pos, key in enumerate(keys):
            toks = tuple(key.core.split())
            self._tokens.append(toks)
            self._token_sets.append(frozenset(toks))
            for tok in dict.fromkeys(toks):
                self._postings.setdefault(tok, []).append(pos)
            self._compact.setdefault(key.core.replace(" ", ""), []).append(pos)
        self._vocab = sorted(self._postings)
        self._listed_weights = [tuple(weights(t) for t in toks) for toks in self._tokens]
        self._listed_totals = [sum(w) or 1.0 for w in self._listed_weights]
        self._weighted = [tuple(zip(t, w)) for t, w in zip(self._tokens, self._listed_weights)]
        # Each (variant, listed word) pair as the variant's hash and the word's position in
        # _vocab, sorted by hash: 12 bytes a pair, where a dict of variant strings took ~100
        # (84 MB over OFAC's 860,000 variants, in every worker). `hash` is this process's:
        # the table is rebuilt, never pickled (__reduce__). A hash shared by two variants only
        # adds a word that _typo_reachable then judges.
        hashes, words = array("q"), array("i")
        for w, word in enumerate(self._vocab):
            variants = _deletes(word, _depth(word))
            hashes.extend(map(hash, variants))
            words.extend(array("i", [w]) * len(variants))
        order = np.argsort(np.frombuffer(hashes, np.int64), kind="stable")
        self._variant_hashes = np.frombuffer(hashes, np.int64)[order]
        self._variant_words = np.frombuffer(words, np.int32)[order]
        self._keys = keys
        self._skeletons: Optional[dict[str, list[str]]] = None  # built on the first non-Latin query
        self._cache: dict[tuple[str, bool, bool], frozenset[str]] = {}

    def __len__(self) -> int:
        return len(self._tokens)

    def __reduce__(self) -> tuple:
        return NameIndex, (self._keys, self._weights)  # rebuilt: the variant table holds this process's hashes

    def _variant_matches(self, variants: set[str]) -> set[str]:
        """The listed words that have one of `variants` among their own deletion variants."""
        wanted = np.fromiter(map(hash, variants), np.int64, len(variants))
        starts = np.searchsorted(self._variant_hashes, wanted, "left")
        ends = np.searchsorted(self._variant_hashes, wanted, "right")
        found = starts < ends
        out: set[str] = set()
        for start, end in zip(starts[found].tolist(), ends[found].tolist()):
            out.update(map(self._vocab.__getitem__, self._variant_words[start:end].tolist()))
        return out

    # --- word level ------------------------------------------------------------------------

    def word_matches(self, token: str, other_script: bool = False, partial: bool = False) -> frozenset[str]:
        """Listed words the scorer can give a similarity above 0 to this query word."""
        key = (token, other_script, partial)
        found = self._cache.get(key)
        if found is None:
            found = frozenset(self._word_matches(token, other_script, partial))
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _word_matches(self, token: str, other_script: bool, partial: bool) -> set[str]:
        out = {token} if token in self._postings else set()
        if len(token) >= 4 and not token.isdigit():
            depth = 1 if len(token) < 8 else MAX_DELETES
            for word in self._variant_matches(_deletes(token, depth)):
                if word not in out and _typo_reachable(token, word):
                    out.add(word)
        if partial and len(token) >= 2:
            start = bisect.bisect_left(self._vocab, token)
            while start < len(self._vocab) and self._vocab[start].startswith(token):
                out.add(self._vocab[start])
                start += 1
        if other_script and not token.isdigit():
            out.update(self._skeleton_matches(token))
        return out

    def _skeleton_matches(self, token: str) -> set[str]:
        if self._skeletons is None:
            table: dict[str, list[str]] = {}
            for word in self._vocab:
                if not word.isdigit():
                    for sk in skeletons(word):
                        for variant in _deletes(sk, 1 if len(sk) >= 5 else 0):
                            table.setdefault(variant, []).append(word)
            self._skeletons = table
        out: set[str] = set()
        mine = skeletons(token)
        for sk in mine:
            for variant in _deletes(sk, 1 if len(sk) >= 5 else 0):
                for word in self._skeletons.get(variant, ()):
                    if word not in out and _skeleton_reachable(mine, skeletons(word)):
                        out.add(word)
        return out

    # --- name level ------------------------------------------------------------------------

    def candidates(self, key: NameKey, threshold: float) -> list[int]:
        """Positions of the listed names whose score for `key` can reach `threshold`."""
        q = key.core.split()
        other_script = key.script != "latin"
        matches = [self.word_matches(t, other_script, key.truncated and i == len(q) - 1) for i, t in enumerate(q)]
        weights = [self._weights(t) for t in q]
        tail = len(q) - cut_tail(q) if key.truncated else len(q)  # left out by the scorer when they match nothing
        if key.truncated and len(q[-1]) == 1:
            weights[-1] = 0.0  # a one-letter fragment never counts
        full = weights[:]
        for i in range(tail, len(q)):
            weights[i] = 0.0
        total = sum(weights)
        slack = max(0.0, (2 * threshold - 100) / 100) * total  # weight that may stay unmatched
        pool: set[int] = set(self._compact.get(key.core.replace(" ", ""), ()))
        rest = total
        for n, i in enumerate(sorted(range(tail), key=lambda i: -weights[i])):
            if n and rest < slack:
                break
            for word in matches[i]:
                pool.update(self._postings[word])
            rest -= weights[i]
        for i in range(tail, len(q)):
            if full[i] > 0.0:
                for word in matches[i]:
                    pool.update(self._postings[word])
        if not pool:
            return []
        return sorted(self._within_bound(pool, key, matches, full, tail, threshold))

    def _within_bound(self, pool: set[int], key: NameKey, matches: list[frozenset[str]], weights: list[float],
                      tail: int, threshold: float) -> list[int]:  # fmt: skip
        """The pool members whose upper bound (every word that can match counted as a perfect
        match, in both directions) reaches the threshold; compact-equal names always pass.
        Words from `tail` on count only when they match (cut-off words of a SWIFT name)."""
        need = threshold / 50.0  # forward + backward, each 0–1
        matched_words = frozenset().union(*matches)
        compact = key.core.replace(" ", "")
        body = list(zip(matches[:tail], weights[:tail]))
        body_total = sum(w for _, w in body)
        optional = list(zip(matches[tail:], weights[tail:]))
        out = []
        for pos in pool:
            toks = self._token_sets[pos]
            hit = 0.0
            for m, w in body:
                if not m.isdisjoint(toks):
                    hit += w
            total = body_total
            for m, w in optional:
                if not m.isdisjoint(toks):
                    hit += w
                    total += w
            forward = hit / total if total else 0.0
            if forward + 1.0 < need and compact != "".join(self._tokens[pos]):
                continue  # even a perfect backward alignment would not reach the threshold
            backward = 1.0
            if not key.truncated:
                backward = 0.0
                for t, w in self._weighted[pos]:
                    if t in matched_words:
                        backward += w
                backward /= self._listed_totals[pos]
            if forward + backward >= need or compact == "".join(self._tokens[pos]):
                out.append(pos)
        return out


def _typo_reachable(a: str, b: str) -> bool:
    """The scorer's typo rule at its most lenient (multi-word names): edits by length, or a swap."""
    if min(len(a), len(b)) <= 3:
        return False
    allowed = allowed_edits(max(len(a), len(b)), single=False)
    edits = OSA.distance(a, b, score_cutoff=max(allowed, 1))
    return edits <= allowed or (edits == 1 and max(len(a), len(b)) >= 5)


def _skeleton_reachable(a: frozenset[str], b: frozenset[str]) -> bool:
    """The scorer's skeleton rule: a shared skeleton, or one edit between skeletons of 5+ consonants."""
    if a & b:
        return True
    return any(len(x) >= 5 and len(y) >= 5 and Levenshtein.distance(x, y, score_cutoff=1) <= 1 for x in a for y in b)
