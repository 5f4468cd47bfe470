"""Memory housekeeping in a process that screens: how often the garbage collector runs, and
handing freed memory back to the operating system.

The rows this pipeline makes (tuples, strings, XML elements) form no reference cycles, so
reference counting frees them; the cyclic collector only walks them. With CPython's default
thresholds (a young collection every 700 allocations) it walked them often enough to take a
quarter to a third of the time a pacs.008 file took to read, and every full collection also
walks the matcher's index (1.4 million objects). `relax()` makes young collections rarer;
`freeze()` moves what is alive now (modules, the index) out of the collector's walks for good.
Cycles are still collected, only less often.

`give_back()` returns freed memory to the operating system after a large step: Arrow's memory
pool and glibc's heap both keep freed blocks for reuse, so without it a worker's RSS stays at
the high-water mark of its largest file for the rest of the run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
from typing import Any, Optional

import pyarrow as pa

YOUNG_THRESHOLD = 50_000  # allocations between young collections (CPython's default: 700)
_LOCK = threading.Lock()
_RELAXED: list[bool] = []


def relax() -> None:
    """Once per process (any later call does nothing): rarer young collections, and the objects
    alive now (imported modules, Beam's own) frozen out of the walks."""
    with _LOCK:
        if _RELAXED:
            return
        _RELAXED.append(True)
        young, older, oldest = gc.get_threshold()
        gc.set_threshold(max(YOUNG_THRESHOLD, young), older, oldest)
        gc.freeze()


def _malloc_trim() -> Optional[Any]:
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def give_back() -> None:
    """Hand the memory freed since the last call back to the operating system."""
    gc.collect(0)
    pa.default_memory_pool().release_unused()
    if _TRIM is not None:
        _TRIM(0)


def freeze() -> None:
    """After building something that lives as long as the process (the matcher's index): no
    collection walks the objects alive now again."""
    gc.freeze()
