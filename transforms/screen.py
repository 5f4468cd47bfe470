"""ScreenParties: distinct party queries → matches (once each) → alerts joined back.

Transactions arrive in packed blocks (transforms.packing: one Beam element per few thousand
rows, pickled and compressed once as a whole), so the runner's per-element cost and its
copies of the data between stages are paid per block. Indexing a block gives every
transaction's query keys (a stable 32-bit hash per query) and the block's distinct queries,
split into shards by that key; each shard's queries are de-duplicated across the whole run
and matched once, against an index built once per worker process (`Shared`). Only the
queries that fired come back, as a side input; a transaction is joined with them only when
one of its keys is among theirs, so the other transactions cost a set lookup.
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from array import array
from typing import Mapping, NamedTuple, Optional, Sequence

import apache_beam as beam
import numpy as np
import pyarrow as pa
from apache_beam.utils import shared

from schemas.records import Alert, Party, Transaction
from transforms import gc_policy, parties, validate
from transforms.packing import pack_rows, unpack_rows, unpack_transactions
from transforms.parties import RunInfo, make_alerts, party_queries, screened_text
from transforms.write import read_staging, write_staging
from watchlists import identifiers, normalize, scripts
from watchlists.matcher import Match, Matcher, PartyQuery
from watchlists.spec import Watchlist, lists_from_bytes, lists_to_bytes

SHARDS = 16  # groups the run's distinct queries are matched in (the unit of parallel matching)
QUERIES = "queries"  # the tagged output of the batch index: (shard, distinct queries)


def save_lists(lists: Sequence[Watchlist], path: str) -> None:
    """Write loaded lists for the workers, which build their index from this file once."""
    with gc_policy.paused():  # the plain tuples made on the way die with the call: nothing to collect
        data = lists_to_bytes(lists)
    with open(path, "wb") as f:
        f.write(data)


def load_matcher(path: str, threshold: float, workers: int = 1) -> Matcher:
    with open(path, "rb") as f, gc_policy.paused():
        lists = lists_from_bytes(f.read())
    return Matcher(lists, threshold=threshold, workers=workers)


@functools.lru_cache(maxsize=1 << 17)  # a query recurs in many blocks; repr() of it is the cost
def query_key(query: PartyQuery) -> int:
    """A 32-bit key that is the same in every worker process (unlike the salted `hash`)."""
    return zlib.crc32(repr(tuple(query)).encode())


class PartyKeys:
    """A party's queries (`party_queries`) and their keys, as `party_keys` caches them; `sent`
    is the last `Bundle` that handed them on (`index_batch`), so a bundle passes a recurring
    party by with one comparison instead of looking up each of its queries."""

    __slots__ = ("queries", "keys", "sent")

    def __init__(self, queries: tuple[PartyQuery, ...]) -> None:
        self.queries = queries
        self.keys = tuple(map(query_key, queries))
        self.sent: object = None


@functools.lru_cache(maxsize=1 << 16)  # as party_queries: counterparties recur across a day's rows
def party_keys(name: Optional[str], account: Optional[str], bic: Optional[str],
               crypto_address: Optional[str]) -> PartyKeys:  # fmt: skip
    """A party's queries and their keys (one object per party while it is cached)."""
    return PartyKeys(party_queries(name, account, bic, crypto_address))


# What reading and indexing a day's rows leave cached (per process): up to ~100 MB at 1M rows
ROW_CACHES = (query_key, party_keys, parties.party_queries, identifiers.party_identifiers, validate.iban_valid,
              normalize.name_key, normalize._legal_word, normalize._run_word, scripts.skeleton, scripts.skeletons)


def build_matcher(path: str, threshold: float, workers: int = 1) -> Matcher:
    """The index for a worker that is about to match: the row caches are emptied first, so
    the index and the stages after it reuse their memory instead of adding to the peak
    (on the local runner every file is read before any shard is matched). Only speed is at
    stake: a cache refills as it is used."""
    for cache in ROW_CACHES:
        cache.cache_clear()
    gc_policy.give_back()
    return load_matcher(path, threshold, workers)


class IndexedBatch(NamedTuple):
    """A batch's transactions with their query keys: transaction i has keys[ends[i-1]:ends[i]]."""

    transactions: list[Transaction]
    keys: array
    ends: array


class Bundle:
    """What `index_batch` remembers across the calls of one bundle: the token `PartyKeys.sent`
    is compared with (the bundle itself), and the keys of the current file's party objects, by
    identity. A reader gives one object per recurring party in a file (`feeds.common.pooled`),
    so a party met again costs a lookup by `id` instead of `party_keys`' hashing of its four
    fields (NL's 166,666 transactions at 1M: ~0.85 → ~0.6 s warm, ~1.2 → ~1.0 s cold). An
    entry holds its party, so no other object can have that id while it stands; the entries
    go when a batch of another file comes (kept for a whole bundle, they held every file's
    parties alive: the tree's peak at 1M rose by ~380 MiB)."""

    __slots__ = ("parties", "file")

    def __init__(self) -> None:
        self.parties: dict[int, tuple[Party, PartyKeys]] = {}
        self.file: Optional[tuple[str, str]] = None  # (country, source_file) of the parties held


