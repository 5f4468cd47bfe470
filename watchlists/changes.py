"""What changed between two versions of a list: per-entry fingerprints and the entries worth re-screening.

A list version (watchlists.spec.list_version) hashes all entries together; here each entry gets
its own SHA-256 of the same canonical JSON, so an added alias, a new IMO number or a new entry
shows up as a changed or added fingerprint. Removed entries cannot fire, so they are not returned.
"""

from __future__ import annotations

import hashlib
import json
from typing import Iterable, Mapping, Sequence

from schemas.lookback import ListEntryFingerprint
from schemas.records import WatchlistEntry
from watchlists.matcher import MIN_FUZZY_LENGTH
from watchlists.normalize import name_key
from watchlists.scoring import TokenWeights
from watchlists.spec import Watchlist

EntryKey = tuple[str, str]  # (list_source, entry_id)


def entry_fingerprint(entry: WatchlistEntry) -> str:
    """SHA-256 of one entry as canonical JSON (the form list_version hashes)."""
    return hashlib.sha256(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def fingerprints(entries: Iterable[WatchlistEntry]) -> list[ListEntryFingerprint]:
    """One fingerprint per entry, in (list_source, entry_id) order."""
    rows = [ListEntryFingerprint(e.list_source, e.entry_id, entry_fingerprint(e)) for e in entries]
    return sorted(rows, key=lambda r: (r.list_source, r.entry_id, r.fingerprint))


def changed_entries(previous: Mapping[EntryKey, str], entries: Iterable[WatchlistEntry]) -> list[WatchlistEntry]:
    """Entries that are new or whose content differs from `previous` ((list_source, entry_id) → fingerprint)."""
    return [e for e in entries if previous.get((e.list_source, e.entry_id)) != entry_fingerprint(e)]


def name_weights(lists: Sequence[Watchlist]) -> TokenWeights:
    """The word weights a Matcher over `lists` uses (its fuzzy name cores), without building the index.

    A Matcher over only the changed entries, given these weights, scores a name exactly as a
    Matcher over the full lists does.
    """
    cores = []
    for wl in lists:
        for entry in wl.entries:
            seen: set[str] = set()
            for listed_name in [entry.name] + [a.name for a in entry.aliases if not a.weak]:
                key = name_key(listed_name)
                if key is None or key.core in seen:
                    continue
                seen.add(key.core)
                if len(key.core) >= MIN_FUZZY_LENGTH:
                    cores.append(key.core)
    return TokenWeights(cores)
