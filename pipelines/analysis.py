"""Loading a run's output for analysis: alerts and quarantine as typed pandas frames, manifests.

```python
from pipelines.analysis import load_alerts
alerts = load_alerts("demo/output", "NL", "2026-11-01", "2026-11-30")
```

Reads every `part-*.parquet` of the partitions in range (the nightly file and any lookback
files of `fiu-screen rescreen`), files written before the 0.2.0 columns included.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
from typing import Any, Iterable, Optional, Sequence, Union

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from schemas.arrow import ALERT_SCHEMA, QUARANTINE_SCHEMA
from schemas.lookback import party_key

DateLike = Union[str, dt.date, None]
ALERT_CATEGORIES = ("country", "fiu", "source_type", "party_role", "list_source", "entity_type", "match_type", "status")
QUARANTINE_CATEGORIES = ("country", "source_type")
_DEFAULTS: dict[str, Any] = {"lookback": False, "status": "open"}


def _iso(value: DateLike) -> Optional[str]:
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return dt.date.fromisoformat(text).isoformat()  # ValueError on a bad date


def _countries(country: Union[str, Sequence[str], None]) -> Optional[set[str]]:
    if country is None:
        return None
    return {country} if isinstance(country, str) else set(country)


def partition_files(output_root: str, kind: str, country: Union[str, Sequence[str], None] = None,
                    start: DateLike = None, end: DateLike = None) -> list[str]:  # fmt: skip
    """Every Parquet file of `<output_root>/<kind>/country=*/business_date=*` in range, sorted."""
    first, last, wanted = _iso(start), _iso(end), _countries(country)
    out = []
    for folder in sorted(glob.glob(os.path.join(output_root, kind, "country=*", "business_date=*"))):
        cc = os.path.basename(os.path.dirname(folder)).split("=", 1)[1]
        day = os.path.basename(folder).split("=", 1)[1]
        if (wanted is None or cc in wanted) and (first is None or day >= first) and (last is None or day <= last):
            out += sorted(glob.glob(os.path.join(folder, "part-*.parquet")))
    return out


def _read(path: str, schema: pa.Schema) -> pa.Table:
    table = pq.read_table(path)
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:  # a file from before a column was added: its documented default
            columns.append(pa.array([_DEFAULTS.get(field.name)] * table.num_rows, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None  # pandas gives NaN for a missing string


def _frame(files: Iterable[str], schema: pa.Schema, categories: Sequence[str]) -> pd.DataFrame:
    plain = pa.schema([f.with_type(pa.string()) if pa.types.is_dictionary(f.type) else f for f in schema])
    tables = [_read(p, schema).cast(plain) for p in files]
    df = (pa.concat_tables(tables) if tables else plain.empty_table()).to_pandas()
    df["business_date"] = pd.to_datetime(df["business_date"], format="%Y-%m-%d")
    for name in categories:
        df[name] = df[name].astype("category")
    return df


def load_alerts(output_root: str, country: Union[str, Sequence[str], None] = None, start: DateLike = None,
                end: DateLike = None) -> pd.DataFrame:  # fmt: skip
    """Alerts of a country (or several, or all: None) for business dates start..end (inclusive).

    dtypes: `business_date` datetime64, `tx_timestamp` datetime64[us, UTC], `amount`/`score`
    float64, `source_row` int64, `lookback` bool, the code columns category, text str; plus
    `party_key`, the key a suppression file uses for the alert's party.
    """
    files = partition_files(output_root, "alerts", country, start, end)
    df = _frame(files, ALERT_SCHEMA, ALERT_CATEGORIES)
    df["lookback"] = df["lookback"].fillna(False).astype(bool)
    keys = [party_key(_text(n), _text(i)) for n, i in zip(df["party_name"], df["party_identifier"])]
    df["party_key"] = pd.Series(keys, index=df.index, dtype="str")
    return df


def load_quarantine(output_root: str, country: Union[str, Sequence[str], None] = None, start: DateLike = None,
                    end: DateLike = None) -> pd.DataFrame:  # fmt: skip
    """Quarantined rows (raw record and reason) for business dates start..end (inclusive)."""
    return _frame(partition_files(output_root, "quarantine", country, start, end), QUARANTINE_SCHEMA,
                  QUARANTINE_CATEGORIES)  # fmt: skip


def load_manifests(output_root: str, business_date: DateLike) -> list[dict[str, Any]]:
    """The manifests of one business date, in country order."""
    folder = os.path.join(output_root, "manifests", f"business_date={_iso(business_date)}")
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "country=*.json"))):
        with open(path, encoding="utf-8") as f:
            out.append(json.load(f))
    return out


def business_dates(output_root: str) -> list[str]:
    """Every business date that has manifests, oldest first."""
    folders = glob.glob(os.path.join(output_root, "manifests", "business_date=*"))
    return sorted(os.path.basename(f).split("=", 1)[1] for f in folders)
