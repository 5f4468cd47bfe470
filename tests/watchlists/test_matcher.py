import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.records import WatchlistEntry
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


@pytest.mark.parametrize("query,entry", [
    ("NOORDZEE BULK SHPG B.V.", "C-001"),                # abbreviation
    ("Нордзее Булк Шиппинг", "C-001"),                   # Cyrillic script
    ("نوردزي بولك شيپينغ", "C-001"),                      # Arabic script
    ("TRANSPORTES RAPIDOS DEL SUR SOCIEDAD LIMITADA", "C-003"),
    ("MAREA AZUL M.V.", "C-002"),
    ("Baltic Refer Lines Limited", "C-004"),              # typo
])  # fmt: skip
def test_issue_variants_fire(matcher, query, entry):
    (hits,) = matcher.match_names([query])
    assert entry in {h.entry_id for h in hits}


def test_declared_entity_type_and_country_qualify_a_name(matcher):
    plain, as_org, elsewhere = (matcher.match_names(["Marea Azul"], countries, types)[0]
                                for countries, types in ((None, None), ([None], ["organization"]), (["NL"], None)))
    assert [h.entry_id for h in plain] == ["C-002"] and plain[0].score == 100
    assert [h.score for h in as_org] == [88.0]  # a bank's organisation customer named like the vessel: 100 − 12
    assert "declared_type_conflict -12.0" in as_org[0].explanation
    assert [h.score for h in elsewhere] == [97.0] and "country_mismatch -3.0" in elsewhere[0].explanation


def test_screen_passes_the_qualifiers(matcher):
    (typed,) = matcher.screen([PartyQuery(name="Marea Azull", entity_type="person")])
    (untyped,) = matcher.screen([PartyQuery(name="Marea Azull")])
    assert typed == [] and [h.entry_id for h in untyped] == ["C-002"]


def test_explanation_names_both_values_and_the_features(matcher):
    (hits,) = matcher.match_names(["Noordzee Bulk Shiping BV"])
    why = hits[0].explanation
    assert "'Noordzee Bulk Shiping BV'" in why and "'Noordzee Bulk Shipping BV'" in why
    assert "token_alignment" in why and "C-001" in why


def test_candidate_entries_lists_what_the_index_proposes(matcher):
    assert matcher.candidate_entries(["Noordzee Bulk Shiping", "Albert Heijn", None]) == [{"coalition:C-001"}, set(),
                                                                                         set()]


def test_remittance_text_finds_a_listed_address_of_any_chain(coalition_entries):
    from schemas.records import Identifier

    entry = coalition_entries[0]._replace(identifiers=(Identifier("crypto_address", "5be5543ff73456ab9f2d207887e2"
                                                                                    "af87322c651ea1a873c5b25b7ffae456c320"),))
    m = Matcher([make_list([entry])])
    hits = m.scan_text("sent to 5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320 today")
    assert [(h.entry_id, h.match_type) for h in hits] == [("C-001", "crypto_address")]


VESSELS = [
    WatchlistEntry("V-1", "coalition", "vessel", "Marea Azul"),
    WatchlistEntry("V-2", "coalition", "vessel", "Marea Azul Segunda"),
    WatchlistEntry("V-3", "coalition", "vessel", "Azul"),
    WatchlistEntry("V-4", "coalition", "vessel", "Nordic Star Of The North Sea"),
    WatchlistEntry("V-5", "coalition", "vessel", "Star"),
]


def _vessel_names_everywhere(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    """The reference for scan_text's vessel names: at every word, the longest listed name of
    any length that starts there (as scan_text looked before it skipped words that start none)."""
    from watchlists.matcher import TEXT_VESSEL_CUES
    from watchlists.normalize import text_tokens

    toks, out = text_tokens(text), []
    longest = max(map(len, matcher._vessel_names))
    for start in range(len(toks)):
        for size in range(min(longest, len(toks) - start), 0, -1):
            hits = matcher._vessel_names.get(tuple(toks[start : start + size]))
            if hits and (size > 1 or (start > 0 and toks[start - 1] in TEXT_VESSEL_CUES)):
                out += [(listed, " ".join(toks[start : start + size])) for _, listed in hits]
                break
            if hits:
                break
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["marea", "azul", "segunda", "nordic", "star", "of", "the", "north", "sea", "mv",
                                 "vessel", "invoice", "2231", "paint"]), max_size=14))  # fmt: skip
def test_vessel_names_in_text_are_found_at_every_word(words):
    matcher = Matcher([make_list(VESSELS)], threshold=88)
    text = " ".join(words)
    found = [(h.matched_name, h.query_value) for h in matcher.scan_text(text) if h.match_type == "name"]
    assert found == _vessel_names_everywhere(matcher, text)
