"""Read the UK sanctions list as CSV: the FCDO "UK Sanctions List" export, or OFSI's ConList.csv.

Both have one row per name of a designation and a first metadata line ("Report Date: …",
"Last Updated,27/04/2020") before the header, which is found by its `Name 6` column. Rows are
grouped into one entry per designation:

| layout | id column | type column | name kind | alias strength | list_source |
|---|---|---|---|---|---|
| FCDO UK Sanctions List | Unique ID | Designation Type | Name type | Alias strength | uk_fcdo |
| OFSI ConList.csv | Group ID | Group Type | Alias Type | Alias Quality | uk_ofsi |

  entity_type  Individual → person, Entity → organization, Ship → vessel
  name         Name 1 … Name 5 then Name 6 (the surname, or an entity's or ship's name), of the
               row whose name kind is "Primary name"; every other row's name is an alias, weak
               when its strength or quality says "low"; non-Latin script names are strong aliases
  identifiers  IMO number (a ship's → imo, check digit verified; others → imo_company), business
               registration numbers → registration, passport and national ids → personal_id
  countries    ISO2 of address country, nationality ("(1) Russia (2) Cyprus") and country of
               birth, where the name is known; `vessel_flag` from the current believed flag
  programs     Regime Name / Regime;  listed_on  Date Designated / Listed On (dd/mm/yyyy)

Text is UTF-8 (BOM allowed), else cp1252. A missing header, a row with the wrong number of
fields, a designation without id or name, or a file without designations raises
`WatchlistError`: a list is used whole or not at all.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import NamedTuple

from schemas.records import Alias, Identifier, WatchlistEntry
from watchlists.errors import WatchlistError
from watchlists.identifiers import normalize_imo
from watchlists.ofac_csv import tidy_aliases
from watchlists.un_xml import un_country

ENTITY_TYPES = {"individual": "person", "entity": "organization", "ship": "vessel"}
_EMPTY = {"", "n/a", "na", "unknown", "none", "-"}
_NAME_PARTS = ("name 1", "name 2", "name 3", "name 4", "name 5", "name 6")


class Layout(NamedTuple):
    """Which columns play which part in one of the two CSV layouts."""

    list_source: str
    id: str
    type: str
    name_kind: str
    strength: str
    regime: str
    listed: str


FCDO = Layout("uk_fcdo", "unique id", "designation type", "name type", "alias strength", "regime name",
              "date designated")  # fmt: skip
OFSI = Layout("uk_ofsi", "group id", "group type", "alias type", "alias quality", "regime", "listed on")


def _value(row: dict[str, str], *columns: str) -> str | None:
    for column in columns:
        value = " ".join((row.get(column) or "").split())
        if value.lower() not in _EMPTY:
            return value
    return None


def _name(row: dict[str, str]) -> str:
    return " ".join(v for v in (_value(row, c) for c in _NAME_PARTS) if v)


def _date(text: str | None) -> str | None:
    found = re.match(r"(\d{2})/(\d{2})/(\d{4})", text or "")
    return f"{found.group(3)}-{found.group(2)}-{found.group(1)}" if found else None


def _countries(rows: Sequence[dict[str, str]]) -> tuple[str, ...]:
    names: list[str] = []
    for row in rows:
        for column in ("address country", "country", "nationality(/ies)", "nationality", "country of birth"):
            names += re.split(r"\(\d+\)|[;,]", row.get(column) or "")
    codes = (un_country(n.strip()) for n in names if n.strip())
    return tuple(dict.fromkeys(c for c in codes if c))


def _identifiers(rows: Sequence[dict[str, str]], entity_type: str) -> tuple[Identifier, ...]:
    out: list[Identifier] = []
    for row in rows:
        for number in re.findall(r"\d{7}", _value(row, "imo number") or ""):
            imo = normalize_imo(number) if entity_type == "vessel" else None
            out.append(Identifier("imo", imo) if imo else Identifier("imo_company", number))
        registration = _value(row, "business registration number (s)")
        if registration:
            out.append(Identifier("registration", registration))
        for column, note in (("passport number", "passport"), ("national identifier number", "national id"),
                             ("national identification number", "national id")):  # fmt: skip
            value = _value(row, column)
            if value:
                out.append(Identifier("personal_id", value, note))
    return tuple(dict.fromkeys(out))


def designation(path: str, layout: Layout, entry_id: str, rows: Sequence[dict[str, str]]) -> WatchlistEntry:
    """One designation (all its rows) as a WatchlistEntry."""
    kind = (_value(rows[0], layout.type) or "").lower()
    entity_type = ENTITY_TYPES.get(kind, "unknown")
    primary_rows = [r for r in rows if (_value(r, layout.name_kind) or "").lower() in ("primary name", "prime alias")]
    name = next((n for n in (_name(r) for r in primary_rows + list(rows)) if n), None)
    if name is None:
        raise WatchlistError(path, f"{layout.id} {entry_id!r} has no name")
    aliases = [Alias(_name(r), "low" in (_value(r, layout.strength) or "").lower()) for r in rows if _name(r)]
    aliases += [Alias(v) for v in (_value(r, "name non-latin script") for r in rows) if v]
    flag = next((v for v in (_value(r, "current believed flag of ship") for r in rows) if v), None)
    dates = sorted(d for d in (_date(_value(r, layout.listed)) for r in rows) if d)
    return WatchlistEntry(
        entry_id=entry_id,
        list_source=layout.list_source,
        entity_type=entity_type,
        name=name,
        aliases=tidy_aliases(name, aliases),
        countries=_countries(rows),
        identifiers=_identifiers(rows, entity_type),
        vessel_flag=(un_country(flag) or flag) if flag else None,
        programs=tuple(dict.fromkeys(v for v in (_value(r, layout.regime) for r in rows) if v)),
        listed_on=dates[0] if dates else None,
    )


def _decode(path: str) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise WatchlistError(path, f"cannot be read: {exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_uk_csv(path: str) -> list[WatchlistEntry]:
    """All designations of a UK sanctions list CSV (FCDO or OFSI layout), sorted by entry_id."""
    reader = csv.reader(io.StringIO(_decode(path), newline=""), strict=True)
    groups: dict[str, list[dict[str, str]]] = {}
    header: list[str] | None = None
    layout = FCDO
    try:
        for fields in reader:
            if header is None:
                names = [f.strip().lower() for f in fields]
                if "name 6" in names:
                    header, layout = names, (FCDO if FCDO.id in names else OFSI)
                    if layout.id not in names:
                        raise WatchlistError(path, "header has Name 6 but neither Unique ID nor Group ID")
                elif reader.line_num > 5:
                    break
                continue
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                raise WatchlistError(path, f"line {reader.line_num}: {len(fields)} fields, header has {len(header)}")
            row = dict(zip(header, fields))
            entry_id = _value(row, layout.id)
            if entry_id is None:
                raise WatchlistError(path, f"line {reader.line_num}: no {layout.id}")
            groups.setdefault(entry_id, []).append(row)
    except csv.Error as exc:
        raise WatchlistError(path, f"line {reader.line_num}: not valid CSV: {exc}") from exc
    if header is None:
        raise WatchlistError(path, "no header row with 'Name 6' in the first lines: not a UK sanctions list CSV")
    if not groups:
        raise WatchlistError(path, "no designations")
    return [designation(path, layout, k, groups[k]) for k in sorted(groups)]
