"""The Parquet schemas analysts rely on are pinned here: a change must be deliberate."""

import pyarrow as pa

from schemas.arrow import ALERT_SCHEMA, QUARANTINE_SCHEMA, to_table
from schemas.records import Alert

D = pa.dictionary(pa.int32(), pa.string())
S, INT, F = pa.string(), pa.int64(), pa.float64()
TS = pa.timestamp("us", tz="UTC")

PINNED_ALERT = [
    ("alert_id", S), ("business_date", D), ("country", D), ("fiu", S), ("source_type", S), ("source_file", S),
    ("source_row", INT), ("tx_id", S), ("tx_timestamp", TS), ("amount", F), ("currency", S), ("party_role", S),
    ("party_name", S), ("party_identifier", S), ("entry_id", S), ("list_source", S), ("matched_name", S),
    ("entity_type", S), ("match_type", S), ("score", F), ("explanation", S), ("watchlist_version", S),
    ("pipeline_version", S), ("run_id", S), ("lookback", pa.bool_()), ("status", S),
]  # fmt: skip
PINNED_QUARANTINE = [("country", D), ("business_date", D), ("source_type", S), ("source_file", S),
                     ("source_row", INT), ("raw_record", S), ("reason", S), ("run_id", S), ("pipeline_version", S)]  # fmt: skip


def test_alert_schema_is_pinned():
    assert [(f.name, f.type) for f in ALERT_SCHEMA] == PINNED_ALERT
    assert not ALERT_SCHEMA.metadata


def test_quarantine_schema_is_pinned():
    assert [(f.name, f.type) for f in QUARANTINE_SCHEMA] == PINNED_QUARANTINE


def test_to_table_maps_micros_to_utc_timestamps():
    alert = Alert(*(["x"] * (len(Alert._fields) - 2)))._replace(
        source_row=3, tx_timestamp_us=1_795_910_400_000_000, amount=1.5, score=99.0, country="NL", business_date="2026-11-27")
    table = to_table([alert], Alert, ALERT_SCHEMA)
    assert table.schema == ALERT_SCHEMA
    assert str(table.column("tx_timestamp")[0]) == "2026-11-29 00:00:00+00:00"
    assert table.column("country").to_pylist() == ["NL"]
    assert table.column("lookback").to_pylist() == [False] and table.column("status").to_pylist() == ["open"]
