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


# --- every feature of the table on its own case table --------------------------------------------

from watchlists.scoring import FEATURES, alignment, skeleton_similarity  # noqa: E402


def _features(query, listed, entity_type="organization", **kw):
    return dict(score_name(name_key(query), name_key(listed), entity_type, WEIGHTS, **kw).features)  # type: ignore[arg-type]


@pytest.mark.parametrize("query,listed,entity_type,kw,feature", [
    ("Marea Azul", "Marea Azul", "vessel", {"query_type": "organization"}, "declared_type_conflict"),
    ("Marea Azul", "Marea Azul", "person", {"query_type": "vessel"}, "declared_type_conflict"),
    ("Marea Azul S.L.", "Marea Azul", "person", {}, "organization_vs_person"),
    ("MV Marea Azul", "Marea Azul", "organization", {}, "vessel_vs_other"),
    ("Marea Azul Shipping", "Marea Azul", "vessel", {}, "organization_vs_vessel"),
    ("Marea Azul Ltd", "Marea Azul", "vessel", {}, "organization_vs_vessel"),
    ("Marea Azul GmbH", "Marea Azul Inc", "organization", {}, "legal_form_mismatch"),
    ("Marea Azul", "Marea Azul", "organization", {"query_country": "NL", "listed_countries": ("PA",)},
     "country_mismatch"),
    ("Коти", "Koti", "vessel", {}, "few_consonants"),
])  # fmt: skip
def test_each_penalty_fires_with_its_table_weight(query, listed, entity_type, kw, feature):
    fired = _features(query, listed, entity_type, **kw)
    assert fired[feature] == FEATURES[feature].weight < 0


@pytest.mark.parametrize("query,listed,entity_type,kw", [
    ("Marea Azul", "Marea Azul", "vessel", {"query_type": "vessel"}),       # declared type agrees
    ("MV Marea Azul", "Marea Azul", "vessel", {}),                          # a vessel written as one
    ("Marea Azul Ltd", "Marea Azul LLC", "organization", {}),               # same family of legal forms
    ("Marea Azul", "Marea Azul", "organization", {"query_country": "pa", "listed_countries": ("PA",)}),
    ("Marea Azul", "Marea Azul", "organization", {"query_country": "NL"}),  # the entry has no country
])  # fmt: skip
def test_no_penalty_when_the_evidence_agrees(query, listed, entity_type, kw):
    fired = _features(query, listed, entity_type, **kw)
    assert [f for f in fired if FEATURES[f].weight < 0] == []


def test_penalties_only_subtract_so_the_alignment_bounds_the_score():
    assert all(f.weight < 0 for name, f in FEATURES.items() if name not in ("token_alignment", "compact_equal"))


@pytest.mark.parametrize("a,b,single,low,high", [
    ("shybyngh", "shipping", False, 95, 95), ("lkwnwst", "alkonost", False, 95, 95),
    ("kt", "koti", True, 85, 85), ("srb", "sarab", True, 95, 95), ("rtfnd", "artavand", True, 95, 95),
    ("atlantik", "pacific", False, 0, 0),
])  # fmt: skip
def test_skeleton_similarity(a, b, single, low, high):
    assert low <= skeleton_similarity(a, b, single) <= high


@pytest.mark.parametrize("query,listed,low,high", [
    ("سراب هورايزن شيپينغ", "Sarab Horizon Shipping", 90, 100),     # Arabic script
    ("Сараб Хоризон Шиппинг", "Sarab Horizon Shipping", 90, 100),   # Cyrillic script
    ("Сараб Шиппинг", "Noordzee Bulk Shipping", 0, 60),
    ("NOORDZEE BULK SHIPPING TRADING", "Noordzee Bulk Shipping and Trading Company of Rotterdam", 60, 87),
])  # fmt: skip
def test_other_scripts_and_long_names(query, listed, low, high):
    assert low <= _score(query, listed).score <= high


def test_a_swift_cut_name_answers_only_for_the_words_it_reached():
    listed = "Noordzee Bulk Shipping and Trading Company of Rotterdam"
    cut = listed.upper()[:35]  # "NOORDZEE BULK SHIPPING AND TRADING "
    assert len(cut.strip()) == 34
    assert _score(cut, listed).score >= 95
    assert _score("NOORDZEE BULK SHIPPING AND TRADIN", listed).score < 88  # 33 characters: not a cut field


def test_a_cut_name_of_generic_words_gets_no_leniency():
    assert _score("LIMITED LIABILITY COMPANY SHIPPING A", "Shipping Lines of the Atlantic Ocean").score < 88


def test_unmatched_generic_words_count_in_full():
    weights = TokenWeights(["navigator", "holdings group", "shipping"])
    assert weights.unmatched("holdings") > weights("holdings")
    assert weights.unmatched("navigator") == weights("navigator")


@given(st.text(alphabet="abcdefgh ", min_size=1, max_size=25), st.text(alphabet="abcdefgh ", min_size=1, max_size=25))
def test_alignment_is_symmetric(a, b):
    ka, kb = name_key(a), name_key(b)
    if ka and kb:
        assert alignment(ka, kb, WEIGHTS) == pytest.approx(alignment(kb, ka, WEIGHTS))
