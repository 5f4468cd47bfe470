"""The party store: distinct parties with where they appeared, no amounts, and a faithful round trip."""

import base64
import random

import apache_beam as beam
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.arrow import to_table
from schemas.lookback import PARTY_SCHEMA, PartyRow
from schemas.records import Party, Transaction
from tests.conftest import make_list
from tests.pipelines.output_fixture import demo_entries, demo_transactions, screen, tx
from transforms.packing import PackBlocks
from transforms.parties import RunInfo
from transforms.party_store import (
    BuildPartyStore,
    occurrence_rows,
    occurrence_table,
    occurrence_tables,
    party_key,
    party_rows,
    party_table,
    party_transactions,
)
from transforms.write import write_parquet

TS = pa.timestamp("us", tz="UTC")
PINNED_PARTY = [
    ("country", pa.dictionary(pa.int32(), pa.string())), ("business_date", pa.dictionary(pa.int32(), pa.string())),
    ("party_key", pa.string()), ("kind", pa.string()), ("party_name", pa.string()), ("party_identifier", pa.string()),
    ("account", pa.string()), ("bic", pa.string()), ("crypto_address", pa.string()), ("party_country", pa.string()),
    ("occurrences", pa.list_(pa.struct([("source_type", pa.string()), ("source_file", pa.string()),
                                        ("source_row", pa.int64()), ("tx_id", pa.string()), ("tx_timestamp", TS),
                                        ("party_role", pa.string())]))),
]  # fmt: skip


def test_party_schema_is_pinned_and_has_no_amounts():
    assert [(f.name, f.type) for f in PARTY_SCHEMA] == PINNED_PARTY
    names = set(PARTY_SCHEMA.names) | {f.name for f in PARTY_SCHEMA.field("occurrences").type.value_type}
    assert not {"amount", "currency", "amount_eur"} & names


def test_a_party_seen_twice_is_one_row_with_both_transactions():
    txs = [tx("NL", "a", "Van Dijk Import BV", "Noordzee Bulk", row=1, beneficiary_country="NL"),
           tx("NL", "b", "Noordzee Bulk", "Van Dijk Import BV", row=2, remittance="invoice 7", beneficiary_country="NL")]  # fmt: skip
    rows = party_rows(txs)
    by_name = {(r.kind, r.party_name): r for r in rows}
    assert set(by_name) == {("party", "Van Dijk Import BV"), ("party", "Noordzee Bulk"), ("remittance", "invoice 7")}
    nzb = by_name[("party", "Noordzee Bulk")]
    assert [(o.tx_id, o.source_row, o.party_role) for o in nzb.occurrences] == [("a", 1, "beneficiary"),
                                                                                ("b", 2, "originator")]  # fmt: skip
    assert nzb.party_key == party_key("Noordzee Bulk", None)


def test_party_key_folds_case_and_spacing_only():
    assert party_key("Noordzee  Bulk ", "NL20 INGB") == party_key("noordzee bulk", "nl20ingb")
    assert party_key("Noordzee Bulk", None) != party_key("Noordzee Bulk BV", None)
    assert party_key("Noordzee Bulk", "NL20INGB0001234567") != party_key("Noordzee Bulk", None)


def test_rows_written_and_read_back_keep_every_occurrence(tmp_path):
    rows = party_rows(demo_transactions())
    path = str(tmp_path / "part-00000.parquet")
    write_parquet(path, rows, PartyRow, PARTY_SCHEMA)
    table = pq.read_table(path)
    assert table.schema.remove_metadata() == PARTY_SCHEMA
    assert sum(len(o) for o in table.column("occurrences").to_pylist()) == sum(len(r.occurrences) for r in rows)
    assert to_table(rows, PartyRow, PARTY_SCHEMA).num_rows == len(rows)


