"""Each scoring feature on a case table."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchlists.normalize import name_key
from watchlists.scoring import TokenWeights, score_name, token_similarity

LISTED = ["Noordzee Bulk Shipping", "MDS Import Export", "Sinose Maritime", "Sarab Horizon Shipping",
          "Wagner Group", "Lauren", "Souran", "Marea Azul", "Applied Mechanics", "Global Shipping Lines",
          "Atlantic Shipping", "Pacific Shipping", "Baltic Shipping", "Ocean Shipping Lines"]  # fmt: skip
WEIGHTS = TokenWeights(name_key(n).core for n in LISTED)  # type: ignore[union-attr]


def _score(query, listed, entity_type="organization"):
    return score_name(name_key(query), name_key(listed), entity_type, WEIGHTS)  # type: ignore[arg-type]


@pytest.mark.parametrize("query,listed,low,high", [
    ("Noordzee Bulk Shipping B.V.", "Noordzee Bulk Shipping", 100, 100),        # legal form only
    ("Shipping Noordzee Bulk", "Noordzee Bulk Shipping", 100, 100),             # word order
    ("NoordzeeBulk Shipping", "Noordzee Bulk Shipping", 100, 100),              # joined words
    ("Noordzee Bulk Shiping", "Noordzee Bulk Shipping", 95, 100),               # one letter missing
    ("Sarab Horiozn Shipping FZE", "Sarab Horizon Shipping", 90, 99),           # swapped letters
    ("Souran Company", "Suoran", 85, 99),                                        # swap in a one-word name
    ("Mechanics LLC Applied", "Applied Mechanics", 100, 100),                   # legal form in the middle
    ("Smits Import Export N.V.", "MDS Import Export", 0, 70),                   # only generic words shared
    ("Seine Maritime SARL", "Sinose Maritime", 0, 70),
    ("Laurent SAS", "Lauren", 0, 50),                                            # one-word name, one letter off
    ("Atlantic Shipping", "Pacific Shipping", 0, 60),
])  # fmt: skip
def test_name_scores(query, listed, low, high):
    assert low <= _score(query, listed).score <= high


def test_entity_type_features_subtract_and_are_named():
    person = _score("Marea Azul S.L.", "Marea Azul", "person")
    assert person.score == 88.0 and ("organization_vs_person", -12.0) in person.features
    vessel = _score("MV Noordzee Bulk Shipping", "Noordzee Bulk Shipping", "organization")
    assert ("vessel_vs_other", -12.0) in vessel.features
    assert "vessel_vs_other -12.0" in vessel.describe()


def test_generic_words_weigh_less_than_rare_ones():
    assert WEIGHTS("shipping") < WEIGHTS("noordzee") / 3


@pytest.mark.parametrize("a,b,single,want", [
    ("shipping", "shiping", False, True), ("horizon", "horiozn", False, True), ("lauren", "laurent", True, False),
    ("denis", "denise", True, False), ("souran", "suoran", True, True), ("abc", "abd", False, False),
    ("9187629", "9187628", False, False),
])  # fmt: skip
def test_token_similarity_tolerates_typos_by_length(a, b, single, want):
    assert (token_similarity(a, b, single) > 0) is want


@given(st.text(alphabet="abcdefgh ", min_size=1, max_size=25), st.text(alphabet="abcdefgh ", min_size=1, max_size=25))
def test_name_score_is_symmetric(a, b):
    ka, kb = name_key(a), name_key(b)
    if ka and kb:
        assert score_name(ka, kb, "organization", WEIGHTS).score == score_name(kb, ka, "organization", WEIGHTS).score
