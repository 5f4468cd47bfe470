"""How often the garbage collector runs in a process that screens.

The rows this pipeline makes (tuples, strings, XML elements) form no reference cycles, so
reference counting frees them; the cyclic collector only walks them. With CPython's default
thresholds (a young collection every 700 allocations) it walked them often enough to take a
quarter to a third of the time a pacs.008 file took to read, and every full collection also
walks the matcher's index (1.2 million objects; about 0.3 s a walk). `relax()` makes young
collections rarer; `freeze()` moves what is alive now (modules, the index) out of the
collector's walks for good. Cycles are still collected, only less often.
"""

from __future__ import annotations

import gc
import threading

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
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(max(YOUNG_THRESHOLD, gc.get_threshold()[0]), older, oldest)
        gc.freeze()


def freeze() -> None:
    """After building something that lives as long as the process (the matcher's index): no
    collection walks the objects alive now again."""
    gc.freeze()
