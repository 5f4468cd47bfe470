"""Fail-closed checks of loaded watchlists against pins and the previous run's record.

A list that shrank sharply since the last run, or whose checksum differs from the one the
operator pinned, is more likely a broken download than a real delisting: the run stops
(exit 1) unless the operator accepts the change explicitly.
"""

from __future__ import annotations

import hashlib
import os
from typing import Mapping, NamedTuple, Optional, Sequence

from watchlists.spec import Watchlist

DEFAULT_MAX_ENTRY_DROP = 0.30


class ListRecord(NamedTuple):
    """What a run remembers of a list it screened against."""

    version: str
    entries: int
    business_date: str


class ListProblem(NamedTuple):
    spec: str
    reason: str
    acceptable: bool  # True if --accept-list-change may override it


def file_sha256(path: str) -> str:
    """SHA-256 of a list file's bytes (or of every file in a list folder, in name order)."""
    digest = hashlib.sha256()
    paths = [os.path.join(path, n) for n in sorted(os.listdir(path))] if os.path.isdir(path) else [path]
    for p in paths:
        if os.path.isfile(p):
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def check_lists(
    lists: Sequence[Watchlist],
    previous: Mapping[str, ListRecord],
    pins: Mapping[str, str],
    max_entry_drop: float = DEFAULT_MAX_ENTRY_DROP,
) -> list[ListProblem]:
    """Every reason not to trust a list; an empty result means all lists may be used."""
    problems = []
    for wl in lists:
        pin = pins.get(wl.spec)
        if pin is not None and pin.lower() not in (wl.version, file_sha256(wl.path)):
            problems.append(ListProblem(wl.spec, f"SHA-256 does not match the pinned value {pin}", False))
        before: Optional[ListRecord] = previous.get(wl.spec)
        if before is not None and before.entries > 0:
            drop = (before.entries - len(wl.entries)) / before.entries
            if drop > max_entry_drop:
                problems.append(ListProblem(
                    wl.spec,
                    f"entry count fell by {drop:.0%} ({before.entries} → {len(wl.entries)}) since the version "
                    f"used on {before.business_date}; more than the allowed {max_entry_drop:.0%}",
                    True,
                ))  # fmt: skip
    return problems
