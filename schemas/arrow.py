"""Arrow schemas derived from the record types, for the Parquet files analysts load.

Derived once from the NamedTuple annotations and pinned by tests. `*_us` fields become UTC
timestamps without the suffix (`tx_timestamp_us` → `tx_timestamp`); the Hive partition
columns (`country`, `business_date`) are dictionary-encoded strings, as pyarrow infers them
from the folder names, so that a dataset read merges file and folder values.
"""

from __future__ import annotations

import typing
from typing import Any, NamedTuple, Optional, Sequence

import pyarrow as pa

from schemas.records import Alert, QuarantineRow

PARTITION_COLUMNS = ("country", "business_date")
_DICT_STRING = pa.dictionary(pa.int32(), pa.string())
_SCALARS: dict[Any, pa.DataType] = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}


def _arrow_type(name: str, hint: Any) -> pa.DataType:
    if name in PARTITION_COLUMNS:
        return _DICT_STRING
    if name.endswith("_us"):
        return pa.timestamp("us", tz="UTC")
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    base = args[0] if typing.get_origin(hint) is typing.Union and len(args) == 1 else hint
    if base not in _SCALARS:
        raise TypeError(f"field {name}: no Arrow mapping for {hint!r}")
    return _SCALARS[base]


def column_name(field: str) -> str:
    return field[: -len("_us")] if field.endswith("_us") else field


def arrow_schema(record: type, extra: Sequence[tuple[str, Any]] = ()) -> pa.Schema:
    """Arrow schema of a NamedTuple record type (plus extra (name, hint) fields)."""
    hints = typing.get_type_hints(record)
    fields = [(name, hints[name]) for name in record._fields] + list(extra)  # type: ignore[attr-defined]
    return pa.schema([pa.field(column_name(n), _arrow_type(n, h), nullable=True) for n, h in fields])


def to_table(rows: Sequence[NamedTuple], record: type, schema: pa.Schema, extra: Optional[dict[str, Any]] = None) -> pa.Table:
    """Rows of `record` (plus constant extra columns) as a table of exactly `schema`."""
    columns: dict[str, list[Any]] = {column_name(f): [getattr(r, f) for r in rows] for f in record._fields}  # type: ignore[attr-defined]
    for name, value in (extra or {}).items():
        columns[name] = [value] * len(rows)
    arrays = []
    for field in schema:
        values = columns[field.name]
        if pa.types.is_dictionary(field.type):
            arrays.append(pa.array(values, type=pa.string()).dictionary_encode().cast(field.type))
        else:
            arrays.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


ALERT_SCHEMA = arrow_schema(Alert)
QUARANTINE_SCHEMA = arrow_schema(QuarantineRow, extra=[("run_id", str), ("pipeline_version", str)])
