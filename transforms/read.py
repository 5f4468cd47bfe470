"""ReadFeeds: input files → Transaction rows, quarantine rows and per-file reconciliation."""

from __future__ import annotations

from typing import Iterator, NamedTuple, Sequence, Union

import apache_beam as beam
from apache_beam import pvalue

from schemas.records import FileStats, QuarantineRow, Transaction
from transforms.feeds import FeedError, FeedFile, detect_format, read_feed

QUARANTINE = "quarantine"
STATS = "stats"
MAX_RAW_CHARS = 10_000  # cap on the raw text kept for a quarantined record


class ReadResult(NamedTuple):
    transactions: beam.PCollection
    quarantine: beam.PCollection
    stats: beam.PCollection


def parse_file(feed: FeedFile) -> Iterator[Union[Transaction, QuarantineRow, FileStats]]:
    """Every row of a file as a Transaction or QuarantineRow, then the file's FileStats.

    A file that cannot be read as a whole (bad gzip, not XML, missing header, …) yields one
    QuarantineRow with source_row 0 and a FileStats with status 'failed'.
    """
    ctx = feed.context
    fmt = detect_format(feed.path) or "unknown"
    screened = quarantined = 0
    try:
        for row in read_feed(feed.path, ctx):
            if isinstance(row, Transaction):
                screened += 1
            else:
                quarantined += 1
                row = row._replace(raw_record=row.raw_record[:MAX_RAW_CHARS])
            yield row
    except (FeedError, OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        reason = f"file could not be read: {exc}"
        yield QuarantineRow(ctx.country, ctx.business_date, ctx.source_type, ctx.source_file, 0, "", reason)
        yield FileStats(ctx.country, ctx.source_file, fmt, screened + quarantined, screened, quarantined,
                        "failed", reason)  # fmt: skip
        return
    yield FileStats(ctx.country, ctx.source_file, fmt, screened + quarantined, screened, quarantined, "ok")


class _ParseFileFn(beam.DoFn):
    def process(self, feed: FeedFile):  # type: ignore[override]
        for item in parse_file(feed):
            if isinstance(item, Transaction):
                yield item
            elif isinstance(item, QuarantineRow):
                yield pvalue.TaggedOutput(QUARANTINE, item)
            else:
                yield pvalue.TaggedOutput(STATS, item)


class ReadFeeds(beam.PTransform):
    """Parse the given files in parallel (one file per element)."""

    def __init__(self, files: Sequence[FeedFile]) -> None:
        super().__init__()
        self._files = sorted(files)

    def expand(self, pbegin):
        parsed = (
            pbegin
            | "ListFiles" >> beam.Create(self._files)
            | "SpreadFiles" >> beam.Reshuffle()
            | "ParseFiles" >> beam.ParDo(_ParseFileFn()).with_outputs(QUARANTINE, STATS, main="tx")
        )
        return ReadResult(parsed.tx, parsed[QUARANTINE], parsed[STATS])
