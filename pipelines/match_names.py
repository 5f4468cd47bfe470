"""`fiu-screen match-names`: screen a CSV of names with the pipeline's own matcher."""

from __future__ import annotations

import csv
import os
from typing import Any, Sequence, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from watchlists.matcher import Matcher, best_per_entry
from watchlists.spec import Watchlist

OUTPUT_COLUMNS = ["query_id", "query_name", "entry_id", "matched_name", "list_source", "entity_type",
                  "match_type", "score", "explanation"]  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def read_queries(path: str) -> list[dict[str, str]]:
    """Rows with query_id and name (country and entity_type optional, carried along)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = {"query_id", "name"} - set(header)
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}; need query_id, name")
        reader.fieldnames = header
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def match_rows(matcher: Matcher, queries: Sequence[dict[str, str]], batch: int = 2048) -> list[dict[str, Any]]:
    """One output row per query × entry that fired, queries in input order, best first."""
    out: list[dict[str, Any]] = []
    for start in range(0, len(queries), batch):
        chunk = queries[start : start + batch]
        countries = [q.get("country") or None for q in chunk]
        types = [q.get("entity_type") or None for q in chunk]
        for query, hits in zip(chunk, matcher.match_names([q["name"] for q in chunk], countries, types)):
            for m in best_per_entry(hits):
                out.append({"query_id": query["query_id"], "query_name": query["name"], "entry_id": m.entry_id,
                            "matched_name": m.matched_name, "list_source": m.list_source,
                            "entity_type": m.entity_type, "match_type": m.match_type, "score": m.score,
                            "explanation": m.explanation})  # fmt: skip
    return out


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (a leading quote keeps the text)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_rows(rows: list[dict[str, Any]], path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if path.endswith(".parquet"):
        columns = {c: [r[c] for r in rows] for c in OUTPUT_COLUMNS}
        types = {c: (pa.float64() if c == "score" else pa.string()) for c in OUTPUT_COLUMNS}
        table = pa.table({c: pa.array(v, type=types[c]) for c, v in columns.items()})
        pq.write_table(table, path, compression="zstd")
        return
    with open(path, "w", newline="", encoding="utf-8") as f:
        _write_csv(rows, f)


def _write_csv(rows: list[dict[str, Any]], f: TextIO) -> None:
    writer = csv.DictWriter(f, fieldnames=OUTPUT_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_safe(v) for k, v in row.items()})


def run_match_names(lists: Sequence[Watchlist], input_path: str, output_path: str, threshold: float) -> int:
    """Screen the names and write the matches; returns the number of output rows."""
    matcher = Matcher(lists, threshold=threshold, workers=-1)
    rows = match_rows(matcher, read_queries(input_path))
    write_rows(rows, output_path)
    return len(rows)
