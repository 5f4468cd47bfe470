"""CSV dialects per feed: how a bank's or exchange's own CSV maps onto the canonical columns.

The dialects live in `<input-root>/feeds.toml` (read with the stdlib `tomllib`; a run may also be
given one explicitly). Each `[feeds.NAME]` table names which files it is for and how to read them:

```toml
[feeds.de-sparkasse]
country = "DE"                 # optional: only this reporting country
folder = "bank"                # bank | crypto
files = "umsaetze*.csv"        # optional glob on the file name (default "*"; ".gz" is ignored)
delimiter = ";"                # , ; tab |  (default: sniffed from the header)
decimal = ","                  # . or ,     (default: ',' for ';' files, else '.')
thousands = "."                # . , ' space or "" (default: the other of . and ,)
date_format = "%d.%m.%Y"       # strptime   (default: ISO 8601, or 27.11.2026 / 27/11/2026)
encoding = "cp1252"            # utf-8-sig (default), utf-8, cp1252, iso-8859-1, …
row_ids = true                 # rows without tx_id get "<source_file>#<row>"
[feeds.de-sparkasse.columns]   # their header (case-insensitive) = our column
Buchungstag = "booking_date"
[feeds.de-sparkasse.defaults]  # our column = value when the file has none
currency = "EUR"
```

Bank statements that name only the other side (`Naam tegenpartij`) map it to `counterparty_name`
(and `counterparty_account`, `_bic`, `_country`), the statement account to `account` /
`account_name`; each row then becomes originator and beneficiary by its direction: a `direction`
column (read through `[feeds.NAME.direction_values]`, default in/out, C/D, CRDT/DBIT, credit/debit,
Bij/Af, H/S), else the amount's sign (negative: money left the account). Amounts of a dialect are
kept without sign ("-1.234,56" and "1.234,56-" are 1234.56); an exchange export without a
direction column gets its direction from the sign. The most specific matching feed wins (country
and file pattern each count); among equals, the first in the file.
"""

from __future__ import annotations

import codecs
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import PurePath
from typing import Any, NamedTuple

from transforms.feeds.common import FileContext, parse_amount, parse_timestamp

FEEDS_FILE = "feeds.toml"
BANK_COLUMNS = ("tx_id", "booking_date", "amount", "currency", "originator_name", "beneficiary_name",
                "originator_account", "originator_bic", "originator_country", "beneficiary_account",
                "beneficiary_bic", "beneficiary_country", "remittance_info", "reporting_entity", "value_date",
                "ultimate_originator_name", "ultimate_beneficiary_name")  # fmt: skip
STATEMENT_COLUMNS = ("counterparty_name", "counterparty_account", "counterparty_bic", "counterparty_country",
                     "account", "account_name", "account_bic", "direction")  # fmt: skip
CRYPTO_COLUMNS = ("tx_id", "timestamp", "asset", "amount", "direction", "customer_name", "counterparty_address",
                  "network", "customer_id", "customer_country", "counterparty_name", "counterparty_vasp",
                  "tx_hash", "amount_eur")  # fmt: skip
TARGETS = {"bank": BANK_COLUMNS + STATEMENT_COLUMNS, "crypto": CRYPTO_COLUMNS}
DIRECTION_WORDS = {"in": "in", "c": "in", "cr": "in", "crdt": "in", "credit": "in", "bij": "in", "h": "in",
                   "out": "out", "d": "out", "dr": "out", "dbit": "out", "debit": "out", "af": "out", "s": "out"}  # fmt: skip
_KEYS = {"country", "folder", "files", "delimiter", "decimal", "thousands", "date_format", "encoding",
         "row_ids", "columns", "defaults", "direction_values"}  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SIDES = {"in": ("counterparty", "account"), "out": ("account", "counterparty")}  # (originator, beneficiary)


class DialectError(ValueError):
    """The feeds config cannot be used; the message names the file, the feed and the setting."""


