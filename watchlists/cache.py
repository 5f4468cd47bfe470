"""Parsed lists kept on disk, so a large list file is parsed once, not on every run.

Parsing the bundled OFAC advanced XML takes about 10 s, on one core, before any transaction is
screened; its 18,000 entries load back from JSON in about 0.2 s. An entry in the cache is
found by the SHA-256 of the list file, its format and a fingerprint of the code that reads
lists (every module of this package and the record types), so a new list file or a changed
reader is parsed afresh. It holds the entries as JSON (never pickle: a cache folder must not
be a way to run code) with their content version, which is checked on load: an entry that is
unreadable or does not match is ignored and written again. Beside the entries it keeps every
listed name's key (`normalize.name_key`): a list is prepared for screening once per version,
not in every process that builds an index (the OFAC list's 48,000 names took ~1.1 s of each
worker's index build).

Where: $FIU_SCREEN_CACHE, else $XDG_CACHE_HOME/fiu-screen/lists, else ~/.cache/fiu-screen/lists;
FIU_SCREEN_CACHE=off turns it off. Files under MIN_BYTES are always parsed (it would not pay).
A folder that cannot be written only costs the parse.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import logging
import os
import tempfile
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Optional, Sequence

from schemas.records import Alias, Identifier, WatchlistEntry
from watchlists.normalize import NameKey, name_key

CACHE_ENV = "FIU_SCREEN_CACHE"
MIN_BYTES = 1 << 20
_LOG = logging.getLogger(__name__)


def cache_dir() -> Optional[str]:
    """The cache folder, or None when turned off."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return None if value.strip().lower() in ("", "off", "0", "no") else value
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "fiu-screen", "lists")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over the source of every list reader and of the record types."""
    here = os.path.dirname(os.path.abspath(__file__))
    sources = sorted(os.path.join(here, n) for n in os.listdir(here) if n.endswith(".py"))
    sources.append(os.path.join(os.path.dirname(here), "schemas", "records.py"))
    digest = hashlib.sha256()
    for source in sources:
        with open(source, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def entries_from_json(rows: Any) -> list[WatchlistEntry]:
    """Entries from their JSON form (each NamedTuple a list); TypeError/ValueError when malformed."""
    out = []
    for row in rows:
        entry = WatchlistEntry(*row)
        out.append(entry._replace(
            aliases=tuple(Alias(*a) for a in entry.aliases), countries=tuple(entry.countries),
            identifiers=tuple(Identifier(*i) for i in entry.identifiers), programs=tuple(entry.programs)))  # fmt: skip
    return out


NameKeys = tuple[tuple[str, Optional[NameKey]], ...]  # (listed name, its key), each name once


class CachedList(NamedTuple):
    entries: list[WatchlistEntry]
    version: str
    name_keys: Optional[NameKeys]  # None when the list was not cached (it is small, or the cache is off)


def listed_names(entries: Iterable[WatchlistEntry]) -> list[str]:
    """Every name and alias of the entries, each once, in order."""
    return list(dict.fromkeys(n for e in entries for n in (e.name, *(a.name for a in e.aliases))))


def name_keys(entries: Sequence[WatchlistEntry]) -> NameKeys:
    return tuple((name, name_key(name)) for name in listed_names(entries))


def name_keys_from_json(rows: Any) -> NameKeys:
    """Names' keys from their JSON form (each NameKey a list, or null)."""
    return tuple((name, None if key is None else NameKey(*key)) for name, key in rows)


def cached_read(fmt: str, path: str, read: Callable[[str], list[WatchlistEntry]],
                version: Callable[[list[WatchlistEntry]], str]) -> CachedList:  # fmt: skip
    """`read(path)`, its `version` and its names' keys, or what a former read of the same file
    left in the cache (the version checked against the one stored beside it)."""
    folder = cache_dir()
    if folder is None or os.path.getsize(path) < MIN_BYTES:
        entries = read(path)
        return CachedList(entries, version(entries), None)
    name = os.path.join(folder, f"{fmt}-{file_sha256(path)[:32]}-{code_fingerprint()[:16]}.json")
    try:
        with open(name, encoding="utf-8") as f, _collector_paused():
            stored = json.load(f)
            entries = entries_from_json(stored["entries"])
            keys = name_keys_from_json(stored["name_keys"])
        if entries and (found := version(entries)) == stored["version"]:
            return CachedList(entries, found, keys)
        _LOG.warning("list cache %s does not match its version: parsing %s again", name, path)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, TypeError, KeyError) as exc:
        _LOG.warning("list cache %s unreadable (%s): parsing %s again", name, exc, path)
    entries = read(path)
    found = version(entries)
    keys = name_keys(entries)
    if entries:
        _store(name, {"format": fmt, "version": found, "entries": entries, "name_keys": keys})
    return CachedList(entries, found, keys)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a cached list is decoded: its ~140,000 new
    tuples made it walk the growing heap again and again (half of a 1 s load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _store(name: str, content: dict[str, Any]) -> None:
    """Write atomically (a temporary file renamed into place); a failure is only logged."""
    tmp = None
    try:
        os.makedirs(os.path.dirname(name), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(name), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(content, f, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, name)
    except OSError as exc:
        _LOG.warning("list cache not written (%s): %s", name, exc)
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
