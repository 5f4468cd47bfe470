"""What every feed reader shares: file context, opening (gzip, BOM), format detection,
value parsing (amounts, dates) and the header-checked CSV row iterator.

Pure Python (no apache_beam), so each reader can be tested on a file without a pipeline.
Two kinds of failure: a whole file that cannot be read raises `FeedError` (the caller
quarantines the file); a single bad row becomes a `QuarantineRow` with a readable reason.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import re
import zlib
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import PurePath
from typing import IO, Any, NamedTuple, TypeVar, cast

from schemas.records import QuarantineRow, Transaction
from transforms.feeds.formats import MT_EXTENSIONS, is_ivms101, is_mt, xml_message

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EU_DATE = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")  # parse_amount's fast path: nothing to strip or regroup
# A CSV field longer than this fails the file (csv.Error); shorter ones are read, and the
# validation's length caps quarantine the row (a 100 KB name is a bad row, not a bad file).
MAX_CSV_FIELD = 16 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), MAX_CSV_FIELD))

T = TypeVar("T")


class FeedError(Exception):
    """A whole input file cannot be read; the message is the human reason."""


class FileContext(NamedTuple):
    """Where a file sits in the input tree; stamped on every record read from it."""

    country: str  # ISO 3166-1 alpha-2 of the reporting country
    business_date: str  # YYYY-MM-DD
    source_type: str  # bank | crypto
    source_file: str  # relative to the country folder, e.g. "bank/payments.csv"


class FeedFile(NamedTuple):
    """One input file to read: its absolute path and where it sits in the input tree."""

    path: str
    context: FileContext


# --- opening files ---


def open_binary(path: str) -> IO[bytes]:
    """The file's bytes, gunzipped when the name ends in .gz or the content is gzip."""
    gzipped = path.lower().endswith(".gz")
    if not gzipped:
        with open(path, "rb") as probe:
            gzipped = probe.read(2) == GZIP_MAGIC
    return cast(IO[bytes], gzip.open(path, "rb")) if gzipped else open(path, "rb")


def read_whole(path: str) -> bytes:
    """The file's bytes (gunzipped as open_binary does); FeedError when unreadable or blank."""
    try:
        with open_binary(path) as stream:
            data = stream.read()
    except READ_ERRORS as exc:
        raise feed_error(exc) from exc
    if not data.strip():
        raise FeedError("empty file")
    return data


def open_text(path: str, errors: str = "strict", encoding: str = "utf-8-sig") -> IO[str]:
    """The file as text (UTF-8 with BOM stripped by default), line endings untranslated.

    With errors="surrogateescape" undecodable bytes survive as lone surrogates, so a
    reader can quarantine just the offending row (see `is_valid_utf8`). A feed dialect may
    name another encoding (cp1252, iso-8859-1).
    """
    return io.TextIOWrapper(
        open_binary(path), encoding=encoding, errors=errors, newline=""
    )


def feed_error(exc: BaseException) -> FeedError:
    """The FeedError that names why reading a file failed."""
    if isinstance(exc, FeedError):
        return exc
    if isinstance(exc, gzip.BadGzipFile):
        return FeedError(f"unreadable gzip: {exc}")
    if isinstance(exc, (EOFError, zlib.error)):
        return FeedError(f"unreadable gzip (truncated or corrupt): {exc}")
    if isinstance(exc, UnicodeDecodeError):
        return FeedError(f"file is not valid UTF-8: {exc}")
    return FeedError(f"cannot read file: {exc}")


# What reading a (possibly gzipped) file can raise; `feed_error` names each.
READ_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError)


def text_lines(path: str, encoding: str = "utf-8-sig") -> Iterator[str]:
    """The file's lines (newlines kept), undecodable bytes as surrogates; I/O → FeedError."""
    try:
        with open_text(path, errors="surrogateescape", encoding=encoding) as stream:
            yield from stream
    except READ_ERRORS as exc:
        raise feed_error(exc) from exc


def read_head(path: str, size: int = SNIFF_BYTES) -> bytes:
    """Up to `size` leading bytes of the (gunzipped) file; I/O trouble → FeedError."""
    try:
        with open_binary(path) as stream:
            return stream.read(size)
    except READ_ERRORS as exc:
        raise feed_error(exc) from exc


def is_valid_utf8(text: str) -> bool:
    """False when `text` carries undecodable bytes smuggled in by surrogateescape."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """`text` with smuggled undecodable bytes replaced by U+FFFD (safe to write to Parquet)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# --- format detection ---


