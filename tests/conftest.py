"""Shared test helpers: small hand-built watchlists and paths to the fixtures."""

from __future__ import annotations

import os
import tempfile

import pytest

from schemas.records import Alias, Identifier, WatchlistEntry
from watchlists.spec import Watchlist, list_version

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# Parsed lists are cached for the session in a folder of its own (never the user's ~/.cache);
# the subprocesses the CLI tests start inherit it. tests/watchlists/test_cache.py checks the cache.
os.environ.setdefault("FIU_SCREEN_CACHE", tempfile.mkdtemp(prefix="fiu-screen-test-cache-"))


def make_list(entries: list[WatchlistEntry], spec: str = "coalition:test.csv") -> Watchlist:
    return Watchlist(spec, spec.split(":")[0], spec.split(":", 1)[1], list_version(entries), tuple(entries))


@pytest.fixture
def coalition_entries() -> list[WatchlistEntry]:
    return [
        WatchlistEntry("C-001", "coalition", "organization", "Noordzee Bulk Shipping BV",
                       (Alias("Noordzee Bulk"), Alias("NZB Shipping")), ("NL",)),
        WatchlistEntry("C-002", "coalition", "vessel", "Marea Azul", (Alias("MV Marea Azul"),), ("PA",),
                       (Identifier("imo", "9187629"),)),
        WatchlistEntry("C-003", "coalition", "organization", "Transportes Rapidos del Sur SL", (), ("ES",),
                       (Identifier("crypto_address", "0x8589427373d6d84e98730d7795d8f6f8731fda16", "evm"),)),
        WatchlistEntry("C-004", "coalition", "organization", "Baltic Reefer Lines Ltd",
                       (Alias("BRL", weak=True),), ("CY",)),
    ]  # fmt: skip
