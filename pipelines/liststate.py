"""The record of list versions kept in the output root, for the fail-closed list checks."""

from __future__ import annotations

import json
import os
from typing import Sequence, TextIO

from pipelines.commit import write_json_atomic
from watchlists.integrity import ListRecord, check_lists
from watchlists.spec import Watchlist

STATE_FILE = os.path.join("watchlists", "state.json")


def load_list_state(output_root: str) -> dict[str, ListRecord]:
    path = os.path.join(output_root, STATE_FILE)
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return {spec: ListRecord(r["version"], int(r["entries"]), r["business_date"]) for spec, r in data.items()}


def save_list_state(output_root: str, lists: Sequence[Watchlist], business_date: str) -> None:
    """Remember each list's version; a list already recorded at that version is left as it was."""
    old = load_list_state(output_root)
    state = {spec: rec._asdict() for spec, rec in old.items()}
    for wl in lists:
        if wl.spec not in old or old[wl.spec].version != wl.version:
            state[wl.spec] = ListRecord(wl.version, len(wl.entries), business_date)._asdict()
    if state != {spec: rec._asdict() for spec, rec in old.items()}:
        write_json_atomic(os.path.join(output_root, STATE_FILE), state)


def guard_lists(output_root: str, lists: Sequence[Watchlist], pins: dict[str, str], max_drop: float,
                accept_change: bool, err: TextIO) -> list[str] | None:  # fmt: skip
    """None if a list must not be used (reasons printed); else the changes accepted by flag."""
    problems = check_lists(lists, load_list_state(output_root), pins, max_drop)
    blocking = [p for p in problems if not (p.acceptable and accept_change)]
    for p in blocking:
        hint = " (rerun with --accept-list-change if the change is real)" if p.acceptable else ""
        print(f"fiu-screen run: FATAL watchlist {p.spec}: {p.reason}{hint}; nothing written", file=err)
    if blocking:
        return None
    return [f"{p.spec}: {p.reason}" for p in problems]
