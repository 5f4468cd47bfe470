"""What crosses a stage boundary as one element: a pickled, zstd-compressed blob.

Rows travel between Beam stages in blocks (one element per batch or per country and bundle),
so the runner's per-element cost is paid per block and the copies it keeps are a third the
size of the pickles.
"""

from __future__ import annotations

import pickle
from typing import Any

import zstandard


def pack(obj: object) -> bytes:
    """One pickled, zstd-compressed blob."""
    return zstandard.ZstdCompressor(level=1).compress(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def unpack(blob: bytes) -> Any:
    return pickle.loads(zstandard.ZstdDecompressor().decompress(blob))
