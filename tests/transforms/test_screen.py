"""ScreenParties on a TestPipeline: distinct parties screened once, alerts joined back."""

import base64

import apache_beam as beam
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.records import Party, Transaction
from tests.conftest import make_list
from transforms.packing import PackBlocks
from transforms.parties import RunInfo, make_alerts, party_refs
from transforms.screen import ScreenParties, save_lists
from watchlists.matcher import Matcher

RUN = RunInfo("run-1", "test")


def _tx(tx_id, beneficiary, remittance=None, address=None, row=1):
    parties = (Party("originator", "Van Dijk Import BV", "NL91ABNA0417164300"),
               Party("beneficiary", beneficiary, crypto_address=address))  # fmt: skip
    return Transaction("NL", "2026-11-27", "bank", "bank/p.csv", row, tx_id, 0, 10.0, "EUR", parties, remittance)


TXS = [
    _tx("t1", "NOORDZEE BULK SHIPPING B.V.", row=1),
    _tx("t2", "Noordzee Bulk Shipping BV", row=2),
    _tx("t3", "Albert Heijn BV", "freight M/V Marea Azul IMO 9187629", row=3),
    _tx("t4", "Pieter Claes", address="0x8589427373D6D84E98730D7795D8F6F8731FDA16", row=4),
    _tx("t5", "Albert Heijn BV", "groceries", row=5),
]
WANT = [("t1", "beneficiary", "C-001", "name"), ("t2", "beneficiary", "C-001", "name"),
        ("t3", "remittance", "C-002", "imo"), ("t4", "beneficiary", "C-003", "crypto_address")]  # fmt: skip


def test_screen_parties_in_a_pipeline(tmp_path, coalition_entries):
    lists_path = str(tmp_path / "lists.pickle")
    save_lists([make_list(coalition_entries)], lists_path)
    with TestPipeline() as p:
        alerts = p | beam.Create(TXS) | PackBlocks() | ScreenParties(lists_path, 88, RUN)
        assert_that(alerts | beam.Map(lambda a: (a.tx_id, a.party_role, a.entry_id, a.match_type)),
                    equal_to(WANT), label="Alerts")  # fmt: skip
        assert_that(alerts | beam.Map(lambda a: a.run_id), equal_to(["run-1"] * 4), label="RunIds")


@pytest.mark.parametrize("keys", [None, {"NL": base64.b64encode(b"k" * 32).decode()}])
def test_blocks_wait_for_the_join_in_a_folder_encrypted_with_the_country_key(tmp_path, coalition_entries, keys):
    lists_path = str(tmp_path / "lists.pickle")
    save_lists([make_list(coalition_entries)], lists_path)
    folder = tmp_path / "blocks"
    with TestPipeline() as p:
        alerts = p | beam.Create(TXS) | PackBlocks(2) | ScreenParties(lists_path, 88, RUN, blocks_folder=str(folder),
                                                                     keys=keys)  # fmt: skip
        assert_that(alerts | beam.Map(lambda a: (a.tx_id, a.party_role, a.entry_id, a.match_type)), equal_to(WANT))
    files = sorted(folder.rglob("*.*"))
    assert len(files) == 3 and {f.parent.name for f in files} == {"country=NL"}  # five transactions, blocks of two
    assert {f.suffix for f in files} == ({".parquet"} if keys else {".arrow"})  # no keys: Arrow IPC, not encoded
    for f in files:
        if keys:
            with pytest.raises(OSError):  # encrypted: no key, no block
                pq.read_table(f)
        else:
            assert feather.read_table(f).num_rows == 1


def test_make_alerts_without_pipeline_matches_the_pipeline(coalition_entries):
    matcher = Matcher([make_list(coalition_entries)], threshold=88)
    found = {}
    for tx in TXS:
        for ref in party_refs(tx):
            for q, hits in zip(ref.queries, matcher.screen(ref.queries)):
                if hits:
                    found[q] = hits
    got = [(a.tx_id, a.party_role, a.entry_id, a.match_type) for tx in TXS for a in make_alerts(tx, found, RUN)]
    assert got == WANT


def test_alert_ids_are_stable_and_distinct(coalition_entries):
    matcher = Matcher([make_list(coalition_entries)], threshold=88)
    refs = party_refs(TXS[0])
    found = {q: h for ref in refs for q, h in zip(ref.queries, matcher.screen(ref.queries)) if h}
    first = make_alerts(TXS[0], found, RUN)
    again = make_alerts(TXS[0], found, RunInfo("another-run", "test"))
    assert [a.alert_id for a in first] == [a.alert_id for a in again]
    other_row = make_alerts(TXS[1], found, RUN)
    assert {a.alert_id for a in first}.isdisjoint({a.alert_id for a in other_row})


def test_screen_rejects_a_bad_threshold(tmp_path):
    import pytest

    with pytest.raises(ValueError):
        ScreenParties(str(tmp_path / "x"), 0, RUN)


@pytest.mark.parametrize("text, screened", [(None, None), ("", None), (" \t ", None), (" factuur 1 ", " factuur 1 ")])
def test_one_rule_says_which_remittance_text_is_screened_and_stored(text, screened):
    from transforms.parties import distinct_queries, screened_text
    from transforms.party_store import occurrence_tables, party_entries
    from transforms.screen import index_batch
    from watchlists.matcher import PartyQuery

    tx = Transaction("NL", "2026-11-27", "bank", "bank/p.csv", 1, "t1", 0, 1.0, "EUR", (), text)
    assert screened_text(tx) == screened
    want = [] if screened is None else [PartyQuery(text=screened)]
    assert list(distinct_queries(tx)) == want
    assert [r.queries for r in party_refs(tx)] == ([tuple(want)] if want else [])
    assert [key[3] for key, _ in party_entries(tx)] == ([screened] if screened else [])
    assert len(index_batch([tx])[0].keys) == len(want)
    assert sum(t.num_rows for t in occurrence_tables([tx]).values()) == len(want)