class CsvDialect(NamedTuple):
    """How to read one feed's CSV; every field has the canonical behaviour as default."""

    name: str
    folder: str  # bank | crypto
    country: str | None = None
    files: str = "*"
    delimiter: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    date_format: str | None = None
    encoding: str = "utf-8-sig"
    row_ids: bool = False
    columns: tuple[tuple[str, str], ...] = ()  # (their header lower-cased, our column)
    defaults: tuple[tuple[str, str], ...] = ()
    direction_values: tuple[tuple[str, str], ...] = ()

    @property
    def rename(self) -> dict[str, str]:
        return dict(self.columns)

    @property
    def statement(self) -> bool:
        """The file names only the other side of the account (counterparty_* columns)."""
        return any(ours == "counterparty_name" for _, ours in self.columns) and self.folder == "bank"

    def required_columns(self, required: tuple[str, ...]) -> tuple[str, ...]:
        """The canonical columns the header must have once renamed (defaults and ids excused)."""
        if self.statement:
            required = tuple(c for c in required if c not in ("originator_name", "beneficiary_name"))
            required += ("counterparty_name",)
        excused = {k for k, _ in self.defaults} | ({"tx_id"} if self.row_ids else set())
        return tuple(c for c in required if c not in excused)

    def canonical(self, values: Mapping[str, str | None], source_file: str, row: int) -> dict[str, str | None]:
        """A row's values (already renamed) in the canonical layout: defaults, ids, sides."""
        out = dict(values)
        for key, value in self.defaults:
            out[key] = out.get(key) or value
        if self.row_ids and not out.get("tx_id"):
            out["tx_id"] = f"{source_file}#{row}"
        given = out.get("direction")
        if given:
            words = {**DIRECTION_WORDS, **dict(self.direction_values)}
            given = out["direction"] = words.get(given.strip().lower(), given)
        amount = (out.get("amount") or "").strip()
        negative = amount.startswith("-") or amount.endswith("-") or amount.startswith("(")
        signed = negative or amount.startswith("+")
        out["amount"] = amount.strip("-+() ") or None  # the sign is a direction, not part of the amount
        direction = given if given in _SIDES else ("out" if negative else "in")
        if self.folder == "crypto" and not given and signed:
            out["direction"] = direction
        if self.statement:
            for role, side in zip(("originator", "beneficiary"), _SIDES[direction]):
                prefix = "account_" if side == "account" else "counterparty_"
                out[f"{role}_name"] = out.get(f"{prefix}name")
                out[f"{role}_account"] = out.get("account" if side == "account" else "counterparty_account")
                out[f"{role}_bic"] = out.get(f"{prefix}bic")
                out[f"{role}_country"] = out.get("counterparty_country") if side == "counterparty" else None
        return out

    def required_values(self, required: tuple[str, ...]) -> tuple[str, ...]:
        """Values each row must have: in a statement only the counterparty's name is required."""
        if not self.statement:
            return required
        return tuple(c for c in required if c not in ("originator_name", "beneficiary_name")) + ("counterparty_name",)


_CANONICAL_AMOUNT: dict[bool, Callable[[str], float]] = {  # made once, not per row
    False: lambda text: parse_amount(text, False), True: lambda text: parse_amount(text, True)}


def amount_reader(dialect: CsvDialect | None, decimal_comma: bool) -> Callable[[str], float]:
    """How to read an amount: the dialect's separators, else the canonical rule."""
    if dialect is None or (dialect.decimal is None and dialect.thousands is None):
        return _CANONICAL_AMOUNT[decimal_comma]
    point = dialect.decimal or ("," if dialect.thousands == "." else ".")
    group = dialect.thousands if dialect.thousands is not None else ("." if point == "," else ",")

    def read(text: str) -> float:
        s = re.sub(r"[\s\u00a0\u202f]", "", text) if group in (" ", "") else text.strip()
        sign = -1.0 if s.startswith("-") or s.endswith("-") else 1.0
        s = s.strip("+-")
        int_part, has_point, frac = s.partition(point)
        if group and group in int_part:
            if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+", int_part):
                raise ValueError(f"not a number: {text!r}")
            int_part = int_part.replace(group, "")
        if not re.fullmatch(r"\d+", int_part or "0") or not re.fullmatch(r"\d*", frac):
            raise ValueError(f"not a number: {text!r}")
        return sign * float(f"{int_part or '0'}.{frac or '0'}" if has_point else int_part)

    return read


def date_reader(dialect: CsvDialect | None) -> Callable[[str], int]:
    """How to read a date: the dialect's strptime format (UTC unless it has an offset), else ISO."""
    if dialect is None or dialect.date_format is None:
        return parse_timestamp
    fmt = dialect.date_format

    def read(text: str) -> int:
        moment = datetime.strptime(text.strip(), fmt)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return (moment - _EPOCH) // timedelta(microseconds=1)

    return read


