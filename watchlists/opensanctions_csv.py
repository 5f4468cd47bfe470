"""Read an OpenSanctions `targets.simple.csv` export (one row per listed party).

Columns: `id, schema, name, aliases, birth_date, countries, addresses, identifiers, sanctions,
phones, emails, program_ids, dataset, first_seen, last_seen, last_change` (header names are
case-insensitive, in any order; `id, schema, name` are required). Multi-valued cells are
`;`-separated.

Rows of the schemata in `ftm.SCHEMATA` are kept (others, if any, are skipped). Aliases are strong
(the simple export does not keep FtM's weak aliases apart), except a CryptoWallet's, which are
labels such as a ransomware family and are weak. Identifiers come untyped and are classified by
shape (`ftm.classify_identifier`): `IMO1234567` (a vessel's → imo, else imo_company), LEIs, BICs of
organizations, crypto addresses (every identifier of a CryptoWallet), else registration /
personal_id. Countries are the ISO2 codes of `countries`; `program_ids` → programs; `first_seen`
→ listed_on; list_source "opensanctions".

A missing required column, a malformed row, a row without id or name, a duplicated id, or no
rows raise `WatchlistError`: a list is used whole or not at all.
"""

from __future__ import annotations

import csv
import io
import re

from schemas.records import Alias, WatchlistEntry
from watchlists.errors import WatchlistError
from watchlists.ftm import SCHEMATA, classify_identifier
from watchlists.ofac_csv import tidy_aliases

LIST_SOURCE = "opensanctions"
REQUIRED = ("id", "schema", "name")


def _split(value: str | None) -> list[str]:
    return [" ".join(v.split()) for v in (value or "").split(";") if v.strip()]


def simple_entry(path: str, line: int, row: dict[str, str]) -> WatchlistEntry:
    """One targets.simple.csv row as a WatchlistEntry."""
    schema = row["schema"].strip()
    entry_id, name = row["id"].strip(), " ".join(row["name"].split())
    if not entry_id or not name:
        raise WatchlistError(path, f"line {line}: row without id or name")
    weak = schema == "CryptoWallet"
    identifiers = (classify_identifier(v, schema) for v in _split(row.get("identifiers")))
    countries = (c.upper() for c in _split(row.get("countries")) if re.fullmatch(r"[a-zA-Z]{2}", c))
    first_seen = (row.get("first_seen") or "")[:10]
    return WatchlistEntry(
        entry_id=entry_id,
        list_source=LIST_SOURCE,
        entity_type=SCHEMATA[schema],
        name=name,
        aliases=tidy_aliases(name, [Alias(a, weak) for a in _split(row.get("aliases"))]),
        countries=tuple(dict.fromkeys(countries)),
        identifiers=tuple(dict.fromkeys(i for i in identifiers if i is not None)),
        programs=tuple(dict.fromkeys(_split(row.get("program_ids")))),
        listed_on=first_seen if re.fullmatch(r"\d{4}-\d{2}-\d{2}", first_seen) else None,
    )


def read_opensanctions_csv(path: str) -> list[WatchlistEntry]:
    """All listed parties of a targets.simple.csv file, sorted by entry_id."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(path, f"cannot read as UTF-8: {exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    entries: dict[str, WatchlistEntry] = {}
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise WatchlistError(path, f"missing column(s): {', '.join(missing)} (not a targets.simple.csv)")
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                raise WatchlistError(path, f"line {reader.line_num}: {len(fields)} fields, header has {len(header)}")
            row = dict(zip(header, fields))
            if row["schema"].strip() not in SCHEMATA:
                continue
            entry = simple_entry(path, reader.line_num, row)
            if entry.entry_id in entries:
                raise WatchlistError(path, f"line {reader.line_num}: id {entry.entry_id!r} is duplicated")
            entries[entry.entry_id] = entry
    except csv.Error as exc:
        raise WatchlistError(path, f"line {reader.line_num}: not valid CSV: {exc}") from exc
    if not entries:
        raise WatchlistError(path, "no rows of a party schema")
    return [entries[k] for k in sorted(entries)]
