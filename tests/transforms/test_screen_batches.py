"""ScreenParties' fast path: stable query keys, shards, batches and shards in a pipeline."""

import itertools
import os
import subprocess
import sys

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.records import Party, Transaction
from tests.conftest import make_list
from transforms.packing import PackBlocks, UnpackBlocks, unpack
from transforms.parties import RunInfo, distinct_queries, make_alerts, party_queries, party_refs
from transforms.screen import Bundle, ScreenParties, index_batch, join_alerts, query_key, save_lists
from watchlists.matcher import Matcher, PartyQuery

RUN = RunInfo("run-1", "test")
SHARD_SCRIPT = """
from transforms.screen import query_key
from watchlists.matcher import PartyQuery
print([query_key(PartyQuery(name=f"name {i}")) for i in range(50)])
"""


def test_query_keys_are_the_same_in_every_process():
    """Workers are separate processes with their own hash salt; a query must land in one shard."""
    here = [query_key(PartyQuery(name=f"name {i}")) for i in range(50)]
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", SHARD_SCRIPT], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == str(here)


def _tx(i, beneficiary, remittance=None, address=None):
    parties = (Party("originator", "Van Dijk Import BV", "NL91ABNA0417164300"),
               Party("beneficiary", beneficiary, crypto_address=address))  # fmt: skip
    return Transaction("NL", "2026-11-27", "bank", "bank/p.csv", i, f"t{i}", 0, 10.0, "EUR", parties, remittance)


BENEFICIARIES = ["NOORDZEE BULK SHIPPING B.V.", "Albert Heijn BV", "Pieter Claes", "Noordzee Bulk Shipping BV"]
TXS = [_tx(i, BENEFICIARIES[i % 4], "M/V Marea Azul IMO 9187629" if i % 7 == 0 else None,
           "0x8589427373D6D84E98730D7795D8F6F8731FDA16" if i % 5 == 0 else None) for i in range(1, 60)]  # fmt: skip


def test_distinct_queries_are_the_queries_of_the_party_refs():
    """make_alerts joins through party_refs; the index must have keyed exactly those queries."""
    blank = Transaction("NL", "2026-11-27", "bank", "bank/p.csv", 99, "t99", 0, 1.0, "EUR",
                        (Party("originator", "  "), Party("beneficiary", None, bic="ABNANL2A")), "  ")  # fmt: skip
    for tx in [*TXS, blank]:
        assert list(distinct_queries(tx)) == [q for ref in party_refs(tx) for q in ref.queries]
    assert any(q.text for tx in TXS for q in distinct_queries(tx))  # remittance texts are among them


def _pooled(txs):
    """The rows as a reader gives them: one Party object per distinct party."""
    pool = {}
    return [tx._replace(parties=tuple(pool.setdefault(p, p) for p in tx.parties)) for tx in txs]


@pytest.mark.parametrize("pooled", [False, True])
def test_index_batch_keys_every_query_and_shards_each_distinct_query_once(pooled):
    blank = Transaction("NL", "2026-11-27", "bank", "bank/p.csv", 99, "t99", 0, 1.0, "EUR",
                        (Party("originator", "  "), Party("beneficiary", None, bic="ABNANL2A")), "  ")  # fmt: skip
    txs = [_tx(i, BENEFICIARIES[i % 4]) for i in range(1, 30)] + TXS + [blank, blank]
    txs = _pooled(txs) if pooled else txs
    assert (len({id(p) for tx in txs for p in tx.parties}) < 20) == pooled  # else one per row
    batch, by_shard = index_batch(txs, shards=4)
    queries = [list(distinct_queries(tx)) for tx in txs]
    assert list(batch.ends) == list(itertools.accumulate(len(q) for q in queries))
    assert list(batch.keys) == [query_key(q) for qs in queries for q in qs]
    assert sorted(map(repr, (q for group in by_shard.values() for q in group))) == sorted(
        {repr(q) for qs in queries for q in qs})  # fmt: skip
    assert all(query_key(q) % 4 == shard for shard, group in by_shard.items() for q in group)


