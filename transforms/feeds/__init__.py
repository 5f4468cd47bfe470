"""Feed readers: input files (DESIGN §3) → Transaction and QuarantineRow records.

Pure Python (no apache_beam). `read_feed` picks the reader from the file's folder and
extension (sniffing content when those do not decide). A file that cannot be read as a
whole raises `FeedError`; a bad row becomes a `QuarantineRow` with its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from schemas.records import QuarantineRow, Transaction
from transforms.feeds.bank_csv import read_bank_csv
from transforms.feeds.camt053 import read_camt053
from transforms.feeds.common import FeedError, FeedFile, FileContext, detect_format, sniff_format
from transforms.feeds.crypto import read_crypto_csv, read_crypto_jsonl
from transforms.feeds.dialects import CsvDialect, DialectError, find_dialect
from transforms.feeds.ivms101 import read_ivms101
from transforms.feeds.mt103 import read_mt103
from transforms.feeds.pacs008 import read_pacs008
from transforms.feeds.pain001 import read_pain001

Reader = Callable[[str, FileContext], Iterator[Transaction | QuarantineRow]]
DialectReader = Callable[[str, FileContext, CsvDialect | None], Iterator[Transaction | QuarantineRow]]

READERS: dict[str, Reader] = {
    "bank-csv": read_bank_csv,
    "pacs.008": read_pacs008,
    "pain.001": read_pain001,
    "camt.053": read_camt053,
    "mt103": read_mt103,
    "crypto-csv": read_crypto_csv,
    "crypto-jsonl": read_crypto_jsonl,
    "ivms101": read_ivms101,
}
# CSV feeds may have a dialect (delimiter, separators, date format, encoding, column names).
DIALECT_READERS: dict[str, DialectReader] = {"bank-csv": read_bank_csv, "crypto-csv": read_crypto_csv}
# Feeds whose readers also give each transaction's network (`networks=`), which validation needs
NETWORK_FORMATS = ("crypto-csv", "crypto-jsonl")

__all__ = [
    "READERS",
    "FeedError",
    "FeedFile",
    "FileContext",
    "detect_format",
    "read_bank_csv",
    "read_crypto_csv",
    "read_crypto_jsonl",
    "read_feed",
    "read_pacs008",
    "read_pain001",
    "read_camt053",
    "read_mt103",
    "read_ivms101",
]


def read_feed(
    path: str, ctx: FileContext, feeds_config: str | None = None, networks: list[str | None] | None = None
) -> Iterator[Transaction | QuarantineRow]:
    """Every record of one input file, read by the reader its format calls for.

    A generator: nothing is read until the first row is asked for. Raises FeedError
    ("unrecognised file type ...") when the format cannot be told, and
    whatever FeedError the reader raises. CSV and JSONL are streamed, so a FeedError can
    follow rows already yielded (a gzip stream cut short); the XML and MT readers fail
    before any row. A CSV feed is read with its dialect from `feeds_config`, else from
    `<input-root>/feeds.toml` when there is one (a bad config fails the file, FeedError).
    `networks`: for a crypto feed, each Transaction's network column is appended there (see
    `crypto_record`); other feeds have none and append nothing.
    """
    fmt, why = sniff_format(path)
    if fmt is None:
        raise FeedError(f"unrecognised file type {ctx.source_file or path!r}: {why}")
    extra = {"networks": networks} if fmt in NETWORK_FORMATS else {}
    if fmt in DIALECT_READERS:
        try:
            dialect = find_dialect(path, ctx, feeds_config)
        except DialectError as exc:
            raise FeedError(f"feed dialect config: {exc}") from exc
        yield from DIALECT_READERS[fmt](path, ctx, dialect, **extra)
    else:
        yield from READERS[fmt](path, ctx, **extra)