def index_batch(txs: Sequence[Transaction], shards: int = SHARDS,
                bundle: Optional[Bundle] = None) -> tuple[IndexedBatch, dict[int, list[PartyQuery]]]:  # fmt: skip
    """The batch with its query keys, and its distinct queries grouped by shard (in the order
    first seen). The keys of `distinct_queries`, a party's at a time (this runs for every row).

    `bundle`: shared by the calls of one bundle. A party whose queries an earlier call with
    the same bundle handed on is left out of the shards (its keys are still listed): a party
    recurs in ~8 blocks, and looking each of its queries up again took a third of the
    indexing. Without one, every distinct query of the batch is in the shards."""
    bundle = Bundle() if bundle is None else bundle
    file = (txs[0].country, txs[0].source_file) if txs else None
    if file != bundle.file:
        bundle.parties.clear()
        bundle.file = file
    known = bundle.parties
    keys, ends = array("I"), array("I")
    fresh: dict[PartyQuery, int] = {}  # the distinct queries to hand on, and their keys
    texts: dict[str, int] = {}  # the batch's remittance texts and their keys
    for tx in txs:
        for party in tx.parties:
            entry = known.get(id(party))
            if entry is None:
                entry = known[id(party)] = (party, party_keys(party.name, party.account, party.bic,
                                                              party.crypto_address))  # fmt: skip
            found = entry[1]
            keys.extend(found.keys)
            if found.sent is not bundle:  # a race between two bundles only hands a party on twice
                found.sent = bundle
                fresh.update(zip(found.queries, found.keys))
        text = screened_text(tx)
        if text is not None:
            key = texts.get(text)
            if key is None:
                query = PartyQuery(text=text)
                key = texts[text] = fresh[query] = query_key(query)
            keys.append(key)
        ends.append(len(keys))
    by_shard: dict[int, list[PartyQuery]] = {}
    for query, key in fresh.items():
        by_shard.setdefault(key % shards, []).append(query)
    return IndexedBatch(list(txs), keys, ends), by_shard


def hit_positions(keys: bytes | array, ends: bytes | array, hits: set[int]) -> list[int]:
    """The positions of the transactions with a query key among `hits` (transaction i has
    keys[ends[i-1]:ends[i]]; both 32-bit unsigned, as arrays or their bytes). The block's keys
    that hit are found in one set operation, and their transactions by a search of the ends:
    a Python step per transaction took ~1 ms a block of 2,048."""
    every = np.frombuffer(keys, np.uint32)
    found = hits.intersection(every.tolist())
    if not found:
        return []
    at = np.flatnonzero(np.isin(every, np.fromiter(found, np.uint32, len(found))))
    return np.unique(np.searchsorted(np.frombuffer(ends, np.uint32), at, side="right")).tolist()


def join_alerts(batch: IndexedBatch, found: Mapping[PartyQuery, Sequence[Match]], run: RunInfo,
                hit_keys: Optional[set[int]] = None) -> list[Alert]:  # fmt: skip
    """The alerts of a batch: only transactions with a key among the fired queries' are joined."""
    hits = hit_keys if hit_keys is not None else {query_key(q) for q in found}
    return [a for i in hit_positions(batch.keys, batch.ends, hits) for a in make_alerts(batch.transactions[i], found, run)]


SENT_LIMIT = 500_000  # queries a worker remembers having sent in one bundle (then it starts afresh)
PARTY_LIMIT = 200_000  # party objects a bundle keeps the keys of (`Bundle`; then it starts afresh)


def store_block(folder: str, keys: Optional[dict[str, str]], country: str, blob: bytes) -> str:
    """A packed block as a one-cell staging file under `folder`/country=CC/ (`write.write_staging`:
    encrypted with the country's key when there are keys), named by its content (a retried
    bundle writes the same file); returns its path."""
    return write_staging(folder, keys, country, hashlib.sha1(blob).hexdigest(),
                         pa.table({"block": pa.array([blob], pa.binary())}))  # fmt: skip


def load_block(path: str, keys: Optional[dict[str, str]]) -> bytes:
    """The packed block `store_block` wrote to `path`."""
    return read_staging(path, keys).column("block")[0].as_py()


