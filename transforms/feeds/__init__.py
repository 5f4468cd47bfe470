"""Feed readers: input files (DESIGN §3) → Transaction and QuarantineRow records.

Pure Python (no apache_beam). `read_feed` picks the reader from the file's folder and
extension (sniffing content when those do not decide). A file that cannot be read as a
whole raises `FeedError`; a bad row becomes a `QuarantineRow` with its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from schemas.records import QuarantineRow, Transaction
from transforms.feeds.bank_csv import read_bank_csv
from transforms.feeds.common import FeedError, FeedFile, FileContext, detect_format, sniff_format
from transforms.feeds.crypto import read_crypto_csv, read_crypto_jsonl
from transforms.feeds.pacs008 import read_pacs008

Reader = Callable[[str, FileContext], Iterator[Transaction | QuarantineRow]]

READERS: dict[str, Reader] = {
    "bank-csv": read_bank_csv,
    "pacs.008": read_pacs008,
    "crypto-csv": read_crypto_csv,
    "crypto-jsonl": read_crypto_jsonl,
}

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
]


def read_feed(path: str, ctx: FileContext) -> Iterator[Transaction | QuarantineRow]:
    """Every record of one input file, read by the reader its format calls for.

    A generator: nothing is read until the first row is asked for. Raises FeedError
    ("unrecognised file type ...") when the format cannot be told, and
    whatever FeedError the reader raises. CSV and JSONL are streamed, so a FeedError can
    follow rows already yielded (a gzip stream cut short); pacs.008 fails before any row.
    """
    fmt, why = sniff_format(path)
    if fmt is None:
        raise FeedError(f"unrecognised file type {ctx.source_file or path!r}: {why}")
    yield from READERS[fmt](path, ctx)
