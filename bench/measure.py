"""Measurements for `make bench`: a timed CLI run with the process tree's peak RSS, a
single-core profile of the stages on a sample, the naive baseline and the doubled list.

Plain functions; `run_bench.py` strings them together and writes the results.
"""

from __future__ import annotations

import gc
import os
import random
import subprocess
import threading
import time
from multiprocessing import get_context
from typing import Any, NamedTuple, Sequence

import pyarrow.parquet as pq
from rapidfuzz import fuzz, process, utils

from pipelines.inputs import discover_files
from schemas.records import Transaction
from transforms import gc_policy
from transforms.feeds import read_feed
from transforms.packing import BLOCK_SIZE
from transforms.parties import RunInfo
from transforms.read import parse_file
from transforms.screen import index_batch, join_alerts
from watchlists.matcher import Matcher, PartyQuery
from watchlists.spec import Watchlist, list_version

PAGE = os.sysconf("SC_PAGE_SIZE")


class Timed(NamedTuple):
    seconds: float
    peak_rss_mib: float  # sum over the process and all its descendants, sampled every 0.1 s
    exit_code: int


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and every descendant, from /proc."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    parents[int(name)] = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def timed_run(argv: Sequence[str], log_path: str) -> Timed:
    """Run a command, timing it and sampling the RSS of its process tree."""
    peak = 0
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(list(argv), stdout=log, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.1):
                peak = max(peak, _tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        done.set()
        sampler.join()
    return Timed(time.monotonic() - started, peak / 2**20, code)


# --- single-core profile of the stages on a sample -----------------------------------------


def sample_files(input_root: str, business_date: str, country: str):
    return discover_files(os.path.join(input_root, business_date), country, business_date)[0]


def profile_stages(files, lists: Sequence[Watchlist], threshold: float) -> tuple[dict[str, Any], list, set]:
    """Seconds each stage takes on one core for the given files, what it handled, the
    transactions and the distinct queries."""
    out: dict[str, Any] = {}
    t = time.perf_counter()
    read = [r for f in files for r in read_feed(f.path, f.context) if isinstance(r, Transaction)]
    out["read_s"] = time.perf_counter() - t
    t = time.perf_counter()
    txs = [r for f in files for r in parse_file(f) if isinstance(r, Transaction)]
    out["read_and_validate_s"] = time.perf_counter() - t
    out["transactions"] = len(txs)
    t = time.perf_counter()
    batches, queries = [], set()
    for start in range(0, len(txs), BLOCK_SIZE):
        batch, by_shard = index_batch(txs[start : start + BLOCK_SIZE])
        batches.append(batch)
        queries.update(q for group in by_shard.values() for q in group)
    out["party_queries_s"] = time.perf_counter() - t
    t = time.perf_counter()
    matcher = Matcher(lists, threshold=threshold)
    out["index_build_s"] = time.perf_counter() - t
    found = {}
    for kind in ("name", "identifiers", "text"):
        batch = [q for q in queries if getattr(q, kind)]
        t = time.perf_counter()
        found.update((q, m) for q, m in zip(batch, matcher.screen(batch)) if m)
        out[f"match_{kind}_s"] = time.perf_counter() - t
        out[f"distinct_{kind}_queries"] = len(batch)
    t = time.perf_counter()
    alerts = [a for batch in batches for a in join_alerts(batch, found, RunInfo("bench", "bench"))]
    out["join_s"] = time.perf_counter() - t
    out["alerts"] = len(alerts)
    out["read_rows"] = len(read)
    return out, txs, queries


def doubled(lists: Sequence[Watchlist]) -> list[Watchlist]:
    """The lists plus a renamed copy of every entry: twice the names, same length distribution."""
    shift = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                          "bcdefghijklmnopqrstuvwxyzaBCDEFGHIJKLMNOPQRSTUVWXYZA")  # fmt: skip
    copy = [e._replace(entry_id=f"{e.entry_id}-copy", name=e.name.translate(shift), identifiers=(),
                       aliases=tuple(a._replace(name=a.name.translate(shift)) for a in e.aliases))
            for wl in lists for e in wl.entries]  # fmt: skip
    return list(lists) + [Watchlist("copy:bench", "copy", "bench", list_version(copy), tuple(copy))]


def matching_seconds(lists: Sequence[Watchlist], queries: Sequence[PartyQuery], threshold: float) -> float:
    """Seconds to screen the queries, the index built first and kept out of the garbage
    collector's walks as the pipeline's matching stage keeps it (`gc_policy.freeze`): else
    every full collection walks the index, a doubled one twice as long, and that (not the
    matching) swung the doubled/single ratio between 1.0 and 1.5."""
    matcher = Matcher(lists, threshold=threshold)
    gc_policy.freeze()
    try:
        t = time.perf_counter()
        matcher.screen(list(queries))
        return time.perf_counter() - t
    finally:
        gc.unfreeze()  # this index is dropped after the timing; the next one is frozen afresh


def naive_seconds_per_tx(txs: Sequence[Transaction], lists: Sequence[Watchlist], sample: int,
                         seed: int = 1) -> tuple[float, int, int]:  # fmt: skip
    """Per transaction: `extractOne` of each party name over every listed name (choices processed once)."""
    names = [n for wl in lists for e in wl.entries for n in [e.name, *(a.name for a in e.aliases)]]
    choices = [utils.default_process(n) for n in names]
    picked = random.Random(seed).sample(list(txs), min(sample, len(txs)))
    calls = 0
    t = time.perf_counter()
    for tx in picked:
        for party in tx.parties:
            if party.name and party.name.strip():
                process.extractOne(utils.default_process(party.name), choices, scorer=fuzz.WRatio)
                calls += 1
    return (time.perf_counter() - t) / len(picked), len(picked), calls



# --- names per second on every core ---------------------------------------------------------

_FORKED: list[Matcher] = []  # the matcher forked workers inherit (built once, before the fork)


def _match_chunk(names: list[str]) -> tuple[int, float]:
    """(matches, CPU seconds this process spent on them)."""
    start = time.process_time()
    hits = sum(len(h) for h in _FORKED[0].match_names(names))
    return hits, time.process_time() - start


def names_per_second(matcher: Matcher, names: Sequence[str], workers: int) -> tuple[float, int, float]:
    """Wall-clock names/s of matching `names` split over `workers` processes forked after the
    index is built (as each Beam worker holds one index); with the matches and the CPU seconds."""
    _FORKED[:] = [matcher]
    names = list(names)
    size = max(1, -(-len(names) // (workers * 4)))
    chunks = [names[i : i + size] for i in range(0, len(names), size)]
    with get_context("fork").Pool(workers) as pool:
        pool.map(_match_chunk, [names[:10]] * workers)  # fork and warm up the workers
        started = time.perf_counter()
        results = pool.map(_match_chunk, chunks)
        elapsed = time.perf_counter() - started
    return len(names) / elapsed, sum(r[0] for r in results), sum(r[1] for r in results)


def party_names(output_root: str) -> list[str]:
    """The distinct party names a run wrote to its party store (every country)."""
    table = pq.read_table(os.path.join(output_root, "parties"), columns=["kind", "party_name"])
    return sorted({n for k, n in zip(table.column("kind").to_pylist(), table.column("party_name").to_pylist())
                   if k == "party" and n})  # fmt: skip
