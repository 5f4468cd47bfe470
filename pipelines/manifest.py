"""Run manifests (one JSON per country and date), reconciliation and the printed summary."""

from __future__ import annotations

import csv
import os
from typing import Any, Optional, Sequence

import pyarrow.parquet as pq

from schemas.records import FileStats
from transforms.feeds import FeedFile
from transforms.write import PART_FILE, partition_dir
from watchlists.spec import Watchlist


def manifest_path(output_root: str, country: str, business_date: str) -> str:
    return os.path.join(output_root, "manifests", f"business_date={business_date}", f"country={country}.json")


def parquet_rows(folder: str) -> int:
    path = os.path.join(folder, PART_FILE)
    return pq.ParquetFile(path).metadata.num_rows if os.path.exists(path) else 0


def file_entries(files: Sequence[FeedFile], stats: dict[tuple[str, str], FileStats]) -> list[dict[str, Any]]:
    """Per-file reconciliation rows; a file with no stats at all was lost, which is fatal."""
    out = []
    for feed in files:
        key = (feed.context.country, feed.context.source_file)
        s = stats.get(key)
        if s is None:
            raise RuntimeError(f"reconciliation failed: no counts for {key[0]}/{key[1]} (file lost)")
        if s.rows_read != s.rows_screened + s.rows_quarantined:
            raise RuntimeError(
                f"reconciliation failed for {key[0]}/{key[1]}: read {s.rows_read} != screened "
                f"{s.rows_screened} + quarantined {s.rows_quarantined}"
            )
        entry = {"path": s.source_file, "format": s.file_format, "rows_read": s.rows_read,
                 "rows_screened": s.rows_screened, "rows_quarantined": s.rows_quarantined, "status": s.status}  # fmt: skip
        if s.error:
            entry["error"] = s.error
        out.append(entry)
    return out


def country_status(entries: Sequence[dict[str, Any]]) -> str:
    failed = sum(1 for e in entries if e["status"] != "ok")
    if failed == 0:
        return "ok"
    return "failed" if failed == len(entries) else "partial"


def build_manifest(country: str, fiu: str, business_date: str, run_id: str, pipeline_version: str,
                   threshold: float, lists: Sequence[Watchlist], entries: list[dict[str, Any]],
                   alerts: int, quarantined_rows: int, timings: dict[str, float],
                   extra: Optional[dict[str, Any]] = None) -> dict[str, Any]:  # fmt: skip
    totals = {
        "rows_read": sum(e["rows_read"] for e in entries),
        "rows_screened": sum(e["rows_screened"] for e in entries),
        "rows_quarantined": sum(e["rows_quarantined"] for e in entries),
        "files_failed": sum(1 for e in entries if e["status"] != "ok"),
        "quarantine_records": quarantined_rows,
        "alerts": alerts,
    }
    manifest = {
        "country": country, "fiu": fiu, "business_date": business_date, "run_id": run_id,
        "status": country_status(entries), "pipeline_version": pipeline_version, "threshold": threshold,
        "watchlists": [{"spec": wl.spec, "format": wl.format, "version": wl.version, "entries": len(wl.entries)}
                       for wl in lists],
        "files": entries, "totals": totals, "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }  # fmt: skip
    manifest.update(extra or {})
    return manifest


def planted_recall(truth_path: str, output_root: str, business_date: str, countries: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Found / planted per kind, from a generator ground truth and the written alerts."""
    fired: set[tuple[str, str, str, str]] = set()
    for country in countries:
        folder = partition_dir(output_root, "alerts", country, business_date)
        path = os.path.join(folder, PART_FILE)
        if os.path.exists(path):
            table = pq.read_table(path, columns=["source_file", "tx_id", "entry_id"])
            for src, tx, entry in zip(*(table.column(i).to_pylist() for i in range(3))):
                fired.add((country, src, tx, entry))
    out: dict[str, tuple[int, int]] = {}
    with open(truth_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["country"] not in countries:
                continue
            found, total = out.get(row["kind"], (0, 0))
            hit = (row["country"], row["source_file"], row["tx_id"], row["entry_id"]) in fired
            out[row["kind"]] = (found + hit, total + 1)
    return out


def summary_table(manifests: Sequence[dict[str, Any]]) -> str:
    head = f"{'country':<8}{'fiu':<10}{'files':>6}{'rows read':>11}{'screened':>10}{'quarant.':>10}{'alerts':>8}  status"
    lines = [head, "-" * len(head)]
    for m in manifests:
        t = m["totals"]
        lines.append(f"{m['country']:<8}{m['fiu']:<10}{len(m['files']):>6}{t['rows_read']:>11}{t['rows_screened']:>10}"
                     f"{t['rows_quarantined']:>10}{t['alerts']:>8}  {m['status']}")  # fmt: skip
    return "\n".join(lines)