def test_stored_parties_give_the_same_alerts_as_the_transactions():
    lists = [make_list(demo_entries())]
    run = RunInfo("r", "0.1.0")
    direct = screen(demo_transactions(), lists, run)
    rebuilt = screen([t for row in party_rows(demo_transactions()) for t in party_transactions(row)], lists, run)
    assert len(direct) >= 6
    key = lambda a: (a.alert_id, a.party_role, a.entry_id, a.match_type, a.score, a.tx_id)  # noqa: E731
    assert sorted(map(key, rebuilt)) == sorted(map(key, direct))
    assert all(a.amount is None for a in rebuilt)


def _expected_tables(txs) -> list:
    rows = party_rows(txs)
    return [(c, to_table([r for r in rows if r.country == c], PartyRow, PARTY_SCHEMA).to_pylist())
            for c in sorted({r.country for r in rows})]  # fmt: skip


def test_build_party_store_in_beam_equals_the_plain_function(tmp_path):
    txs = demo_transactions()
    with TestPipeline() as p:
        tables = p | beam.Create(txs) | PackBlocks(2) | BuildPartyStore(str(tmp_path))  # parties spread over blocks
        assert_that(tables | beam.MapTuple(lambda c, t: (c, t.to_pylist())), equal_to(_expected_tables(txs)))


def test_build_party_store_moves_paths_and_encrypts_the_occurrence_files_with_the_country_key(tmp_path):
    txs = demo_transactions()
    countries = sorted({t.country for t in txs})
    keys = {c: base64.b64encode(c.encode() * 16).decode() for c in countries}
    with TestPipeline() as p:
        tables = p | beam.Create(txs) | PackBlocks(2) | BuildPartyStore(str(tmp_path), keys)
        assert_that(tables | beam.MapTuple(lambda c, t: (c, t.to_pylist())), equal_to(_expected_tables(txs)))
    files = sorted(tmp_path.rglob("*.*"))
    assert files and {f.suffix for f in files} == {".parquet"}  # with keys: Parquet, encrypted
    assert {f.parent.name for f in files} == {f"country={c}" for c in countries}
    assert len(files) >= len(txs) // 2  # one file per block (of two transactions) and country
    for f in files:
        with pytest.raises(OSError):  # the columns are encrypted: no key, no rows
            pq.read_table(f)


def test_the_store_is_the_same_whatever_order_the_occurrence_rows_come_in(tmp_path):
    txs = demo_transactions()
    with TestPipeline() as p:
        _ = p | beam.Create(txs) | PackBlocks(3) | BuildPartyStore(str(tmp_path))
    files = sorted(tmp_path.rglob("*.*"))
    assert files and {f.suffix for f in files} == {".arrow"}  # no keys: Arrow IPC, nothing encoded
    assert any(feather.read_table(f).num_rows > 2 for f in files)
    blocks = [occurrence_tables(txs[i : i + 3]) for i in range(0, len(txs), 3)]
    rng = random.Random(5)
    for country in sorted({t.country for t in txs}):
        table = pa.concat_tables([b[country] for b in blocks if country in b])
        expected = party_table(country, table)
        assert (country, expected.to_pylist()) in _expected_tables(txs)
        for _ in range(5):
            rows = list(range(table.num_rows)) * 2  # every occurrence twice, too: each counts once
            rng.shuffle(rows)
            assert party_table(country, table.take(rows)).equals(expected)
        assert party_table(country, table.slice(0, 0)).num_rows == 0


def test_occurrence_tables_built_by_column_are_the_tables_of_the_rows():
    wallet = "0x52908400098527886E0F7030069857D2E4169EE7"
    txs = demo_transactions() + [
        _crypto("c1", 3, Party("customer", "  ", "C-1", None, "NL"), Party("counterparty", None, None, None, None, wallet)),
        _crypto("c2", 4, Party("customer", " Noordzee Bulk ", None, None, "NL"), Party("counterparty", "", None, None, None)),
        tx("BE", "b1", "Antwerp Bunkering", "Noordzee Bulk", row=7, source_file="bank/a.csv")._replace(remittance_info=" "),
    ]  # fmt: skip
    rows = occurrence_rows(txs)
    tables = occurrence_tables(txs)
    assert len(tables) > 1 and tables.keys() == rows.keys()
    for country, table in tables.items():
        assert table.equals(occurrence_table(rows[country]))
    assert occurrence_tables([]) == {}


