"""Errors raised while loading watchlists."""

from __future__ import annotations


class WatchlistError(Exception):
    """A watchlist cannot be used: it does not parse, is empty, or fails an integrity check.

    The message names the list (its spec or path) and the reason; the run then exits 1 and
    writes nothing (fail closed).
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"watchlist {source}: {reason}")
        self.source = source
        self.reason = reason
