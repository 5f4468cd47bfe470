"""Validation of the run's arguments and discovery of its input files (DESIGN §3, §6)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from typing import Iterable, Sequence

from schemas.countries import DEFAULT_COUNTRIES, is_country_code
from transforms.feeds import FeedFile, FileContext

SOURCE_TYPES = ("bank", "crypto")


class UsageError(Exception):
    """A bad argument or configuration: the run exits 2 and writes nothing."""


def check_business_date(text: str) -> str:
    try:
        day = dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise UsageError(f"--business-date must be YYYY-MM-DD, got {text!r}") from None
    if day.isoformat() != text:
        raise UsageError(f"--business-date must be YYYY-MM-DD, got {text!r}")
    return text


def check_countries(values: Iterable[str]) -> list[str]:
    """Country codes from --country (repeatable, or comma-separated); never a path."""
    out: list[str] = []
    for value in values:
        for code in value.split(","):
            code = code.strip().upper()
            if not is_country_code(code):
                raise UsageError(f"--country must be a two-letter ISO 3166 code, got {code!r}")
            if code not in out:
                out.append(code)
    return out


def countries_in_scope(input_day: str, requested: Sequence[str], configured: Sequence[str] = DEFAULT_COUNTRIES) -> list[str]:
    """Requested countries, else the configured ones plus any country folder present."""
    if requested:
        return list(requested)
    present = sorted(n for n in os.listdir(input_day) if is_country_code(n)) if os.path.isdir(input_day) else []
    return list(configured) + [c for c in present if c not in configured]


def discover_files(input_day: str, country: str, business_date: str) -> tuple[list[FeedFile], list[str]]:
    """The feed files of one country (bank/ and crypto/), and stray files that are not read.

    A country folder with no files, or no folder at all, is normal: no feeds that day.
    """
    files: list[FeedFile] = []
    stray: list[str] = []
    base = os.path.join(input_day, country)
    if not os.path.isdir(base):
        return files, stray
    for name in sorted(os.listdir(base)):
        path = os.path.join(base, name)
        if name.startswith("."):
            continue
        if name not in SOURCE_TYPES or not os.path.isdir(path):
            stray.append(name)
            continue
        for fname in sorted(os.listdir(path)):
            fpath = os.path.join(path, fname)
            if fname.startswith(".") or not os.path.isfile(fpath):
                continue
            ctx = FileContext(country, business_date, name, f"{name}/{fname}")
            files.append(FeedFile(os.path.abspath(fpath), ctx))
    return files, stray


class FileDigests:
    """The SHA-256 of each file, worked out in a background thread: reading and hashing let go
    of the GIL, so the run's start loads its lists meanwhile (352 MB of feeds took ~0.3 s, as
    long as loading the lists). `result()` waits for it and raises what the thread raised."""

    def __init__(self, files: Sequence[FeedFile]) -> None:
        self._files = sorted(files)
        self._digests: list[tuple[str, str]] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._hash, name="file-digests", daemon=True)
        self._thread.start()

    def _hash(self) -> None:
        try:
            for feed in self._files:
                digest = hashlib.sha256()
                with open(feed.path, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        digest.update(block)
                self._digests.append((f"{feed.context.country}/{feed.context.source_file}", digest.hexdigest()))
        except BaseException as exc:  # noqa: BLE001 - raised again by result(), in the caller's thread
            self._error = exc

    def result(self) -> list[tuple[str, str]]:
        """(country/source_file, SHA-256) of every file, in file order."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return list(self._digests)


def fingerprint(files: Sequence[FeedFile] | FileDigests, *parts: str) -> str:
    """A run id that depends only on the inputs: same files, lists and settings → same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode())
    for name, content in (files if isinstance(files, FileDigests) else FileDigests(files)).result():
        digest.update(f"\x1e{name}\x1f{content}".encode())
    return digest.hexdigest()[:20]
