import pytest

from tests.conftest import make_list
from watchlists.matcher import Matcher, PartyQuery, best_per_entry


@pytest.fixture
def matcher(coalition_entries):
    return Matcher([make_list(coalition_entries)], threshold=88)


@pytest.mark.parametrize("query,entry", [
    ("NOORDZEE BULK SHIPPING B.V.", "C-001"),
    ("Noordzee Bulk Shiping BV", "C-001"),
    ("Shipping Noordzee Bulk", "C-001"),
    ("Transportes Rapidos del Sur, S.L.", "C-003"),
    ("M/V MAREA AZUL", "C-002"),
])  # fmt: skip
def test_name_variants_fire(matcher, query, entry):
    (hits,) = matcher.match_names([query])
    assert entry in {h.entry_id for h in hits}
    hit = next(h for h in hits if h.entry_id == entry)
    assert hit.match_type == "name" and hit.score >= 88
    assert query in hit.explanation and hit.matched_name in hit.explanation


@pytest.mark.parametrize("query", ["Albert Heijn BV", "Noordzee Fish Trading", "Bulk Shipping", "BRL", "", None])
def test_unrelated_names_and_weak_aliases_do_not_fire(matcher, query):
    assert matcher.match_names([query]) == [[]]


def test_identifiers_fire_regardless_of_name(matcher):
    (hits,) = matcher.screen([PartyQuery(identifiers=(("crypto_address", "0x8589427373d6d84e98730d7795d8f6f8731fda16"),))])
    assert [(h.entry_id, h.match_type, h.score) for h in hits] == [("C-003", "crypto_address", 100.0)]


def test_remittance_text_finds_imo_and_vessel_name(matcher):
    hits = matcher.scan_text("freight MV Marea Azul IMO 9187629")
    assert {(h.entry_id, h.match_type) for h in hits} == {("C-002", "imo"), ("C-002", "name")}
    assert [h.match_type for h in best_per_entry(hits)] == ["imo"]


def test_remittance_without_vessel_name_is_clean(matcher):
    assert matcher.scan_text("invoice 2231 for azul paint") == []


def test_threshold_is_validated(coalition_entries):
    with pytest.raises(ValueError):
        Matcher([make_list(coalition_entries)], threshold=0)


def test_higher_threshold_fires_less(coalition_entries):
    strict = Matcher([make_list(coalition_entries)], threshold=99)
    assert strict.match_names(["Noordzee Bulk Shiping BV"]) == [[]]