def sniff_format(path: str) -> tuple[str | None, str]:
    """(format, "") or (None, why not): bank-csv | pacs.008 | pain.001 | camt.053 | mt103 |
    crypto-csv | crypto-jsonl | ivms101.

    The folder (bank/crypto) and extension (after .gz) decide where they can: .csv is a bank
    or crypto CSV by folder. Otherwise the content is sniffed (see `formats`): under bank/,
    XML must be a pacs.008, pain.001 or camt.053 message (Fedwire samples have no .xml
    extension) and anything else a SWIFT MT file (.txt, .fin, .mt103, .dos, .rje or none);
    under crypto/, .json must be IVMS101 and .jsonl is IVMS101 when its first line is, else
    the crypto JSONL feed. Outside bank/ and crypto/, CSV headers are sniffed too. Never raises.
    """
    p = PurePath(path)
    ext = PurePath(p.name.lower().removesuffix(".gz")).suffix
    folder = p.parent.name.lower()
    if ext == ".csv" and folder in ("bank", "crypto"):
        return f"{folder}-csv", ""
    if folder == "crypto" and ext not in (".jsonl", ".ndjson", ".json"):
        return None, f"crypto files must be .csv, .jsonl or IVMS101 .json, not {p.name!r}"
    if ext in (".jsonl", ".ndjson") and folder != "bank":
        try:
            return ("ivms101" if is_ivms101(read_head(path)) else "crypto-jsonl"), ""
        except FeedError:
            return "crypto-jsonl", ""  # the reader names the trouble
    try:
        head = read_head(path)
    except FeedError as exc:
        return None, str(exc)
    if ext == ".csv":
        header = head.split(b"\n", 1)[0].lower()
        if b"booking_date" in header:
            return "bank-csv", ""
        if b"counterparty_address" in header:
            return "crypto-csv", ""
        return None, "CSV header is neither a bank nor a crypto feed header"
    if ext == ".json" or folder == "crypto":
        if is_ivms101(head):
            return "ivms101", ""
        return None, f"JSON is not an IVMS101 travel-rule message: {p.name!r}"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return xml_message(head)
    if is_mt(head):
        return "mt103", ""
    if ext in MT_EXTENSIONS:
        return None, f"not a SWIFT MT message (no {{1:F01 header or :20:/:32A: fields): {p.name!r}"
    return None, f"not a bank CSV, XML or SWIFT MT file: {p.name!r}"


def detect_format(path: str) -> str | None:
    """The feed format of `path` (see `sniff_format`), or None when it is not a feed."""
    return sniff_format(path)[0]


# --- values ---


def clean(value: str | None) -> str | None:
    """Whitespace-trimmed text, or None when nothing is left."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_amount(text: str, decimal_comma: bool = False) -> float:
    """A decimal amount: "18250.00", "1,234.56", or with decimal_comma "1.234,56".

    Thousands separators must group by three; spaces, NBSP and apostrophes are dropped.
    With decimal_comma a lone '.' that is not a thousands group ("18250.00") still reads as
    a decimal point (machine exports ignore the locale). Raises ValueError otherwise.
    """
    if _PLAIN_NUMBER.fullmatch(text) and not (decimal_comma and "." in text):
        return float(text)  # "18250.00", "-5": what most exports write (a '.' in a decimal-comma feed: below)
    s = re.sub(r"[\s\u00a0\u202f']", "", text)
    group, point = (".", ",") if decimal_comma else (",", ".")
    lone_dot = decimal_comma and point not in s and s.count(group) == 1
    if lone_dot and not re.fullmatch(r"[+-]?\d{1,3}\.\d{3}", s):
        group, point = ",", "."
    int_part, has_point, frac = s.partition(point)
    if group in int_part:
        if not re.fullmatch(rf"[+-]?\d{{1,3}}(?:{re.escape(group)}\d{{3}})+", int_part):
            raise ValueError(f"not a number: {text!r}")
        int_part = int_part.replace(group, "")
    candidate = f"{int_part}.{frac}" if has_point else int_part
    if not _NUMBER.fullmatch(candidate):
        raise ValueError(f"not a number: {text!r}")
    return float(candidate)


@functools.lru_cache(maxsize=4096)  # a file's rows share a few dates: parsing them was 2% of a run
def parse_timestamp(text: str) -> int:
    """Epoch microseconds (UTC) of a date or ISO 8601 date-time.

    Accepts "2026-11-27", "2026-11-27T10:15:00Z", offsets ("+01:00"), fractions, and the
    European "27.11.2026" / "27/11/2026" (day first, never US order). A date means midnight
    UTC; a date-time without offset is taken as UTC. Raises ValueError otherwise.
    """
    s = text.strip()
    eu = _EU_DATE.fullmatch(s)
    if eu:
        day, month, year = (int(g) for g in eu.groups())
        moment = datetime.combine(date(year, month, day), datetime.min.time())
    else:
        if len(s) < 8:  # fromisoformat also takes odd short forms such as "2026"
            raise ValueError(f"not a date: {text!r}")
        moment = datetime.fromisoformat(s)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def quarantine(ctx: FileContext, row: int, raw: str, reason: str) -> QuarantineRow:
    """A QuarantineRow for one record of the file described by `ctx`."""
    # FileContext's four fields are QuarantineRow's first four, in the same order.
    return QuarantineRow(*ctx, row, raw, reason)


# A record (Party, Transaction) from all its values in field order: `new_record(Party, (...))`.
# The NamedTuples' own constructors are Python-level calls, and keywords cost more again;
# the readers make one or more per row.
new_record = tuple.__new__


def transaction(ctx: FileContext, **fields: Any) -> Transaction:
    """A Transaction for one record of the file described by `ctx`, the other fields by name."""
    # FileContext's four fields are Transaction's first four, in the same order.
    return Transaction(*ctx, **fields)


def pooled(pool: dict[Any, Any] | None, value: T) -> T:
    """The copy of `value` kept in a file's `pool` (`value` itself when it is the first, or
    when there is no pool). Parties recur from row to row (about one in ten is new at
    scale): pooling keeps one Party, and one copy of its texts, per file instead of one per
    row — half the memory a bank file's rows take, and smaller packed blocks."""
    return value if pool is None else pool.setdefault(value, value)


