"""What crosses a stage boundary as one element: a pickled, zstd-compressed blob.

Rows travel between Beam stages in blocks (one element per batch or per country and bundle),
so the runner's per-element cost is paid per block and the copies it keeps are a third the
size of the pickles.
"""

from __future__ import annotations

import pickle
from typing import Any

import apache_beam as beam
import zstandard


def pack(obj: object) -> bytes:
    """One pickled, zstd-compressed blob."""
    return zstandard.ZstdCompressor(level=1).compress(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def unpack(blob: bytes) -> Any:
    return pickle.loads(zstandard.ZstdDecompressor().decompress(blob))


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
