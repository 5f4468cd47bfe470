"""The CSV export for the FIUs that do not take goAML (FR TRACFIN, IT UIF, ES SEPBLAC), or anyone.

One row per alert that is not suppressed, in the alert file order, with the columns of
`CSV_COLUMNS` (documented in docs/exports.md). UTF-8 with a byte-order mark (so spreadsheet
programs detect it), comma-separated, RFC 4180 quoting, `.` as decimal separator, timestamps as
ISO 8601 UTC. Every text cell is defused against formula injection (pipelines.textsafe).
"""

from __future__ import annotations

import csv
import os

import pandas as pd

from pipelines.goaml import open_alerts
from pipelines.textsafe import cell_text

CSV_COLUMNS = (
    "country", "fiu", "business_date", "alert_id", "lookback", "tx_id", "tx_timestamp", "amount", "currency",
    "source_type", "source_file", "source_row", "party_role", "party_name", "party_identifier", "list_source",
    "entry_id", "matched_name", "entity_type", "match_type", "score", "watchlist_version", "explanation", "run_id",
)  # fmt: skip


def _value(column: str, value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return ""
    if column == "tx_timestamp":
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")  # type: ignore[attr-defined]
    if column == "business_date":
        return value.strftime("%Y-%m-%d")  # type: ignore[attr-defined]
    if column == "lookback":
        return "true" if value else "false"
    if column in ("amount", "score"):
        return f"{float(value):.2f}" if column == "amount" else f"{float(value):.1f}"  # type: ignore[arg-type]
    if column == "source_row":
        return str(int(value))  # type: ignore[call-overload]
    return cell_text(value)


def export_csv(output_root: str, country: str, business_date: str, output: str) -> int:
    """Write the CSV (header only when there is nothing to report); returns the number of rows."""
    alerts = open_alerts(output_root, country, business_date)
    tmp = f"{output}.tmp-{os.getpid()}"
    with open(tmp, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for record in alerts.to_dict("records"):
            writer.writerow([_value(c, record[c]) for c in CSV_COLUMNS])
    os.replace(tmp, output)
    return len(alerts)