def missing_values(
    values: dict[str, str | None], required: Sequence[str]
) -> str | None:
    """The reason naming required keys that have no value ("missing required value: a, b")."""
    missing = [name for name in required if not values.get(name)]
    return f"missing required value: {', '.join(missing)}" if missing else None


# --- CSV ---


class CsvRecord(NamedTuple):
    """One non-empty data row: its values by lower-case column name, or why it has none."""

    row: int  # 1-based among non-empty data rows
    fields: list[str]  # as the CSV reader split them
    values: dict[str, str | None]  # trimmed, "" → None; empty when `problem` is set
    problem: str | None
    decimal_comma: bool  # the file is ';'-delimited, so amounts use a decimal comma
    delimiter: str = ","

    @property
    def raw(self) -> str:
        """The row's fields re-joined with the file's delimiter (CSV-quoted as needed),
        undecodable bytes shown as escapes. Built on demand: most rows never need it."""
        out = io.StringIO()
        csv.writer(out, delimiter=self.delimiter, lineterminator="").writerow(self.fields)
        raw = out.getvalue()
        return raw if is_valid_utf8(raw) else printable(raw)


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ',', ';' and tab in the header line; ',' when none occurs."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def iter_csv(
    path: str,
    required: Sequence[str],
    *,
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
    rename: dict[str, str] | None = None,
) -> Iterator[CsvRecord]:
    """Stream a headed CSV file in constant memory, checking the header first.

    Header names are trimmed and case-insensitive, in any order; unknown columns are
    ignored. Blank rows (no field with text) are skipped and not numbered. Raises FeedError
    for an empty file, an undecodable header or missing required columns, and when the
    file breaks off mid-way (rows already yielded stay valid).
    """
    lines = text_lines(path, encoding)
    header_line = next((line for line in lines if line.strip()), None)
    if header_line is None:
        raise FeedError("empty file")
    if not is_valid_utf8(header_line) or "\x00" in header_line:
        raise FeedError("file is not UTF-8 text (header line cannot be decoded)")
    delimiter = delimiter or sniff_delimiter(header_line)
    rename = rename or {}  # a feed dialect's header names (lower-case) → canonical ones
    columns = [
        rename.get(c.strip().lower(), c.strip().lower())
        for c in next(csv.reader([header_line], delimiter=delimiter))
    ]
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise FeedError(f"duplicate column(s) in header: {', '.join(duplicated)}")
    missing = [c for c in required if c not in columns]
    if missing:
        raise FeedError(f"missing required column(s) in header: {', '.join(missing)}")
    decimal_comma = delimiter == ";"
    reader = csv.reader(lines, delimiter=delimiter)
    named = [(i, c) for i, c in enumerate(columns) if c]  # columns without a header name are ignored
    row = 0
    try:
        for fields in reader:
            text = "".join(fields)  # the row's checks run once on all of it, not per field
            if not text.strip():
                continue
            row += 1
            if not is_valid_utf8(text):
                yield CsvRecord(row, fields, {}, "row is not valid UTF-8", decimal_comma, delimiter)
            elif len(fields) != len(columns):
                problem = f"wrong number of fields: {len(fields)}, header has {len(columns)}"
                yield CsvRecord(row, fields, {}, problem, decimal_comma, delimiter)
            else:
                values = {c: fields[i].strip() or None for i, c in named}  # as clean(), inline: per value
                yield CsvRecord(row, fields, values, None, decimal_comma, delimiter)
    except csv.Error as exc:
        raise FeedError(f"malformed CSV near line {reader.line_num}: {exc}") from exc
