"""ReadFeeds: input files → validated Transaction rows, quarantine rows and per-file reconciliation.

One file is one element. `parse_file` reads every row of it, validates the parsed rows in
one frame with the file's great-expectations suite (`transforms.validate`), and yields the
rows that pass as Transactions, the others as QuarantineRows naming every failing
expectation (with the row's original text, read again for those rows only), then the file's
FileStats (rows read = rows screened + rows quarantined). A file that cannot be read as a
whole, or breaks off, adds one QuarantineRow with source_row 0 and fails: the run goes on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, Optional, Union

import apache_beam as beam
from apache_beam import pvalue

from schemas.expectations import DateWindow, profile_for
from schemas.records import FileStats, QuarantineRow, Transaction
from transforms import gc_policy
from transforms.feeds import FeedError, FeedFile, read_feed
from transforms.feeds.common import iter_csv, sniff_format, text_lines
from transforms.feeds.dialects import find_dialect
from transforms.feeds.pacs008 import serialise, walk_transactions
from transforms.packing import BLOCK_SIZE, pack_transactions
from transforms.reports import file_report, write_report
from transforms.validate import validate_rows

QUARANTINE = "quarantine"
STATS = "stats"
MAX_RAW_CHARS = 10_000  # cap on the raw text kept for a quarantined record
Record = Union[Transaction, QuarantineRow, FileStats]


class ReadResult(NamedTuple):
    blocks: beam.PCollection  # the transactions to screen, as packed blocks (transforms.packing)
    quarantine: beam.PCollection
    stats: beam.PCollection


class FileRows(NamedTuple):
    """One file's rows as read, before validation; networks[i] goes with transactions[i]."""

    file_format: str
    transactions: list[Transaction]
    networks: list[Optional[str]]  # the crypto feed's network column (Transaction has no field for it)
    quarantined: list[QuarantineRow]  # rows the reader itself rejected
    error: Optional[str]  # why the file (or its rest) could not be read


def capped(raw: str) -> str:
    """Raw text cut to MAX_RAW_CHARS, saying how much was cut."""
    return raw if len(raw) <= MAX_RAW_CHARS else f"{raw[:MAX_RAW_CHARS]}…[cut: {len(raw)} characters in all]"


def source_texts(fmt: str, feed: FeedFile) -> Iterator[tuple[int, str]]:
    """(source_row, original text) of each row of a CSV or JSON-lines feed, numbered as the
    readers number them (non-blank rows); nothing for other formats, whose quarantined rows
    get their text another way (`_xml_texts`, else the parsed record)."""
    if fmt in ("bank-csv", "crypto-csv"):
        dialect = find_dialect(feed.path, feed.context)
        options: dict[str, Any] = {} if dialect is None else {
            "encoding": dialect.encoding, "delimiter": dialect.delimiter, "rename": dialect.rename}
        for record in iter_csv(feed.path, (), **options):
            yield record.row, record.raw
    elif fmt == "crypto-jsonl" or (fmt == "ivms101" and not feed.path.lower().removesuffix(".gz").endswith(".json")):
        row = 0
        for line in text_lines(feed.path):
            raw = line.rstrip("\r\n")
            if raw.strip():
                row += 1
                yield row, raw


def read_rows(feed: FeedFile) -> FileRows:
    """Every row of one file, as the reader gives it, with the network of each crypto row
    (the reader gives it beside the rows); the original text is fetched later, and only for
    the rows that fail validation (`_row_texts`)."""
    fmt = sniff_format(feed.path)[0] or "unknown"
    rows = FileRows(fmt, [], [], [], None)
    networks: list[Optional[str]] = []
    try:
        for record in read_feed(feed.path, feed.context, networks=networks):
            if isinstance(record, QuarantineRow):
                rows.quarantined.append(record._replace(raw_record=capped(record.raw_record)))
            else:
                rows.transactions.append(record)
    except Exception as exc:  # noqa: BLE001 - a file that cannot be read fails alone, never the run
        rows = rows._replace(error=str(exc) if isinstance(exc, FeedError) else f"{type(exc).__name__}: {exc}")
    rows.networks.extend(networks + [None] * (len(rows.transactions) - len(networks)))  # non-crypto feeds: none
    return rows


def _row_texts(fmt: str, feed: FeedFile, rows: set[int]) -> dict[int, str]:
    """The original text of the given source rows (read again, on demand)."""
    if not rows:
        return {}
    if fmt == "pacs.008":
        return _xml_texts(fmt, feed.path, rows)
    out: dict[int, str] = {}
    try:
        for row, raw in source_texts(fmt, feed):
            if row in rows:
                out[row] = raw
                if len(out) == len(rows):
                    break
    except Exception:  # noqa: BLE001 - a file that breaks off (as its reader found): the rows before it stand
        pass
    return out


def _xml_texts(fmt: str, path: str, positions: set[int]) -> dict[int, str]:
    """The CdtTrfTxInf at each position of a pacs.008 file, as text (read again, on demand,
    as a stream: only the wanted transactions are serialised)."""
    if fmt != "pacs.008" or not positions:
        return {}

    def text(position: int, tx: Any, _header: object) -> Optional[str]:
        return serialise(tx) if position in positions else None

    found = walk_transactions(path, text)
    return {position: raw for position, raw in found if raw is not None}


def _raw_text(tx: Transaction) -> str:
    """A parsed record as text, for formats whose original row text is not kept."""
    return "parsed: " + json.dumps(tx._asdict(), ensure_ascii=False, default=str)


