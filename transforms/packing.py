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
from typing import Any

import apache_beam as beam
import zstandard


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


def pack_rows(rows: list[tuple]) -> bytes:
    """Records (NamedTuples, nested at most one tuple deep) as one blob: marshalled as plain
    tuples when their values allow it, else pickled; `unpack_rows` gives the records back."""
    try:
        return b"M" + pack_plain([_plain(r) for r in rows])
    except ValueError:  # a value marshal does not take
        return b"P" + pack(rows)


def unpack_rows(blob: bytes, record: type) -> list:
    """The records of a `pack_rows` blob, as `record` (their nested tuples stay plain tuples)."""
    if blob[:1] == b"P":
        return unpack(blob[1:])
    new = tuple.__new__
    return [new(record, r) for r in unpack_plain(blob[1:])]


BLOCK_SIZE = 2048  # rows per block


class PackBlocks(beam.PTransform):
    """One element per row → packed blocks of up to `size` rows (what ScreenParties reads)."""

    def __init__(self, size: int = BLOCK_SIZE) -> None:
        super().__init__()
        if size < 1:
            raise ValueError(f"the block size must be at least 1, got {size}")
        self._size = size

    def expand(self, rows):
        return (rows
                | "Batch" >> beam.BatchElements(min_batch_size=self._size, max_batch_size=self._size)
                | "Pack" >> beam.Map(pack))  # fmt: skip


class UnpackBlocks(beam.PTransform):
    """Packed blocks → one element per row."""

    def expand(self, packed):
        return packed | "Unpack" >> beam.FlatMap(unpack)
