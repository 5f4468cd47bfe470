"""Validation of the run's arguments and discovery of its input files (DESIGN §3, §6)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
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


def fingerprint(files: Sequence[FeedFile], *parts: str) -> str:
    """A run id that depends only on the inputs: same files, lists and settings → same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode())
    for feed in sorted(files):
        digest.update(f"\x1e{feed.context.country}/{feed.context.source_file}\x1f".encode())
        with open(feed.path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:20]