def parse_file(feed: FeedFile, window: DateWindow = DateWindow(), reports_dir: Optional[str] = None) -> Iterator[Record]:
    """Every row of a file as a Transaction or QuarantineRow, then the file's FileStats.

    With `reports_dir`, GX's validation result is also written there as JSON and HTML.
    """
    ctx = feed.context
    rows = read_rows(feed)
    profile = profile_for(rows.file_format, ctx.source_type)
    reasons: dict[int, list[str]] = {}
    result: Optional[dict[str, Any]] = None
    errors = [f"file could not be read: {rows.error}"] if rows.error else []
    if rows.transactions:
        try:
            validation = validate_rows(rows.transactions, rows.networks, profile, ctx.business_date, window)
            reasons, result = validation.reasons, validation.result
        except Exception as exc:  # noqa: BLE001 - fail closed: no row of this file is screened unchecked
            why = f"validation could not run: {type(exc).__name__}: {exc}"
            reasons = {i: [why] for i in range(len(rows.transactions))}
            errors.append(why)
    failed = {rows.transactions[i].source_row for i in reasons}
    try:
        texts = _row_texts(rows.file_format, feed, failed)
    except Exception:  # noqa: BLE001 - the parsed record stands in for the text
        texts = {}
    quarantined = list(rows.quarantined)
    screened = 0
    for i, tx in enumerate(rows.transactions):
        if i not in reasons:
            screened += 1
            yield tx
            continue
        raw = texts.get(tx.source_row) or _raw_text(tx)
        quarantined.append(QuarantineRow(*ctx, tx.source_row, capped(raw), "; ".join(reasons[i])))
    yield from quarantined
    error = "; ".join(errors) or None
    stats = FileStats(ctx.country, ctx.source_file, rows.file_format, screened + len(quarantined), screened,
                      len(quarantined), "failed" if error else "ok", error)  # fmt: skip
    if error:
        yield QuarantineRow(*ctx, 0, "", error)
    yield stats
    if reports_dir is not None:
        info = {**stats._asdict(), "business_date": ctx.business_date, "profile": profile.name,
                "window_days": list(window)}  # fmt: skip
        write_report(reports_dir, file_report(info, result))


class _ParseFileFn(beam.DoFn):
    def __init__(self, window: DateWindow, reports_dir: Optional[str]) -> None:
        self._window = window
        self._reports_dir = reports_dir

    def setup(self) -> None:
        gc_policy.relax()

    def process(self, feed: FeedFile):  # type: ignore[override]
        block: list[Transaction] = []
        with gc_policy.paused():
            for item in parse_file(feed, self._window, self._reports_dir):
                if isinstance(item, Transaction):
                    block.append(item)
                    if len(block) >= BLOCK_SIZE:
                        yield pack_transactions(block)
                        block = []
                elif isinstance(item, QuarantineRow):
                    yield pvalue.TaggedOutput(QUARANTINE, item)
                else:
                    yield pvalue.TaggedOutput(STATS, item)
            if block:
                yield pack_transactions(block)
        gc_policy.give_back()  # the file's rows, frame and validation result are garbage now


def spread_files(files: Sequence[FeedFile], lanes: int) -> list[tuple[int, FeedFile]]:
    """(lane, file) with the files spread over `lanes` by size: the largest first, each to the
    least-loaded lane, so the lanes (one per worker) finish at about the same time."""
    sizes = {f: os.path.getsize(f.path) if os.path.isfile(f.path) else 0 for f in files}
    load = [0] * max(1, lanes)
    out = []
    for f in sorted(files, key=lambda f: (-sizes[f], f)):
        lane = min(range(len(load)), key=lambda i: (load[i], i))
        load[lane] += sizes[f]
        out.append((lane, f))
    return sorted(out)


class ReadFeeds(beam.PTransform):
    """Parse and validate the given files in parallel, in `lanes` groups of about equal size.

    The transactions come out in packed blocks of up to BLOCK_SIZE (one Beam element each):
    the runner's per-element cost is paid per block (`UnpackBlocks` gives single rows).
    `lanes`: how many groups the files are read in (one per worker; default one per file).
    `window`: how many days a transaction date may lie before / after the business date.
    `reports_dir`: where to write each file's validation report (None: write none).
    """

    def __init__(self, files: Sequence[FeedFile], reports_dir: Optional[str] = None,
                 window: DateWindow = DateWindow(), lanes: Optional[int] = None) -> None:  # fmt: skip
        super().__init__()
        if window.days_before < 0 or window.days_after < 0:
            raise ValueError(f"the date window must not be negative, got {window}")
        if lanes is not None and lanes < 1:
            raise ValueError(f"lanes must be at least 1, got {lanes}")
        self._files = sorted(files)
        self._reports_dir = reports_dir
        self._window = DateWindow(*window)
        self._lanes = lanes or max(1, len(self._files))

    def expand(self, pbegin):
        # A GroupByKey on the lane, not a Reshuffle: the DirectRunner hands each worker whole
        # keys, and random keys once left one of two workers idle while the other read every file.
        parsed = (
            pbegin
            | "ListFiles" >> beam.Create(spread_files(self._files, self._lanes), reshuffle=False)
            | "SpreadFiles" >> beam.GroupByKey()
            | "LaneFiles" >> beam.FlatMap(lambda lane: sorted(lane[1]))
            | "ParseFiles" >> beam.ParDo(_ParseFileFn(self._window, self._reports_dir)).with_outputs(
                QUARANTINE, STATS, main="tx")
        )  # fmt: skip
        return ReadResult(parsed.tx, parsed[QUARANTINE], parsed[STATS])
