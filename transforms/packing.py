"""What crosses a stage boundary as one element: a pickled, zstd-compressed blob.

Rows travel between Beam stages in blocks (one element per batch or per country and bundle),
so the runner's per-element cost is paid per block and the copies it keeps are a third the
size of the pickles. Data made only of plain tuples, lists, strings, numbers and None goes
with `pack_plain` (marshal) instead: pickling a NamedTuple calls back into Python for every
row, and in a profile of the 1M-row bench pickling and unpickling took a third of the
workers' time.
"""

from __future__ import annotations

import marshal
import pickle
import threading
from collections.abc import Sequence
from typing import Any, Optional

import apache_beam as beam
import zstandard

from schemas.records import Party, Transaction


def pack(obj: object) -> bytes:
    """One pickled, zstd-compressed blob. The blob and `obj` are remembered (per thread), so
    `unpack` of this very blob object gives `obj` back without unpickling: a consumer fused
    into the producer's stage gets the object the producer emitted (the reader's blocks go
    to the screening index and the party store in the reader's own stage)."""
    blob = zstandard.ZstdCompressor(level=1).compress(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    _LAST.blob, _LAST.value = blob, obj
    return blob


_LAST = threading.local()  # per thread: the blob packed or unpacked last, and what it holds


def unpack(blob: bytes) -> Any:
    """What `pack` packed. Consumers fused into one stage with each other (the screening
    index and the party store) or with the producer get the very same blob object: then the
    rows already made are given instead of unpickling them again. Treat the result as
    read-only."""
    if getattr(_LAST, "blob", None) is blob:
        return _LAST.value
    value = pickle.loads(zstandard.ZstdDecompressor().decompress(blob))
    _LAST.blob, _LAST.value = blob, value
    return value


def pack_plain(obj: object) -> bytes:
    """`pack` for plain data (tuples, lists, dicts, str, bytes, numbers, None; no NamedTuple):
    marshal, about twice as fast as pickle both ways. ValueError for anything else."""
    return zstandard.ZstdCompressor(level=1).compress(marshal.dumps(obj))


def unpack_plain(blob: bytes) -> Any:
    return marshal.loads(zstandard.ZstdDecompressor().decompress(blob))


def _plain(row: tuple) -> tuple:
    """A record as a plain tuple, its tuple fields (a Transaction's parties, a PartyRow's
    occurrences) as plain tuples of plain tuples."""
    return tuple([tuple([tuple(x) if isinstance(x, tuple) else x for x in v]) if isinstance(v, tuple) else v
                  for v in row])  # fmt: skip


def pack_rows(rows: list[tuple], nested: bool = True) -> bytes:
    """Records (NamedTuples, nested at most one tuple deep) as one blob: marshalled as plain
    tuples when their values allow it, else pickled; `unpack_rows` gives the records back.
    `nested=False` for records that hold no record, only plain values and tuples (PartyQuery):
    each is then only made a plain tuple (a worker's queries for the matching: packed and
    unpacked in 0.17 s where pickle took 0.30 s and the nested walk 0.24 s)."""
    try:
        return b"M" + pack_plain([_plain(r) for r in rows] if nested else [tuple(r) for r in rows])
    except ValueError:  # a value marshal does not take
        return b"P" + pack(rows)


def unpack_rows(blob: bytes, record: type) -> list:
    """The records of a `pack_rows` blob, as `record` (their nested tuples stay plain tuples)."""
    if blob[:1] == b"P":
        return unpack(blob[1:])
    new = tuple.__new__
    return [new(record, r) for r in unpack_plain(blob[1:])]


# --- blocks of transactions ---

TX_PARTIES = 9  # Transaction.parties: the one field that holds records
_TX_BLOCK = b"T"  # what a `pack_transactions` blob starts with (a zstd frame never does)
_LAST_BLOCK = threading.local()  # per thread: the block of transactions packed or unpacked last


def pack_transactions(txs: Sequence[Transaction]) -> bytes:
    """A block of Transactions as one blob: every row marshalled on its own, its parties as
    plain tuples inside it, so `unpack_transactions` can build a few rows without reading the
    others (the alert join wants ~2% of a block's rows: NL's 83 blocks at 1M transactions,
    40 rows each, took 0.23 s as one marshalled whole and 0.05 s this way). A block's parties
    are nearly all distinct (3,900 of 4,100 in NL's): listing each once and naming it by
    number from its rows made packing slower (0.64 s for NL, 0.54 s so) and the blob larger.
    About twice as fast as `pack` (pickle calls back into Python for every NamedTuple).
    Remembered as `pack` remembers, apart from it (a consumer that packs something else in
    between, as the screening index does before the party store gets the same block, does not
    make the next one rebuild it); pickled as `pack` does when a value is one marshal does not
    take, or a row is no Transaction."""
    dumps = marshal.dumps
    rows: list[bytes] = []
    try:
        for tx in txs:
            if type(tx) is not Transaction:
                return pack(list(txs))
            rows.append(dumps((tx[:TX_PARTIES], tuple(map(tuple, tx[TX_PARTIES])), tx[TX_PARTIES + 1 :])))
    except ValueError:  # a value marshal does not take
        return pack(list(txs))
    blob = _TX_BLOCK + pack_plain(rows)
    _LAST_BLOCK.blob, _LAST_BLOCK.value = blob, txs
    return blob


def unpack_transactions(blob: bytes, positions: Optional[Sequence[int]] = None) -> list[Transaction]:
    """The Transactions of a `pack_transactions` (or `pack`) blob; with `positions`, only the
    rows at those positions, in that order (the others are never read). Treat as read-only."""
    if getattr(_LAST_BLOCK, "blob", None) is blob:
        txs = _LAST_BLOCK.value
        return txs if positions is None else [txs[i] for i in positions]
    if blob[:1] != _TX_BLOCK:
        txs = unpack(blob)
        return txs if positions is None else [txs[i] for i in positions]
    rows = unpack_plain(blob[1:])
    loads, new = marshal.loads, tuple.__new__
    out = []
    for i in range(len(rows)) if positions is None else positions:
        head, parties, tail = loads(rows[i])
        out.append(new(Transaction, head + (tuple([new(Party, p) for p in parties]),) + tail))
    if positions is None:
        _LAST_BLOCK.blob, _LAST_BLOCK.value = blob, out
    return out


BLOCK_SIZE = 2048  # rows per block


class PackBlocks(beam.PTransform):
    """One Transaction per element → packed blocks of up to `size` rows (what ScreenParties reads)."""

    def __init__(self, size: int = BLOCK_SIZE) -> None:
        super().__init__()
        if size < 1:
            raise ValueError(f"the block size must be at least 1, got {size}")
        self._size = size

    def expand(self, rows):
        return (rows
                | "Batch" >> beam.BatchElements(min_batch_size=self._size, max_batch_size=self._size)
                | "Pack" >> beam.Map(pack_transactions))  # fmt: skip


class UnpackBlocks(beam.PTransform):
    """Packed blocks → one Transaction per element."""

    def expand(self, packed):
        return packed | "Unpack" >> beam.FlatMap(unpack_transactions)
