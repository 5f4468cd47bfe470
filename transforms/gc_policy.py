"""Memory housekeeping in a process that screens: how often the garbage collector runs, and
handing freed memory back to the operating system.

The rows this pipeline makes (tuples, strings, XML elements) form no reference cycles, so
reference counting frees them; the cyclic collector only walks them. With CPython's default
thresholds (a young collection every 700 allocations) it walked them often enough to take a
quarter to a third of the time a pacs.008 file took to read, and every full collection also
walks the matcher's index (1.4 million objects). `relax()` makes young collections rarer;
`freeze()` moves what is alive now (modules, the index) out of the collector's walks for good.
Cycles are still collected, only less often, except those made inside `paused()`.

`give_back()` returns freed memory to the operating system after a large step: Arrow's memory
pool and glibc's heap both keep freed blocks for reuse, so without it a worker's RSS stays at
the high-water mark of its largest file for the rest of the run.

`limit_arenas()` caps glibc's malloc arenas for this process and the worker processes it
starts. glibc gives each thread that allocates at the same time as another its own arena (up
to eight per core), and Beam's runner and workers run many gRPC and bundle threads: each
arena keeps its own freed memory, which no other thread reuses. On the 1M-transaction run
two arenas took the tree's peak from 3,270–3,321 to 2,730–2,976 MiB (five runs) at the same
speed.

`arrow_on_malloc()` has Arrow allocate from glibc's malloc (its "system" pool) in this process
and the worker processes it starts, instead of the mimalloc pool pyarrow's wheels default to:
mimalloc keeps freed pages for reuse, so each country's party store (~130 MB of Arrow at its
peak, freed when written) stayed in the worker's RSS. On the 1M-transaction run the tree's
peak went from 2,227–2,253 to 2,129–2,218 MiB (four and five runs), as fast within the
machine's drift.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Optional

ARENAS = 2  # glibc malloc arenas per process (glibc's default for threaded processes: 8 per core)
ARENA_ENV = "MALLOC_ARENA_MAX"  # read by glibc when a process starts
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"  # read by pyarrow when its default pool is first used
_M_ARENA_MAX = -8  # mallopt's parameter number for it (malloc.h)
YOUNG_THRESHOLD = 50_000  # allocations between young collections (CPython's default: 700)
_LOCK = threading.Lock()
_RELAXED: list[bool] = []
_PAUSES = [0, False]  # threads inside `paused()`; whether the collector was on when the first came in


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


def _glibc(name: str) -> Optional[Any]:
    """A glibc function, or None where the C library has none of that name (musl, macOS)."""
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None


_TRIM = _glibc("malloc_trim")
_MALLOPT = _glibc("mallopt")


def arrow_on_malloc() -> None:
    """Arrow's default memory pool is glibc's malloc here (unless Arrow was used already) and in
    every process started from here. A pool already named in the environment is the operator's
    and stands."""
    os.environ.setdefault(ARROW_POOL_ENV, "system")


def limit_arenas(arenas: int = ARENAS) -> None:
    """At most `arenas` malloc arenas here (from now on) and in every process started from here
    (`MALLOC_ARENA_MAX`). A value already in the environment is the operator's and stands."""
    if arenas < 1:
        raise ValueError(f"arenas must be at least 1, got {arenas}")
    if ARENA_ENV in os.environ:
        return  # glibc read it when this process started
    os.environ[ARENA_ENV] = str(arenas)
    if _MALLOPT is not None:
        _MALLOPT(_M_ARENA_MAX, arenas)


def give_back() -> None:
    """Hand the memory freed since the last call back to the operating system."""
    import pyarrow as pa  # here, not at the top: the CLI imports this module for every command

    gc.collect(0)
    pa.default_memory_pool().release_unused()
    if _TRIM is not None:
        _TRIM(0)


def freeze() -> None:
    """After building something that lives as long as the process (the matcher's index): no
    collection walks the objects alive now again."""
    gc.freeze()


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection while a file's rows are made and passed on (in every thread: the
    collector is the process's): they die by reference count as each block is packed, and a
    collection would only have walked them (at 1M transactions young collections took ~1.9 s
    of each worker's ~60).

    When the last pause ends, what it left alive is frozen (`gc.freeze`) instead of walked:
    the row caches (each party's queries and keys, ~370,000 objects per country at 1M
    transactions) live until the matching, and the collections after each file walked them
    again and again: 1.7–1.9 s of each worker's CPU at 1M transactions, 0.2 s with the
    freeze. The price is that cycles made inside a pause are never collected: a file leaves
    130–360 small objects in cycles (great-expectations' closures, no data; measured)."""
    with _LOCK:
        if not _PAUSES[0]:
            _PAUSES[1] = gc.isenabled()
            gc.disable()
        _PAUSES[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _PAUSES[0] -= 1
            if not _PAUSES[0] and _PAUSES[1]:
                gc.freeze()  # what the pause left alive: see above
                gc.enable()
