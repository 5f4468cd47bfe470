"""Watchlist specs (`format:PATH`) → loaded lists with a content version.

A list's version is the SHA-256 of its normalised content (the entries as canonical JSON,
sorted by id), so recompressing or reformatting a file does not change it, while any change
to a name, alias or identifier does.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import pickle
from typing import Callable, NamedTuple, Optional, Sequence

from schemas.records import WatchlistEntry
from watchlists.cache import NameKeys, cached_read, entries_from_json, name_keys_from_json
from watchlists.errors import WatchlistError

Reader = Callable[[str], list[WatchlistEntry]]


def _coalition(path: str) -> list[WatchlistEntry]:
    from watchlists.coalition import read_coalition

    return read_coalition(path)


def _ofac_xml(path: str) -> list[WatchlistEntry]:
    from watchlists.ofac_xml import read_ofac_xml

    return read_ofac_xml(path)


def _ofac_csv(path: str) -> list[WatchlistEntry]:
    from watchlists.ofac_csv import read_ofac_csv

    return read_ofac_csv(path)


def _eu_xml(path: str) -> list[WatchlistEntry]:
    from watchlists.eu_xml import read_eu_xml

    return read_eu_xml(path)


def _un_xml(path: str) -> list[WatchlistEntry]:
    from watchlists.un_xml import read_un_xml

    return read_un_xml(path)


def _uk_csv(path: str) -> list[WatchlistEntry]:
    from watchlists.uk_csv import read_uk_csv

    return read_uk_csv(path)


def _ftm(path: str) -> list[WatchlistEntry]:
    from watchlists.ftm import read_ftm

    return read_ftm(path)


def _opensanctions_csv(path: str) -> list[WatchlistEntry]:
    from watchlists.opensanctions_csv import read_opensanctions_csv

    return read_opensanctions_csv(path)


READERS: dict[str, Reader] = {
    "coalition": _coalition,
    "ofac-xml": _ofac_xml,
    "ofac-csv": _ofac_csv,
    "eu-xml": _eu_xml,
    "un-xml": _un_xml,
    "uk-csv": _uk_csv,
    "ftm": _ftm,
    "opensanctions-csv": _opensanctions_csv,
}


class Watchlist(NamedTuple):
    """One loaded list: where it came from, its content version and its entries."""

    spec: str
    format: str
    path: str
    version: str
    entries: tuple[WatchlistEntry, ...]
    name_keys: Optional[NameKeys] = None  # every listed name's key, when the list cache had them


def parse_spec(spec: str) -> tuple[str, str]:
    """'ofac-xml:/x/sdn_advanced.xml.bz2' → ('ofac-xml', '/x/sdn_advanced.xml.bz2')."""
    fmt, sep, path = spec.partition(":")
    if not sep or not path:
        raise ValueError(f"watchlist spec {spec!r} is not FORMAT:PATH (formats: {', '.join(READERS)})")
    if fmt not in READERS:
        raise ValueError(f"watchlist spec {spec!r}: unknown format {fmt!r} (formats: {', '.join(READERS)})")
    return fmt, path


def list_version(entries: Sequence[WatchlistEntry]) -> str:
    """SHA-256 over the entries as canonical JSON lines, in entry_id order."""
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: (e.list_source, e.entry_id)):
        digest.update(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def load_watchlist(spec: str) -> Watchlist:
    """Read and check one list; fail closed on a missing, unparseable or empty list."""
    fmt, path = parse_spec(spec)
    if not os.path.exists(path):
        raise WatchlistError(spec, f"file not found: {path}")
    try:
        entries, version, keys = cached_read(fmt, path, READERS[fmt], list_version)
    except WatchlistError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise WatchlistError(spec, f"cannot be read: {exc}") from exc
    if not entries:
        raise WatchlistError(spec, "the list has no entries")
    if not any(e.name.strip() for e in entries):
        raise WatchlistError(spec, "the list has no names")
    return Watchlist(spec, fmt, path, version, tuple(entries), keys)


def load_watchlists(specs: Sequence[str]) -> list[Watchlist]:
    """Load every list given; the first failure stops everything (nothing is screened)."""
    if not specs:
        raise ValueError("at least one --watchlist SPEC is required")
    return [load_watchlist(spec) for spec in specs]


# --- loaded lists as bytes, for the pipeline's workers ---

_MARSHAL, _PICKLE = b"M", b"P"


def lists_to_bytes(lists: Sequence[Watchlist]) -> bytes:
    """Loaded lists as marshalled plain tuples (`lists_from_bytes` gives them back, as the list
    cache reads its JSON: `entries_from_json`): pickling
    the OFAC list's 18,000 entries called back into Python for every NamedTuple, 0.65 s to
    write and 0.8 s to read, against 0.2 and 0.4 s. Pickled when a value is one marshal does
    not take."""
    try:
        return _MARSHAL + marshal.dumps([(
            tuple(wl[:4]),
            [(*e[:4], tuple(map(tuple, e.aliases)), tuple(e.countries), tuple(map(tuple, e.identifiers)), *e[7:])
             for e in wl.entries],
            None if wl.name_keys is None else [(n, None if k is None else tuple(k)) for n, k in wl.name_keys],
        ) for wl in lists])  # fmt: skip
    except ValueError:
        return _PICKLE + pickle.dumps(list(lists), protocol=pickle.HIGHEST_PROTOCOL)


def lists_from_bytes(data: bytes) -> list[Watchlist]:
    if data[:1] == _PICKLE:
        return pickle.loads(data[1:])
    return [Watchlist(spec, fmt, path, version, tuple(entries_from_json(entries)),
                      None if keys is None else name_keys_from_json(keys))
            for (spec, fmt, path, version), entries, keys in marshal.loads(data[1:])]  # fmt: skip