class _IndexBatchFn(beam.DoFn):
    """A block → (the block, its query keys, their ends); and (shard, packed queries) as QUERIES,
    each query once per bundle: counterparties recur across a day's blocks, and at 1M rows a
    worker's blocks held 4.5 times as many queries as it had distinct ones (packing, shuffling
    and unpacking the repeats cost ~3.5% of the run).

    With a `folder`, the block is stored there (`store_block`) and its path passes on instead:
    the runner holds the join's input until the matching is done, and while the join ran it
    held it several times over (its peak at 1M transactions went from ~660 to 389–406 MiB)."""

    def __init__(self, folder: Optional[str] = None, keys: Optional[dict[str, str]] = None) -> None:
        self._folder = folder
        self._keys = keys

    def start_bundle(self) -> None:
        self._forget()

    def _forget(self) -> None:
        """Remember no query as sent, and no party, under a new `Bundle` for this bundle's rest."""
        self._sent: set[PartyQuery] = set()
        self._bundle = Bundle()

    def process(self, blob):  # type: ignore[override]
        txs = unpack_transactions(blob)
        batch, by_shard = index_batch(txs, bundle=self._bundle)
        block = blob if self._folder is None else store_block(self._folder, self._keys, txs[0].country, blob)
        yield block, batch.keys.tobytes(), batch.ends.tobytes()
        if len(self._sent) > SENT_LIMIT or len(self._bundle.parties) > PARTY_LIMIT:
            self._forget()  # bounded memory: a repeat sent again is matched once all the same
        for shard, queries in sorted(by_shard.items()):  # one blob per shard, not one per query
            new = [q for q in queries if q not in self._sent]
            if new:
                self._sent.update(new)
                yield beam.pvalue.TaggedOutput(QUERIES, (shard, pack_rows(new, nested=False)))

    def finish_bundle(self) -> None:
        self._forget()


class _MatchFn(beam.DoFn):
    """Match one shard's distinct queries; the index is built once per worker process."""

    def __init__(self, lists_path: str, threshold: float, workers: int, handle: shared.Shared) -> None:
        self._lists_path = lists_path
        self._threshold = threshold
        self._workers = workers
        self._handle = handle

    def setup(self) -> None:
        gc_policy.relax()
        key = f"{self._lists_path}:{self._threshold}:{self._workers}"
        self._matcher = self._handle.acquire(
            lambda: build_matcher(self._lists_path, self._threshold, self._workers), tag=key
        )
        gc_policy.freeze()  # the index lives as long as the process

    def process(self, keyed):  # type: ignore[override]
        _, blobs = keyed
        with gc_policy.paused():  # the matcher's caches grow, and are frozen with the rest
            queries = list({q for blob in blobs for q in unpack_rows(blob, PartyQuery)})
            for query, matches in zip(queries, self._matcher.screen(queries)):
                if matches:
                    yield query, matches


class _JoinAlertsFn(beam.DoFn):
    def __init__(self, keys: Optional[dict[str, str]] = None) -> None:
        self._keys = keys

    def setup(self) -> None:
        gc_policy.relax()

    def start_bundle(self) -> None:
        self._found, self._hits = None, set()

    def process(self, indexed, found, run):  # type: ignore[override]
        if found is not self._found:  # the side input, once per bundle
            self._found, self._hits = found, {query_key(q) for q in found}
        block, keys, ends = indexed
        positions = hit_positions(keys, ends, self._hits)
        if not positions:
            return  # nothing in this block fired: it is not even read
        blob = block if isinstance(block, bytes) else load_block(block, self._keys)
        for tx in unpack_transactions(blob, positions):  # only the transactions that fired are built
            yield from make_alerts(tx, found, run)


class ScreenParties(beam.PTransform):
    """Screen every distinct party of the transactions (packed blocks) once, then emit Alert rows.
    `blocks_folder`: where the blocks wait for the join (the run's staging folder, which every
    worker must reach; None: they wait in the runner), encrypted with `keys` when given."""

    def __init__(self, lists_path: str, threshold: float, run: RunInfo, workers: int = 1,
                 blocks_folder: Optional[str] = None, keys: Optional[dict[str, str]] = None) -> None:  # fmt: skip
        super().__init__()
        if not 0 < threshold <= 100:
            raise ValueError(f"threshold must be in (0, 100], got {threshold}")
        self._lists_path = lists_path
        self._threshold = threshold
        self._run = run
        self._workers = workers
        self._blocks_folder = blocks_folder
        self._keys = keys

    def expand(self, blocks):
        indexed = (
            blocks
            | "IndexBlocks" >> beam.ParDo(_IndexBatchFn(self._blocks_folder, self._keys)).with_outputs(
                QUERIES, main="batches")
        )
        matches = (
            indexed[QUERIES]
            | "GroupShards" >> beam.GroupByKey()
            | "MatchShards" >> beam.ParDo(_MatchFn(self._lists_path, self._threshold, self._workers, shared.Shared()))
        )
        return indexed.batches | "JoinBackAlerts" >> beam.ParDo(_JoinAlertsFn(self._keys), beam.pvalue.AsDict(matches),
                                                                 self._run)  # fmt: skip
