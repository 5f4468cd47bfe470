"""ScreenParties: distinct party queries → matches (once each) → alerts joined back."""

from __future__ import annotations

import pickle
from typing import Sequence

import apache_beam as beam
from apache_beam.utils import shared

from transforms.parties import RunInfo, distinct_queries, make_alerts
from watchlists.matcher import Matcher, PartyQuery
from watchlists.spec import Watchlist


def save_lists(lists: Sequence[Watchlist], path: str) -> None:
    """Write loaded lists for the workers, which build their index from this file once."""
    with open(path, "wb") as f:
        pickle.dump(list(lists), f, protocol=pickle.HIGHEST_PROTOCOL)


def load_matcher(path: str, threshold: float, workers: int = 1) -> Matcher:
    with open(path, "rb") as f:
        lists = pickle.load(f)
    return Matcher(lists, threshold=threshold, workers=workers)


class _MatchFn(beam.DoFn):
    """Match a batch of distinct queries; the index is built once per worker process."""

    def __init__(self, lists_path: str, threshold: float, workers: int, handle: shared.Shared) -> None:
        self._lists_path = lists_path
        self._threshold = threshold
        self._workers = workers
        self._handle = handle

    def setup(self) -> None:
        key = f"{self._lists_path}:{self._threshold}"
        self._matcher = self._handle.acquire(
            lambda: load_matcher(self._lists_path, self._threshold, self._workers), tag=key
        )

    def process(self, batch):  # type: ignore[override]
        queries = [PartyQuery(*q) for q in batch]
        for query, matches in zip(queries, self._matcher.screen(queries)):
            if matches:
                yield tuple(query), matches


class ScreenParties(beam.PTransform):
    """Screen every distinct party of the transactions once, then emit Alert rows."""

    def __init__(self, lists_path: str, threshold: float, run: RunInfo, workers: int = 1) -> None:
        super().__init__()
        if not 0 < threshold <= 100:
            raise ValueError(f"threshold must be in (0, 100], got {threshold}")
        self._lists_path = lists_path
        self._threshold = threshold
        self._run = run
        self._workers = workers

    def expand(self, transactions):
        matches = (
            transactions
            | "PartyQueries" >> beam.FlatMap(lambda tx: [tuple(q) for q in distinct_queries(tx)])
            | "DistinctQueries" >> beam.Distinct()
            | "BatchQueries" >> beam.BatchElements(min_batch_size=64, max_batch_size=4096)
            | "MatchQueries" >> beam.ParDo(_MatchFn(self._lists_path, self._threshold, self._workers, shared.Shared()))
        )
        return transactions | "JoinBackAlerts" >> beam.FlatMap(
            lambda tx, found, run: make_alerts(tx, found, run), beam.pvalue.AsDict(matches), self._run
        )
