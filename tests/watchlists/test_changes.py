"""Entry fingerprints find added and changed entries; weights make a small index score like the full one."""

from schemas.records import Alias
from tests.conftest import make_list
from watchlists.changes import changed_entries, entry_fingerprint, fingerprints, name_weights
from watchlists.matcher import Matcher
from watchlists.normalize import name_key


def test_changed_entries_are_the_added_and_the_modified(coalition_entries):
    old = {(r.list_source, r.entry_id): r.fingerprint for r in fingerprints(coalition_entries)}
    c1, c2, c3, c4 = coalition_entries
    new = [c1, c2._replace(aliases=c2.aliases + (Alias("Blue Sea"),)), c4,
           c1._replace(entry_id="C-009", name="Oceanic Reefer Agency BV")]  # C-003 removed
    assert [e.entry_id for e in changed_entries(old, new)] == ["C-002", "C-009"]
    assert changed_entries(old, coalition_entries) == []


def test_fingerprint_changes_with_any_field(coalition_entries):
    entry = coalition_entries[0]
    assert entry_fingerprint(entry) == entry_fingerprint(entry._replace())
    assert entry_fingerprint(entry) != entry_fingerprint(entry._replace(countries=("BE",)))


def test_name_weights_are_the_weights_of_a_full_matcher(coalition_entries):
    lists = [make_list(coalition_entries)]
    full = Matcher(lists)._weights
    ours = name_weights(lists)
    assert ours._df == full._df and ours._n == full._n


def test_a_small_index_with_full_weights_scores_like_the_full_index(coalition_entries):
    full_list = make_list(coalition_entries)
    small_list = make_list(coalition_entries[:1])
    query = ["Noordzee Bulk Shipping Lines"]
    full = Matcher([full_list], threshold=50).match_names(query)[0]
    weighted = Matcher([small_list], threshold=50, weights=name_weights([full_list])).match_names(query)[0]
    unweighted = Matcher([small_list], threshold=50).match_names(query)[0]
    assert [(m.entry_id, m.score) for m in weighted] == [(m.entry_id, m.score) for m in full if m.entry_id == "C-001"]
    assert name_key(query[0]) is not None and weighted[0].score != unweighted[0].score
