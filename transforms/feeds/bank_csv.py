"""The canonical bank CSV (DESIGN §3) → Transaction rows, streamed in constant memory.

UTF-8 (BOM allowed), header row, RFC 4180 quoting; the delimiter is sniffed from the header
(',' by default, ';' or tab) and a ';' file uses a decimal comma ("1.234,56"). Header names
are trimmed and case-insensitive, in any order; unknown columns are ignored. Blank rows are
skipped and not numbered, so `source_row` counts the data rows that hold something.
`value_date` is accepted but not carried: Transaction has no field for it.

A feed dialect (`dialects.py`, from feeds.toml) may rename the bank's own headers, fix the
delimiter, separators, date format and encoding, supply defaults and row ids, and turn a
statement that names only the counterparty into originator and beneficiary.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds.common import (
    CsvRecord,
    FileContext,
    iter_csv,
    missing_values,
    new_record,
    pooled,
    quarantine,
)
from transforms.feeds.dialects import CsvDialect, amount_reader, date_reader

FILE_FORMAT = "bank-csv"
REQUIRED = (
    "tx_id",
    "booking_date",
    "amount",
    "currency",
    "originator_name",
    "beneficiary_name",
)
OPTIONAL = (
    "originator_account",
    "originator_bic",
    "originator_country",
    "beneficiary_account",
    "beneficiary_bic",
    "beneficiary_country",
    "remittance_info",
    "reporting_entity",
    "value_date",
    "ultimate_originator_name",
    "ultimate_beneficiary_name",
)


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


_SIDE_COLUMNS = {prefix: tuple(f"{prefix}_{field}" for field in ("name", "account", "bic", "country"))
                 for prefix in ("originator", "beneficiary")}  # fmt: skip
ULTIMATE_ROLES = ("ultimate_originator", "ultimate_beneficiary")


def _side(values: dict[str, str | None], role: str, pool: dict[Any, Any] | None) -> Party:
    """The originator or beneficiary party from its `<role>_*` columns, from the `pool`."""
    name, account, bic, country = _SIDE_COLUMNS[role]
    return pooled(pool, new_record(Party, (role, values.get(name), values.get(account), values.get(bic),
                                           _upper(values.get(country)), None)))  # fmt: skip


def bank_row(
    record: CsvRecord, ctx: FileContext, dialect: CsvDialect | None = None, pool: dict[Any, Any] | None = None
) -> Transaction | QuarantineRow:
    """One CSV data row as a Transaction, or a QuarantineRow naming every problem found;
    parties and repeated texts are taken from the file's `pool` (see `pooled`)."""
    if record.problem is not None:
        return quarantine(ctx, record.row, record.raw, record.problem)
    values = record.values
    required: tuple[str, ...] = REQUIRED
    if dialect is not None:
        values = dialect.canonical(values, ctx.source_file, record.row)
        required = dialect.required_values(REQUIRED)
    read_amount, read_date = amount_reader(dialect, record.decimal_comma), date_reader(dialect)
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
    if values.get("booking_date"):
        try:
            timestamp = read_date(values["booking_date"] or "")
        except ValueError:
            problems.append(f"booking_date not a date: {values['booking_date']!r}")
    if problems:
        return quarantine(ctx, record.row, record.raw, "; ".join(problems))
    parties = [_side(values, "originator", pool), _side(values, "beneficiary", pool)]
    for role in ULTIMATE_ROLES:
        name = values.get(f"{role}_name")
        if name:
            parties.append(pooled(pool, Party(role, name)))
    return new_record(Transaction, (*ctx, record.row, values["tx_id"] or "", timestamp, amount,
                                    pooled(pool, _upper(values.get("currency"))), tuple(parties),
                                    values.get("remittance_info"), pooled(pool, values.get("reporting_entity")),
                                    FILE_FORMAT))  # fmt: skip


def read_bank_csv(
    path: str, ctx: FileContext, dialect: CsvDialect | None = None
) -> Iterator[Transaction | QuarantineRow]:
    """Every non-blank data row of a bank CSV, as a Transaction or a QuarantineRow.

    Raises FeedError (before any row) for an empty or undecodable file or a header missing a
    required column, and (after the rows read so far) when a gzip stream breaks off.
    """
    if dialect is None:
        records = iter_csv(path, REQUIRED)
    else:
        records = iter_csv(path, dialect.required_columns(REQUIRED), encoding=dialect.encoding,
                           delimiter=dialect.delimiter, rename=dialect.rename)  # fmt: skip
    pool: dict[Any, Any] = {}
    for record in records:
        yield bank_row(record, ctx, dialect, pool)