def _choice(name: str, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise DialectError(f"feed {name!r}: {key} must be one of {allowed!r}, got {value!r}")
    return str(value)


def _table(name: str, key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise DialectError(f"feed {name!r}: [{key}] must map names to text")
    return {str(k): v for k, v in value.items()}


def parse_dialect(name: str, spec: Mapping[str, Any]) -> CsvDialect:
    """One `[feeds.NAME]` table as a CsvDialect; any unknown or bad setting is a DialectError."""
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise DialectError(f"feed {name!r}: unknown setting(s) {unknown}")
    folder = _choice(name, "folder", spec.get("folder"), ("bank", "crypto"))
    columns = {k.strip().lower(): v for k, v in _table(name, "columns", spec.get("columns", {})).items()}
    defaults = _table(name, "defaults", spec.get("defaults", {}))
    for ours in list(columns.values()) + list(defaults):
        if ours not in TARGETS[folder]:
            raise DialectError(f"feed {name!r}: {ours!r} is not a {folder} column (one of {', '.join(TARGETS[folder])})")
    directions = _table(name, "direction_values", spec.get("direction_values", {}))
    if any(v not in ("in", "out") for v in directions.values()):
        raise DialectError(f"feed {name!r}: [direction_values] must map to 'in' or 'out'")
    encoding = str(spec.get("encoding", "utf-8-sig"))
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DialectError(f"feed {name!r}: unknown encoding {encoding!r}") from None
    decimal = _choice(name, "decimal", spec["decimal"], (".", ",")) if "decimal" in spec else None
    thousands = _choice(name, "thousands", spec["thousands"], ("", ".", ",", " ", "'")) if "thousands" in spec else None
    if decimal is not None and thousands == decimal:
        raise DialectError(f"feed {name!r}: thousands and decimal separators are both {decimal!r}")
    date_format = spec.get("date_format")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        raise DialectError(f"feed {name!r}: date_format must be a strptime format such as '%d.%m.%Y'")
    country = spec.get("country")
    if country is not None and not re.fullmatch(r"[A-Z]{2}", str(country)):
        raise DialectError(f"feed {name!r}: country must be a two-letter code, got {country!r}")
    return CsvDialect(
        name, folder, country, str(spec.get("files", "*")),
        _choice(name, "delimiter", spec["delimiter"], (",", ";", "\t", "|")) if "delimiter" in spec else None,
        decimal, thousands, date_format, encoding, bool(spec.get("row_ids", False)),
        tuple(columns.items()), tuple(defaults.items()), tuple((k.strip().lower(), v) for k, v in directions.items()),
    )  # fmt: skip


def parse_feeds_config(text: str, source: str = FEEDS_FILE) -> tuple[CsvDialect, ...]:
    """Every dialect of a feeds.toml text, in file order."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DialectError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"feeds"})
    if unknown or not isinstance(data.get("feeds", {}), dict):
        raise DialectError(f"{source}: only [feeds.NAME] tables are allowed, found {unknown or ['feeds']}")
    try:
        return tuple(parse_dialect(name, spec) for name, spec in data.get("feeds", {}).items())
    except DialectError as exc:
        raise DialectError(f"{source}: {exc}") from None


@lru_cache(maxsize=16)
def _load(path: str, _mtime_ns: int, _size: int) -> tuple[CsvDialect, ...]:
    with open(path, encoding="utf-8") as f:
        return parse_feeds_config(f.read(), path)


def load_feeds_config(path: str) -> tuple[CsvDialect, ...]:
    """The dialects of a feeds.toml file (cached while the file is unchanged)."""
    try:
        stat = os.stat(path)
        return _load(path, stat.st_mtime_ns, stat.st_size)
    except (OSError, UnicodeDecodeError) as exc:
        raise DialectError(f"{path}: cannot be read: {exc}") from None


def default_config_path(path: str, ctx: FileContext) -> str:
    """`<input-root>/feeds.toml` for a file at `<input-root>/<date>/<CC>/<source_file>`."""
    return str(PurePath(path).parents[len(PurePath(ctx.source_file).parts) + 1] / FEEDS_FILE)


def dialect_for(dialects: tuple[CsvDialect, ...], ctx: FileContext) -> CsvDialect | None:
    """The most specific dialect for a file: same folder, country (if set) and file pattern."""
    name = PurePath(ctx.source_file).name.lower()
    names = {name, name.removesuffix(".gz")}
    best: tuple[int, CsvDialect] | None = None
    for dialect in dialects:
        if dialect.folder != ctx.source_type or dialect.country not in (None, ctx.country):
            continue
        if not any(fnmatch(n, dialect.files.lower()) for n in names):
            continue
        rank = (dialect.country is not None) + (dialect.files != "*")
        if best is None or rank > best[0]:
            best = (rank, dialect)
    return best[1] if best else None


def find_dialect(path: str, ctx: FileContext, config_path: str | None = None) -> CsvDialect | None:
    """The dialect for a CSV feed file from the given config, else `<input-root>/feeds.toml`.

    None when there is no config file or no feed in it matches: the canonical layout applies.
    """
    if config_path is None:
        try:
            config_path = default_config_path(path, ctx)
        except IndexError:
            return None
        if not os.path.exists(config_path):
            return None
    return dialect_for(load_feeds_config(config_path), ctx)