def test_index_batch_with_a_bundle_hands_each_party_on_once_and_keys_every_row():
    first, second = TXS[: len(TXS) // 2], TXS[len(TXS) // 2 :] + TXS[:3]
    bundle = Bundle()
    one, shards_one = index_batch(first, bundle=bundle)
    two, shards_two = index_batch(second, bundle=bundle)
    handed = [q for shards in (shards_one, shards_two) for group in shards.values() for q in group]
    assert set(handed) == {q for tx in TXS for q in distinct_queries(tx)}  # none missing
    repeated = [q for q in handed if handed.count(q) > 1]
    assert all(q.text for q in repeated)  # only remittance texts are handed on per batch

    def args(p):
        return p.name, p.account, p.bic, p.crypto_address

    seen_first = {args(p) for tx in first for p in tx.parties}
    left = {q for tx in second for p in tx.parties if args(p) not in seen_first for q in party_queries(*args(p))}
    texts = {PartyQuery(text=tx.remittance_info) for tx in second if (tx.remittance_info or "").strip()}
    assert {q for g in shards_two.values() for q in g} == left | texts  # the first call's parties are not again
    for txs, batch in ((first, one), (second, two)):  # every row's keys, handed on or not
        assert list(batch.keys) == [query_key(q) for tx in txs for q in distinct_queries(tx)]
    _, again = index_batch(second, bundle=Bundle())  # another bundle starts afresh
    assert {q for g in again.values() for q in g} == {q for tx in second for q in distinct_queries(tx)}


def _plain_alerts(entries):
    """The reference: every distinct query matched directly, make_alerts on every transaction."""
    matcher = Matcher([make_list(entries)], threshold=88)
    queries = sorted({q for tx in TXS for q in distinct_queries(tx)}, key=repr)
    found = {q: m for q, m in zip(queries, matcher.screen(queries)) if m}
    return found, [a for tx in TXS for a in make_alerts(tx, found, RUN)]


def test_join_alerts_skips_only_transactions_without_hits(coalition_entries):
    found, want = _plain_alerts(coalition_entries)
    batch, _ = index_batch(TXS)
    assert want and join_alerts(batch, found, RUN) == want
    assert join_alerts(batch, {}, RUN) == []


@pytest.mark.parametrize("seed", range(40))
def test_hit_positions_are_the_transactions_with_a_key_that_hit(seed):
    import random
    from array import array

    from transforms.screen import hit_positions

    rng = random.Random(seed)
    counts = [rng.choice([0, 0, 1, 2, 3, 5]) for _ in range(rng.randrange(0, 60))]
    keys = array("I", [rng.choice([0, 7, 2**32 - 1, rng.randrange(2**32)]) for _ in range(sum(counts))])
    ends = array("I", itertools.accumulate(counts))
    hits = set(rng.sample(list(keys), min(len(keys), rng.randrange(0, 4)))) | {rng.randrange(2**32)}
    expected = [i for i, (n, end) in enumerate(zip(counts, ends)) if hits & set(keys[end - n : end])]
    assert hit_positions(keys, ends, hits) == expected
    assert hit_positions(keys.tobytes(), ends.tobytes(), hits) == expected  # as the join gets them


def test_many_batches_and_shards_give_the_plain_alerts(tmp_path, coalition_entries):
    _, want = _plain_alerts(coalition_entries)
    lists_path = str(tmp_path / "lists.pickle")
    save_lists([make_list(coalition_entries)], lists_path)
    with TestPipeline() as p:
        alerts = p | beam.Create(TXS) | PackBlocks(4) | ScreenParties(lists_path, 88, RUN)
        assert_that(alerts, equal_to(want), label="Alerts")


def test_blocks_keep_every_row_once():
    rows = [f"r{i}" for i in range(10)]
    with TestPipeline() as p:
        packed = p | beam.Create(rows) | PackBlocks(4)
        sizes_ok = packed | beam.Map(lambda b: 0 < len(unpack(b)) <= 4) | beam.Distinct()
        assert_that(sizes_ok, equal_to([True]), label="Sizes")
        assert_that(packed | UnpackBlocks(), equal_to(rows), label="Rows")


def test_pack_blocks_rejects_a_bad_size():
    import pytest

    with pytest.raises(ValueError):
        PackBlocks(0)


def test_a_worker_empties_its_row_caches_before_it_builds_the_index(tmp_path, coalition_entries):
    import functools

    from transforms import screen
    from transforms.parties import party_queries

    lists_path = str(tmp_path / "lists.pickle")
    save_lists([make_list(coalition_entries)], lists_path)

    def sizes():
        return [c.cache_info().currsize for c in screen.ROW_CACHES]

    for cache in screen.ROW_CACHES:
        cache.cache_clear()
    screen.load_matcher(lists_path, 88)
    the_index_alone = sizes()  # what building the index itself caches (the listed names)
    index_batch(TXS)  # fills the query, party, identifier and name caches with the rows'
    assert screen.query_key.cache_info().currsize > 0 and party_queries.cache_info().currsize > 0
    assert sizes() != the_index_alone
    matcher = screen.build_matcher(lists_path, 88)
    assert sizes() == the_index_alone
    assert matcher.screen(list(distinct_queries(TXS[0]))) is not None
    # every large per-row cache of the screening path is among those emptied
    import transforms.parties
    import transforms.validate
    import watchlists.identifiers
    import watchlists.normalize
    import watchlists.scripts

    modules = (screen, transforms.parties, transforms.validate, watchlists.identifiers, watchlists.normalize,
               watchlists.scripts)  # fmt: skip
    large = {v for m in modules for v in vars(m).values()
             if isinstance(v, functools._lru_cache_wrapper) and (v.cache_info().maxsize or 1 << 30) >= 10_000}  # fmt: skip
    assert large == set(screen.ROW_CACHES)


def _sent_queries(blocks, limit=None, monkeypatch=None, which="SENT_LIMIT"):
    from transforms import screen
    from transforms.packing import pack, unpack_rows

    if limit is not None:
        monkeypatch.setattr(screen, which, limit)
    fn = screen._IndexBatchFn()
    fn.start_bundle()
    sent, passed = [], 0
    for block in blocks:
        for out in fn.process(pack(block)):
            if isinstance(out, beam.pvalue.TaggedOutput):
                queries = unpack_rows(out.value[1], PartyQuery)
                assert all(type(q) is PartyQuery for q in queries)
                sent += queries
            else:
                passed += 1
    fn.finish_bundle()
    return sent, passed


def test_a_bundle_works_a_recurring_party_objects_keys_out_once(monkeypatch):
    from transforms import screen

    calls = []
    real = screen.party_keys
    monkeypatch.setattr(screen, "party_keys", lambda *args: calls.append(args) or real(*args))
    bundle = Bundle()
    one, _ = index_batch(TXS, bundle=bundle)
    two, _ = index_batch(TXS, bundle=bundle)  # the same party objects again
    assert len(calls) == len({id(p) for tx in TXS for p in tx.parties})
    copies = [tx._replace(parties=tuple(p._replace() for p in tx.parties)) for tx in TXS]  # equal, not the same
    three, _ = index_batch(copies, bundle=bundle)
    assert list(one.keys) == list(two.keys) == list(three.keys) == list(index_batch(TXS)[0].keys)


def test_a_bundle_holds_the_party_objects_of_one_file_at_a_time():
    bundle = Bundle()
    first = [tx._replace(source_file="bank/a.csv") for tx in TXS]
    second = [tx._replace(source_file="bank/b.csv") for tx in TXS[:5]]
    index_batch(first[:10], bundle=bundle)
    index_batch(first[10:], bundle=bundle)  # the same file: its parties are kept
    assert set(bundle.parties) == {id(p) for tx in first for p in tx.parties}
    index_batch(second, bundle=bundle)  # another file: the first file's parties are let go
    assert set(bundle.parties) == {id(p) for tx in second for p in tx.parties}


def test_a_bundle_sends_each_distinct_query_once_and_every_block_on():
    blocks = [TXS[i : i + 8] for i in range(0, len(TXS), 8)]
    distinct = {q for tx in TXS for q in distinct_queries(tx)}
    sent, passed = _sent_queries(blocks)
    assert passed == len(blocks)
    assert sorted(sent, key=repr) == sorted(distinct, key=repr)  # each once, none missing
    per_block = sum(len({q for tx in b for q in distinct_queries(tx)}) for b in blocks)
    assert per_block > 2 * len(distinct)  # what the blocks would have sent without it


@pytest.mark.parametrize("which", ["SENT_LIMIT", "PARTY_LIMIT"])
def test_past_its_limit_a_bundle_forgets_what_it_sent_and_still_sends_every_query(monkeypatch, which):
    blocks = [TXS[i : i + 8] for i in range(0, len(TXS), 8)]
    distinct = {q for tx in TXS for q in distinct_queries(tx)}
    sent, _ = _sent_queries(blocks, limit=3, monkeypatch=monkeypatch, which=which)
    assert set(sent) == distinct and len(sent) > len(distinct)
