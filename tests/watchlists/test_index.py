"""Candidate generation: what the index proposes, and that its bounds never drop a name that scores."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchlists.index import NameIndex, _deletes, _depth
from watchlists.normalize import name_key
from watchlists.scoring import TokenWeights, score_name

LISTED = ["Noordzee Bulk Shipping", "Sarab Horizon Shipping", "Alkonost Maritime", "Rhine Shipping", "Artavand",
          "Marea Azul", "Sea Lion", "Kunashir", "Islamic Republic of Iran Shipping Lines", "Pacific Shipping",
          "Atlantic Shipping", "Iran Hormuz 12", "Silm Road Company for Trading and Importing", "Virgo Marine",
          "Ocean Star 3", "Baltic Reefer Lines", "Golden Ocean Trading", "Global Shipping Lines"]  # fmt: skip
KEYS = [name_key(n) for n in LISTED]
WEIGHTS = TokenWeights(k.core for k in KEYS)  # type: ignore[union-attr]
INDEX = NameIndex(KEYS, WEIGHTS)  # type: ignore[arg-type]


def _proposed(query: str, threshold: float = 88) -> set[str]:
    key = name_key(query)
    assert key is not None
    return {LISTED[p] for p in INDEX.candidates(key, threshold)}


@pytest.mark.parametrize("query,listed", [
    ("NOORDZEE BULK SHIPPING B.V.", "Noordzee Bulk Shipping"),
    ("Shipping Noordzee Bulk", "Noordzee Bulk Shipping"),
    ("Sarab Horiozn Shipping", "Sarab Horizon Shipping"),           # swapped letters
    ("Kznashir", "Kunashir"),                                        # one letter wrong
    ("NoordzeeBulk Shipping", "Noordzee Bulk Shipping"),             # joined words
    ("سراب هورايزن شيپينغ", "Sarab Horizon Shipping"),               # Arabic script
    ("Алконост Маритайм", "Alkonost Maritime"),                      # Cyrillic script
    ("SILM ROAD COMPANY FOR TRADING AND I", "Silm Road Company for Trading and Importing"),  # SWIFT cut
    ("M/V Sea Lion", "Sea Lion"),
])  # fmt: skip
def test_variants_get_their_listed_name_as_candidate(query, listed):
    assert listed in _proposed(query)


@pytest.mark.parametrize("query", ["Shipping", "Maersk Line", "Hapag-Lloyd AG", "Jan de Vries"])
def test_names_sharing_at_most_generic_words_get_few_candidates(query):
    assert len(_proposed(query)) <= 1


@pytest.mark.parametrize("query", ["Noordzee Bulk Lines", "Sarab Shipping"])
def test_a_lower_threshold_proposes_more(query):
    assert _proposed(query, 88) < _proposed(query, 60)


def test_deletion_neighbourhood():
    assert _deletes("abc", 1) == {"abc", "bc", "ac", "ab"}
    assert "a" in _deletes("abc", 2) and len(_deletes("abcd", 0)) == 1


_WORDS = sorted({w for k in KEYS for w in k.core.split()} | {"shiping", "horizn", "trade", "xyz", "lines"})  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4), st.sampled_from([70.0, 80.0, 88.0, 95.0]))
def test_the_index_never_drops_a_name_that_scores(words, threshold):
    """Soundness of the prefix filter and the upper bound: every listed name whose score
    reaches the threshold is among the candidates."""
    key = name_key(" ".join(words))
    if key is None:
        return
    proposed = set(INDEX.candidates(key, threshold))
    for pos, listed in enumerate(KEYS):
        if score_name(key, listed, "organization", WEIGHTS).score >= threshold:  # type: ignore[arg-type]
            assert pos in proposed, (words, LISTED[pos])


def _random_index(count: int = 2000) -> tuple[list[str], NameIndex]:
    import random

    rnd = random.Random(3)
    names = [" ".join("".join(rnd.choice("bcdfgklmnprstvz") + rnd.choice("aeiou") for _ in range(5)) for _ in range(2))
             for _ in range(count)]  # fmt: skip
    keys = [name_key(n) for n in names]
    return names, NameIndex(keys, TokenWeights(k.core for k in keys))  # type: ignore[union-attr,arg-type]


def test_the_deletion_table_costs_under_40_bytes_a_variant_and_still_finds_shared_variants():
    import tracemalloc

    tracemalloc.start()
    try:
        _, index = _random_index()
        used = sum(s.size for s in tracemalloc.take_snapshot().statistics("filename")
                   if s.traceback[0].filename.endswith("index.py"))  # fmt: skip
    finally:
        tracemalloc.stop()
    variants = len(index._variant_hashes)
    assert variants > 100_000
    assert used / variants < 40, f"{used / variants:.0f} bytes per variant"  # a dict of variant strings: ~100
    # a variant two listed words share leads to both ("bakalo" and "bakelo" both give "baklo")
    pair = NameIndex([name_key("Bakalo"), name_key("Bakelo")], TokenWeights(["bakalo", "bakelo"]))  # type: ignore[list-item]
    assert pair.word_matches("bakilo") == {"bakalo", "bakelo"}


def test_the_variant_table_finds_exactly_the_words_a_dict_of_variants_finds():
    _, index = _random_index(500)
    table: dict[str, set[str]] = {}
    for word in index._vocab:
        for variant in _deletes(word, _depth(word)):
            table.setdefault(variant, set()).add(word)
    probes = {w[:i] + c + w[i + 1 :] for w in index._vocab[::7] for i in range(0, len(w), 3) for c in "ax"}
    probes |= {w[:i] + w[i + 1 :] for w in index._vocab[::5] for i in range(len(w))} | set(index._vocab[::3])
    assert len(probes) > 3000
    hits = 0
    for probe in sorted(probes):
        variants = _deletes(probe, 2)
        expected = set().union(*(table.get(v, set()) for v in variants))
        assert index._variant_matches(variants) == expected, probe
        hits += bool(expected)
    assert hits > 1000


def test_an_unpickled_index_rebuilds_its_table_with_the_new_process_hashes(tmp_path):
    """The table holds `hash` values, salted per process: a pickled index must not carry them."""
    import json
    import os
    import pickle
    import subprocess
    import sys

    _, index = _random_index(300)
    probes = sorted({w[:2] + "x" + w[3:] for w in index._vocab[:200]})
    expected = [sorted(index.word_matches(p)) for p in probes]
    fresh = _random_index(300)[1]  # nothing cached yet
    (tmp_path / "index.pkl").write_bytes(pickle.dumps((fresh, probes)))
    check = ("import json, pickle, sys; index, probes = pickle.load(open(sys.argv[1], 'rb')); "
             "print(json.dumps([sorted(index.word_matches(p)) for p in probes]))")  # fmt: skip
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", check, str(tmp_path / "index.pkl")], capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONHASHSEED": seed})  # fmt: skip
        assert json.loads(out.stdout) == expected
    assert sum(map(len, expected)) > 100