def _crypto(tx_id: str, row: int, customer: Party, counterparty: Party) -> Transaction:
    return Transaction("NL", "2026-11-27", "crypto", "crypto/exchange.csv", row, tx_id, 1_700_000_000_000_000 + row,
                       1.0, "ETH", (customer, counterparty), None, file_format="crypto-csv")  # fmt: skip


def test_party_table_merges_blocks_drops_repeats_and_keeps_missing_apart_from_empty():
    wallet = "0x52908400098527886E0F7030069857D2E4169EE7"
    txs = [
        _crypto("c2", 9, Party("customer", "Noordzee Bulk", "C-1", None, "NL"), Party("counterparty", None, None, None, None, wallet)),
        _crypto("c1", 3, Party("customer", "Noordzee Bulk", "C-1", None, "NL"), Party("counterparty", "", None, None, None, wallet)),
        _crypto("c1", 3, Party("customer", "Noordzee Bulk", "C-1", None, "NL"), Party("counterparty", "", None, None, None, wallet)),
        tx("NL", "b9", "Noordzee Bulk", "Noordzee Bulk", row=2, source_file="bank/a.csv", originator_account="C-1"),
    ]  # fmt: skip
    tables = dict(occurrence_tables(txs[:2]))
    more = occurrence_tables(txs[2:])
    merged = party_table("NL", pa.concat_tables([tables["NL"], more["NL"]]))  # two blocks' tables
    rows = merged.to_pylist()
    assert sorted(rows, key=repr) == sorted(_expected_tables(txs)[0][1], key=repr)  # the order: below
    bulk = [r for r in rows if r["party_name"] == "Noordzee Bulk" and r["account"] == "C-1"]
    assert len(bulk) == 1  # one party across both files and blocks; the listed-twice occurrence once
    assert [(o["source_file"], o["source_row"], o["party_role"]) for o in bulk[0]["occurrences"]] == [
        ("bank/a.csv", 2, "originator"),
        ("crypto/exchange.csv", 3, "customer"),
        ("crypto/exchange.csv", 9, "customer"),
    ]
    wallets = [r for r in rows if r["crypto_address"] == wallet]
    assert [r["party_name"] for r in wallets] == [None, ""]  # two parties: an empty name is not a missing one,
    assert rows.index(wallets[0]) + 1 == rows.index(wallets[1])  # sorted as "" (party_sort_key), missing first
    assert [(r["kind"], r["party_name"] or "") for r in rows] == sorted((r["kind"], r["party_name"] or "") for r in rows)
    assert [r["party_identifier"] for r in wallets] == [wallet, wallet]


def test_rank_words_order_rows_as_their_columns_do_missing_first_across_several_words():
    import numpy as np
    import pyarrow.compute as pc

    from transforms.party_store import _rank_words, _same_as_previous

    rng = random.Random(11)
    names = [f"c{i}" for i in range(10)]  # ~100 distinct values each: 7 bits a column, two words
    columns = {n: [rng.choice([None, ""] + [f"v{rng.randrange(100):03d}é" for _ in range(3)]) for _ in range(3000)]
               for n in names[:8]}  # fmt: skip
    columns.update({n: [rng.choice([None, -5, 0, rng.randrange(10**12)]) for _ in range(3000)] for n in names[8:]})
    table = pa.table(columns)
    words = _rank_words(table, names)
    assert len(words) == 2
    order = np.lexsort(words[::-1])
    expected = pc.sort_indices(table, [(n, "ascending", "at_start") for n in names])
    assert table.take(pa.array(order)).equals(table.take(expected))
    rows = table.take(pa.array(order)).to_pylist()
    assert _same_as_previous([w[order] for w in words]).tolist() == [a == b for a, b in zip(rows[1:], rows)]
