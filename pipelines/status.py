"""`fiu-screen status`: each country's manifest status for one business date, for people and schedulers.

Exit code 0 when every expected country has a manifest with status "ok", 3 when one is
partial, failed or missing (never run), so `fiu-screen status ... || alert-ops` works in cron.
"""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence, TextIO

from pipelines.analysis import load_manifests
from schemas.countries import DEFAULT_COUNTRIES, fiu_for

EXIT_OK, EXIT_NOT_OK = 0, 3


def status_rows(output_root: str, business_date: str, countries: Optional[Sequence[str]] = None) -> list[dict[str, Any]]:
    """One row per expected country (the six, those asked for, and any with a manifest)."""
    manifests = {m["country"]: m for m in load_manifests(output_root, business_date)}
    expected = list(countries or DEFAULT_COUNTRIES)
    wanted = expected + ([] if countries else sorted(set(manifests) - set(expected)))
    rows = []
    for cc in wanted:
        m = manifests.get(cc)
        if m is None:
            rows.append({"country": cc, "fiu": fiu_for(cc), "business_date": business_date, "status": "missing"})
            continue
        totals = m.get("totals", {})
        lookback = m.get("lookback", [])
        rows.append({
            "country": cc, "fiu": m.get("fiu", fiu_for(cc)), "business_date": business_date, "status": m["status"],
            "run_id": m.get("run_id"), "files": len(m.get("files", [])), "files_failed": totals.get("files_failed", 0),
            "rows_read": totals.get("rows_read", 0), "rows_quarantined": totals.get("rows_quarantined", 0),
            "alerts": totals.get("alerts", 0), "alerts_suppressed": totals.get("alerts_suppressed", 0),
            "lookback_alerts": sum(r.get("alerts", 0) for r in lookback), "rescreens": len(lookback),
            "finished_at": m.get("finished_at"),
        })  # fmt: skip
    return rows


def print_status(rows: Sequence[dict[str, Any]], out: TextIO, as_json: bool = False) -> int:
    if as_json:
        for row in rows:
            print(json.dumps(row, sort_keys=True), file=out)
    else:
        head = (f"{'country':<8}{'fiu':<10}{'status':<9}{'files':>6}{'failed':>7}{'rows read':>11}{'quarant.':>10}"
                f"{'alerts':>8}{'suppr.':>8}{'lookback':>9}  finished")  # fmt: skip
        print(head, file=out)
        print("-" * len(head), file=out)
        for r in rows:
            if r["status"] == "missing":
                print(f"{r['country']:<8}{r['fiu']:<10}{'missing':<9}  (no manifest: not run)", file=out)
                continue
            print(f"{r['country']:<8}{r['fiu']:<10}{r['status']:<9}{r['files']:>6}{r['files_failed']:>7}"
                  f"{r['rows_read']:>11}{r['rows_quarantined']:>10}{r['alerts']:>8}{r['alerts_suppressed']:>8}"
                  f"{r['lookback_alerts']:>9}  {r['finished_at'] or ''}", file=out)  # fmt: skip
    return EXIT_OK if rows and all(r["status"] == "ok" for r in rows) else EXIT_NOT_OK
