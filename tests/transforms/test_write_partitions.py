"""WritePartitions: rows from many bundles → one sorted Parquet file per country, none lost."""

import base64
import os
import random

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
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


SLICED_WRITE = """
import json, sys
import pyarrow as pa, pyarrow.parquet as pq
from transforms.write import ROW_GROUP_ROWS, write_table
n = 6 * ROW_GROUP_ROWS - 100
table = pa.table({"n": pa.array(range(n), pa.int64()), "text": pa.array([f"row {i:08d} " * 8 for i in range(n)])})
order = pa.array(range(n - 1, -1, -1), pa.int64())
pool = pa.default_memory_pool()
before = pool.bytes_allocated()
write_table(sys.argv[1], table, order=order)
print(json.dumps({"table": table.nbytes, "extra": pool.max_memory() - before}))
"""


def test_a_partition_is_written_in_order_a_row_group_at_a_time_without_a_sorted_copy(tmp_path):
    import json
    import subprocess
    import sys

    from transforms.write import ROW_GROUP_ROWS

    path = str(tmp_path / "part.parquet")
    out = subprocess.run([sys.executable, "-c", SLICED_WRITE, path], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))  # fmt: skip
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    written = pq.ParquetFile(path)
    assert written.metadata.num_row_groups == 6
    numbers = written.read().column("n").to_pylist()
    assert numbers == list(range(6 * ROW_GROUP_ROWS - 101, -1, -1))
    assert seen["extra"] < 0.75 * seen["table"], seen  # taking a sorted copy first, then writing: 1.7×


@pytest.mark.parametrize("keys", [None, {"BE": base64.b64encode(b"b" * 32).decode()}])
def test_staging_files_round_trip_plain_or_encrypted_with_the_country_key(tmp_path, keys):
    from transforms.write import read_staging, write_staging

    table = pa.table({"name": ["Noordzee Bulk", None, ""], "row": [1, 2, 3]})
    path = write_staging(str(tmp_path), keys, "BE", "block-1", table)
    assert os.path.dirname(path) == str(tmp_path / "country=BE")
    assert [p.name for p in (tmp_path / "country=BE").iterdir()] == [os.path.basename(path)]  # no temporary left
    assert read_staging(path, keys).equals(table)
    if keys:
        with pytest.raises(OSError):  # encrypted: no key, no rows
            pq.read_table(path)
