"""Crypto-exchange feeds (DESIGN §3), CSV or JSON lines → Transaction rows.

Both carry the same fields. The CSV follows the bank CSV rules (sniffed delimiter, ';' means
decimal comma, case-insensitive header, blank rows skipped and not numbered). In JSONL,
keys are case-insensitive, blank lines are skipped and not numbered, and a line that is not
a JSON object is quarantined. The customer party carries name, customer_id (as account) and
country; the counterparty carries its name (if any) and the address as given.
`network`, `counterparty_vasp`, `tx_hash`, `amount_eur` and `direction` are checked where
required but not carried: Transaction has no fields for them. An exchange export whose columns
differ from ours is read through a feed dialect (`dialects.py`, from feeds.toml), as bank CSVs are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds.common import (
    FileContext,
    clean,
    is_valid_utf8,
    iter_csv,
    missing_values,
    new_record,
    pooled,
    printable,
    quarantine,
    text_lines,
)
from transforms.feeds.dialects import CsvDialect, amount_reader, date_reader

REQUIRED = (
    "tx_id",
    "timestamp",
    "asset",
    "amount",
    "direction",
    "customer_name",
    "counterparty_address",
)
OPTIONAL = (
    "network",
    "customer_id",
    "customer_country",
    "counterparty_name",
    "counterparty_vasp",
    "tx_hash",
    "amount_eur",
)
DIRECTIONS = ("in", "out")


def crypto_record(
    values: dict[str, str | None],
    ctx: FileContext,
    row: int,
    raw: str | Callable[[], str],
    file_format: str,
    decimal_comma: bool = False,
    dialect: CsvDialect | None = None,
    pool: dict[Any, Any] | None = None,
    networks: list[str | None] | None = None,
) -> Transaction | QuarantineRow:
    """One crypto record (values by lower-case field name) as a Transaction or QuarantineRow;
    `raw` is the record's text, or what gives it (only a quarantined record needs it).
    Parties and the asset are taken from the file's `pool` (see `pooled`). A record that
    becomes a Transaction has its network appended to `networks` when given (Transaction has
    no field for it; validation checks the address against it)."""
    required: tuple[str, ...] = REQUIRED
    if dialect is not None:
        values = dialect.canonical(values, ctx.source_file, row)
        required = dialect.required_values(REQUIRED)
    read_amount, read_date = amount_reader(dialect, decimal_comma), date_reader(dialect)
    problems = []
    missing = missing_values(values, required)
    if missing:
        problems.append(missing)
    amount = timestamp = None
    if values.get("amount"):
        try:
            amount = read_amount(values["amount"] or "")
        except ValueError:
            problems.append(f"amount not a number: {values['amount']!r}")
    if values.get("timestamp"):
        try:
            timestamp = read_date(values["timestamp"] or "")
        except ValueError:
            problems.append(f"timestamp not a date/time: {values['timestamp']!r}")
    direction = values.get("direction")
    if direction and direction.lower() not in DIRECTIONS:
        problems.append(f"direction not in|out: {direction!r}")
    if problems:
        return quarantine(ctx, row, raw if isinstance(raw, str) else raw(), "; ".join(problems))
    country = values.get("customer_country")
    customer = pooled(pool, new_record(Party, ("customer", values.get("customer_name"), values.get("customer_id"),
                                               None, country.upper() if country else None, None)))  # fmt: skip
    counterparty = pooled(pool, new_record(Party, ("counterparty", values.get("counterparty_name"), None, None, None,
                                                   values.get("counterparty_address"))))  # fmt: skip
    tx = new_record(Transaction, (*ctx, row, values["tx_id"] or "", timestamp, amount,
                                  pooled(pool, (values.get("asset") or "").upper()), (customer, counterparty), None,
                                  None, file_format))  # fmt: skip
    if networks is not None:
        networks.append(values.get("network"))
    return tx


def read_crypto_csv(
    path: str, ctx: FileContext, dialect: CsvDialect | None = None, networks: list[str | None] | None = None
) -> Iterator[Transaction | QuarantineRow]:
    """Every non-blank data row of a crypto CSV, as a Transaction or a QuarantineRow; the
    network of each Transaction is appended to `networks` when given (`crypto_record`).

    Raises FeedError for an empty or undecodable file or a header missing a required column.
    """
    if dialect is None:
        records = iter_csv(path, REQUIRED)
    else:
        records = iter_csv(path, dialect.required_columns(REQUIRED), encoding=dialect.encoding,
                           delimiter=dialect.delimiter, rename=dialect.rename)  # fmt: skip
    pool: dict[Any, Any] = {}
    for record in records:
        if record.problem is not None:
            yield quarantine(ctx, record.row, record.raw, record.problem)
        else:
            yield crypto_record(
                record.values,
                ctx,
                record.row,
                lambda record=record: record.raw,
                "crypto-csv",
                record.decimal_comma,
                dialect,
                pool,
                networks,
            )


def _as_text(value: Any) -> str | None:
    """A JSON value as trimmed text: numbers in plain notation (1e-05 → "0.00001")."""
    if value is None:
        return None
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (bool, dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_crypto_jsonl(
    path: str, ctx: FileContext, networks: list[str | None] | None = None
) -> Iterator[Transaction | QuarantineRow]:
    """Every non-blank line of a crypto JSONL file, as a Transaction or a QuarantineRow; the
    network of each Transaction is appended to `networks` when given (`crypto_record`).

    A line that is not valid UTF-8, not JSON, or not a JSON object is quarantined with the
    line as raw_record. Raises FeedError only when the file itself cannot be read.
    """
    row = 0
    pool: dict[Any, Any] = {}
    for line in text_lines(path):
        raw = line.rstrip("\r\n")
        if not raw.strip():
            continue
        row += 1
        if not is_valid_utf8(raw):
            yield quarantine(ctx, row, printable(raw), "line is not valid UTF-8")
            continue
        try:
            obj = json.loads(raw, parse_float=Decimal)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
            yield quarantine(ctx, row, raw, f"line is not valid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            yield quarantine(
                ctx, row, raw, f"line is not a JSON object: {type(obj).__name__}"
            )
            continue
        values = {str(k).strip().lower(): _as_text(v) for k, v in obj.items()}
        yield crypto_record(values, ctx, row, raw, "crypto-jsonl", pool=pool, networks=networks)
