"""Read the coalition list: the six countries' shared CSV of shipping and transport operators.

UTF-8 (a BOM is allowed), RFC 4180, a header row whose names are case-insensitive and in any
order. All twelve columns of DESIGN §4 must be present; `aliases`, `countries`,
`registration_ids` and `crypto_addresses` hold several values separated by `|`.

An alias written with a leading `~` (`~Noordzee`) is weak: kept for explanation and review,
never firing on its own. The list is fail-closed: a row without entry_id or name, an unknown
entity_type, a duplicated entry_id, a malformed country code, date, IMO number (check digit)
or LEI raises `WatchlistError` naming the line, so a bad export never screens half a list.
Crypto addresses are normalised and keep their chain family (evm, bech32, tron, …) as note.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable

from schemas.records import Alias, Identifier, WatchlistEntry
from watchlists.errors import WatchlistError
from watchlists.identifiers import (
    crypto_chain,
    normalize_crypto_address,
    normalize_imo,
    normalize_lei,
)

COLUMNS = ("entry_id", "entity_type", "name", "aliases", "countries", "imo_number", "lei",
           "registration_ids", "crypto_addresses", "list_source", "listed_on", "reason")
ENTITY_TYPES = ("organization", "vessel", "person")
DEFAULT_LIST_SOURCE = "coalition"
WEAK_MARKER = "~"


class _RowError(ValueError):
    """A problem with one row; turned into a WatchlistError that names the line."""


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _aliases(primary: str, value: str) -> tuple[Alias, ...]:
    """'~' marks weak aliases; duplicates (case-insensitive) and the primary name are dropped."""
    seen: dict[str, Alias] = {}
    for part in _split(value):
        weak = part.startswith(WEAK_MARKER)
        name = " ".join(part.lstrip(WEAK_MARKER + " \t").split())
        key = name.casefold()
        if not name or key == primary.casefold():
            continue
        if key not in seen or (seen[key].weak and not weak):
            seen[key] = Alias(seen[key].name if key in seen else name, weak)
    return tuple(seen.values())


def _countries(value: str) -> tuple[str, ...]:
    codes = [code.upper() for code in _split(value)]
    bad = [code for code in codes if not re.fullmatch(r"[A-Z]{2}", code)]
    if bad:
        raise _RowError(f"countries must be ISO 3166-1 alpha-2 codes, got {bad}")
    return tuple(dict.fromkeys(codes))


def _identifiers(row: dict[str, str]) -> tuple[Identifier, ...]:
    out: list[Identifier] = []
    if row["imo_number"]:
        imo = normalize_imo(row["imo_number"])
        if imo is None:
            raise _RowError(f"imo_number {row['imo_number']!r} is not a valid IMO number")
        out.append(Identifier("imo", imo))
    if row["lei"]:
        lei = normalize_lei(row["lei"])
        if lei is None:
            raise _RowError(f"lei {row['lei']!r} is not a valid LEI")
        out.append(Identifier("lei", lei))
    out += [Identifier("registration", reg) for reg in _split(row["registration_ids"])]
    for raw in _split(row["crypto_addresses"]):
        address = normalize_crypto_address(raw)
        if address:
            out.append(Identifier("crypto_address", address, crypto_chain(address)))
    return tuple(dict.fromkeys(out))


def _listed_on(value: str) -> str | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise _RowError(f"listed_on {value!r} is not a YYYY-MM-DD date") from None


def _entry(row: dict[str, str]) -> WatchlistEntry:
    if not row["entry_id"]:
        raise _RowError("entry_id is empty")
    name = " ".join(row["name"].split())
    if not name:
        raise _RowError("name is empty")
    entity_type = row["entity_type"].lower()
    if entity_type not in ENTITY_TYPES:
        raise _RowError(f"entity_type {row['entity_type']!r} is not one of {ENTITY_TYPES}")
    return WatchlistEntry(
        entry_id=row["entry_id"],
        list_source=row["list_source"] or DEFAULT_LIST_SOURCE,
        entity_type=entity_type,
        name=name,
        aliases=_aliases(name, row["aliases"]),
        countries=_countries(row["countries"]),
        identifiers=_identifiers(row),
        listed_on=_listed_on(row["listed_on"]),
        reason=row["reason"] or None,
    )


def _header(path: str, header: list[str]) -> list[str]:
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise WatchlistError(path, f"missing column(s): {', '.join(missing)}")
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        raise WatchlistError(path, f"duplicated column(s): {', '.join(duplicated)}")
    return names


def parse_coalition(path: str, lines: Iterable[str]) -> list[WatchlistEntry]:
    """Entries of a coalition CSV given as text lines; `path` only names it in errors."""
    reader = csv.reader(lines, strict=True)
    entries: dict[str, WatchlistEntry] = {}
    try:
        header = next(reader, None)
        if header is None:
            raise WatchlistError(path, "empty file (no header row)")
        names = _header(path, header)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                raise WatchlistError(path, f"line {reader.line_num}: {len(row)} fields, "
                                           f"header has {len(names)}")
            record = {n: v.strip() for n, v in zip(names, row) if n in COLUMNS}
            try:
                entry = _entry(record)
            except _RowError as exc:
                raise WatchlistError(path, f"line {reader.line_num}: {exc}") from None
            if entry.entry_id in entries:
                raise WatchlistError(path, f"line {reader.line_num}: entry_id "
                                           f"{entry.entry_id!r} is duplicated")
            entries[entry.entry_id] = entry
    except csv.Error as exc:
        raise WatchlistError(path, f"line {reader.line_num}: not valid CSV: {exc}") from exc
    if not entries:
        raise WatchlistError(path, "no entries")
    return [entries[k] for k in sorted(entries)]


def read_coalition(path: str) -> list[WatchlistEntry]:
    """All entries of a coalition CSV file, sorted by entry_id."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(path, f"cannot read as UTF-8: {exc}") from exc
    return parse_coalition(path, io.StringIO(text, newline=""))
