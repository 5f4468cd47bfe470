"""WritePartitions: rows from many bundles → one sorted Parquet file per country, none lost."""

import os
import random

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.options.pipeline_options import PipelineOptions

from schemas.arrow import QUARANTINE_SCHEMA
from schemas.records import QuarantineRow
from transforms.write import PART_FILE, PartitionSpec, WritePartitions, partition_dir

DATE = "2026-11-27"
EXTRA = {"run_id": "run-1", "pipeline_version": "test"}


def _key(row):
    return (row.source_file, row.source_row)


def test_every_row_lands_once_in_its_countrys_sorted_file(tmp_path):
    rows = [QuarantineRow(cc, DATE, "bank", f"bank/{f}.csv", n, f"raw {cc} {f} {n}", "bad amount")
            for cc in ("NL", "BE") for f in ("a", "b") for n in range(1, 301)]  # fmt: skip
    random.Random(3).shuffle(rows)
    spec = PartitionSpec(str(tmp_path), "quarantine", DATE, QuarantineRow, QUARANTINE_SCHEMA, _key, EXTRA)
    # two workers: the rows arrive in several bundles, each sends its own block per country
    options = PipelineOptions(["--runner=DirectRunner", "--direct_running_mode=multi_threading",
                               "--direct_num_workers=2"])  # fmt: skip
    with beam.Pipeline(options=options) as p:
        p | beam.Create(rows) | beam.Reshuffle() | WritePartitions(spec)
    for cc in ("NL", "BE"):
        table = pq.read_table(os.path.join(partition_dir(str(tmp_path), "quarantine", cc, DATE), PART_FILE))
        got = list(zip(table.column("source_file").to_pylist(), table.column("source_row").to_pylist()))
        want = sorted(_key(r) for r in rows if r.country == cc)
        assert got == want
        assert set(table.column("run_id").to_pylist()) == {"run-1"}


def test_full_blocks_are_sent_on_and_every_row_still_lands_once_in_order(tmp_path, monkeypatch):
    """With a block limit of 7 rows a country's 600 rows cross the shuffle in many blocks (sent
    as they fill, not held to the end of the bundle); the file is the same sorted whole."""
    import transforms.write as write

    monkeypatch.setattr(write, "FLUSH_ROWS", 7)
    sent: list[int] = []
    original = write.pack_rows
    monkeypatch.setattr(write, "pack_rows", lambda rows: sent.append(len(rows)) or original(rows))
    rows = [QuarantineRow(cc, DATE, "bank", f"bank/{f}.csv", n, f"raw {cc} {f} {n}", "bad amount")
            for cc in ("NL", "BE") for f in ("a", "b") for n in range(1, 301)]  # fmt: skip
    random.Random(5).shuffle(rows)
    spec = PartitionSpec(str(tmp_path), "quarantine", DATE, QuarantineRow, QUARANTINE_SCHEMA, _key, EXTRA)
    with beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner"])) as p:
        p | beam.Create(rows) | WritePartitions(spec)
    assert max(sent) == 7 and sum(sent) == len(rows) and len(sent) >= len(rows) // 7
    for cc in ("NL", "BE"):
        table = pq.read_table(os.path.join(partition_dir(str(tmp_path), "quarantine", cc, DATE), PART_FILE))
        got = list(zip(table.column("source_file").to_pylist(), table.column("source_row").to_pylist()))
        assert got == sorted(_key(r) for r in rows if r.country == cc)
        assert table.column("raw_record").to_pylist() == [f"raw {cc} {f[5]} {n}" for f, n in got]
