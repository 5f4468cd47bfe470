"""The run report: `<output-root>/reports/business_date=D/index.html`, one static page per date.

Built from what the run wrote (manifests, alerts, quarantine), so it can be rebuilt at any time:
reconciliation per country and file, alerts per country / list / match type, a score
histogram, the top matched entities, quarantine reasons, list versions, re-screens and timings.
No script, no external asset (a Content-Security-Policy forbids both), plots as PNG data URIs,
every text from the data HTML-escaped and defused for spreadsheets (pipelines.textsafe).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, Iterable, Optional, Sequence

import pandas as pd

from pipelines.analysis import load_alerts, load_manifests, load_quarantine
from pipelines.report_charts import alerts_by_country_chart, score_histogram
from pipelines.textsafe import html_text
from schemas.countries import DEFAULT_COUNTRIES, fiu_for

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1180px;
color:#1d232a;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #d8dee4;padding-bottom:4px}
.meta{color:#57606a;font-size:13px}table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #d8dee4;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f5f7}
td.n{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#1a7f37;font-weight:600}
.partial{color:#9a6700;font-weight:600}.failed,.bad,.missing{color:#cf222e;font-weight:600}
img{max-width:100%;height:auto}.charts{display:flex;flex-wrap:wrap;gap:16px}
"""
TOP_ENTITIES = 20


def report_path(output_root: str, business_date: str) -> str:
    return os.path.join(output_root, "reports", f"business_date={business_date}", "index.html")


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int):
        return f'<td class="n">{value:,}</td>'
    if isinstance(value, float):
        return f'<td class="n">{value:,.3f}</td>' if value % 1 else f'<td class="n">{int(value):,}</td>'
    return f"<td>{html_text(value)}</td>"


def _status_cell(status: str) -> str:
    return f'<td class="{html_text(status.split()[0])}">{html_text(status)}</td>'


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], status_col: Optional[int] = None) -> str:
    """An HTML table; every cell escaped (numbers right-aligned), an optional status column coloured."""
    head = "".join(f"<th>{html_text(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = [_status_cell(str(v)) if i == status_col else _cell(v) for i, v in enumerate(row)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}">none</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _alert_counts(alerts: pd.DataFrame, country: str) -> tuple[int, int, int]:
    """(open nightly alerts, suppressed, lookback) of one country."""
    if not len(alerts):
        return 0, 0, 0
    mine = alerts[alerts["country"] == country]
    return (int(((mine["status"] == "open") & ~mine["lookback"]).sum()), int((mine["status"] == "suppressed").sum()),
            int(mine["lookback"].sum()))  # fmt: skip


def overview(manifests: Sequence[dict[str, Any]], alerts: pd.DataFrame) -> str:
    by_country = {m["country"]: m for m in manifests}
    countries = list(DEFAULT_COUNTRIES) + sorted(set(by_country) - set(DEFAULT_COUNTRIES))
    rows = []
    for cc in countries:
        m = by_country.get(cc)
        if m is None:
            rows.append([cc, fiu_for(cc), "missing (not run)", 0, 0, 0, 0, 0, 0, 0, "-"])
            continue
        t = m["totals"]
        reconciled = all(f["rows_read"] == f["rows_screened"] + f["rows_quarantined"] for f in m["files"])
        rows.append([cc, m["fiu"], m["status"], len(m["files"]), t["rows_read"], t["rows_screened"],
                     t["rows_quarantined"], *_alert_counts(alerts, cc), "yes" if reconciled else "NO"])  # fmt: skip
    return table(["country", "FIU", "status", "files", "rows read", "screened", "quarantined", "alerts (open)",
                  "suppressed", "lookback", "read = screened + quarantined"], rows, status_col=2)  # fmt: skip


def reconciliation(manifests: Sequence[dict[str, Any]]) -> str:
    rows = []
    for m in manifests:
        for f in m["files"]:
            balanced = f["rows_read"] == f["rows_screened"] + f["rows_quarantined"]
            rows.append([m["country"], f["path"], f.get("format", ""), f["rows_read"], f["rows_screened"],
                         f["rows_quarantined"], f["status"], "ok" if balanced else "bad", f.get("error", "")])  # fmt: skip
    return table(["country", "file", "format", "rows read", "screened", "quarantined", "status", "check", "error"],
                 rows, status_col=6)  # fmt: skip


def alerts_breakdown(alerts: pd.DataFrame) -> str:
    """Alerts per country (rows) and list / match type (columns)."""
    if not len(alerts):
        return table(["country", "alerts"], [])
    pivot = alerts.pivot_table(index="country", columns=["list_source", "match_type"], values="alert_id",
                               aggfunc="count", fill_value=0, observed=True)  # fmt: skip
    headers = ["country"] + [f"{source} / {match}" for source, match in pivot.columns] + ["total"]
    rows = [[cc] + [int(v) for v in pivot.loc[cc]] + [int(pivot.loc[cc].sum())] for cc in pivot.index]
    return table(headers, rows)


def top_entities(alerts: pd.DataFrame, limit: int = TOP_ENTITIES) -> str:
    headers = ["list", "entry", "listed name", "type", "alerts", "countries", "best score", "match types"]
    if not len(alerts):
        return table(headers, [])
    # counted and ranked for every entry at once; described (name, countries, ...) only for the
    # `limit` shown: a 1M-row run has ~5,400 entries, and describing each took ~6 s
    groups = alerts.groupby(["list_source", "entry_id"], observed=True)
    ranked = sorted(zip(groups.size().items(), groups["score"].max().tolist()),
                    key=lambda r: (-r[0][1], -r[1], str(r[0][0][0]), str(r[0][0][1])))  # fmt: skip
    rows = []
    for ((source, entry), count), best in ranked[:limit]:
        g = groups.get_group((source, entry))
        names = g["matched_name"].dropna()
        rows.append([source, entry, names.mode().iloc[0] if len(names) else "",
                     str(g["entity_type"].iloc[0]), count, ", ".join(sorted(map(str, g["country"].unique()))),
                     float(best), ", ".join(sorted(map(str, g["match_type"].unique())))])  # fmt: skip
    return table(headers, rows)


def quarantine_reasons(quarantine: pd.DataFrame) -> str:
    counts: dict[tuple[str, str], int] = {}
    for cc, reason in zip(quarantine["country"].astype(str), quarantine["reason"].fillna("")):
        for part in str(reason).split("; "):
            key = (cc, part if len(part) <= 160 else part[:157] + "...")
            counts[key] = counts.get(key, 0) + 1
    rows = sorted(([cc, reason, n] for (cc, reason), n in counts.items()), key=lambda r: (r[0], -r[2], r[1]))
    return table(["country", "reason", "rows"], rows)


def list_versions(manifests: Sequence[dict[str, Any]]) -> str:
    seen: dict[tuple[str, str], list[Any]] = {}
    for m in manifests:
        for wl in m.get("watchlists", []):
            row = seen.setdefault((wl["spec"], wl["version"]), [wl["spec"], wl.get("format", ""), wl["version"],
                                                                 wl.get("entries", 0), []])  # fmt: skip
            row[4].append(m["country"])
    rows = [r[:4] + [", ".join(r[4])] for r in seen.values()]
    return table(["spec", "format", "version (SHA-256)", "entries", "countries"], rows)


def rescreens(manifests: Sequence[dict[str, Any]]) -> str:
    rows = []
    for m in manifests:
        for r in m.get("lookback", []):
            lists = ", ".join(f"{w['spec']} {w['version'][:12]}" for w in r.get("watchlists", []))
            rows.append([m["country"], r.get("rescreened_at", ""), lists, r.get("entries_screened", 0),
                         r.get("parties", 0), r.get("alerts", 0), r.get("alerts_suppressed", 0)])  # fmt: skip
    return table(["country", "re-screened at", "lists (new version)", "entries screened", "parties",
                  "lookback alerts", "suppressed"], rows)  # fmt: skip


def timings(manifests: Sequence[dict[str, Any]]) -> str:
    keys = sorted({k for m in manifests for k in m.get("timings_s", {})})
    rows = [[m["country"], m.get("run_id", "")] + [float(m.get("timings_s", {}).get(k, 0.0)) for k in keys]
            for m in manifests]  # fmt: skip
    return table(["country", "run id"] + [f"{k} (s)" for k in keys], rows)


def charts(alerts: pd.DataFrame, countries: Sequence[str]) -> str:
    if len(alerts):
        counts = alerts.groupby(["country", "list_source"], observed=True).size().unstack(fill_value=0)
        scores = {str(k): g["score"].tolist() for k, g in alerts.groupby("match_type", observed=True)}
    else:
        counts, scores = pd.DataFrame(), {}
    imgs = [(alerts_by_country_chart(counts, countries), "Bar chart of alerts per country, stacked by list"),
            (score_histogram(scores), "Histogram of alert scores by match type")]  # fmt: skip
    return '<div class="charts">' + "".join(f'<img src="{src}" alt="{html_text(alt)}">' for src, alt in imgs) + "</div>"


def render(business_date: str, manifests: Sequence[dict[str, Any]], alerts: pd.DataFrame,
           quarantine: pd.DataFrame) -> str:  # fmt: skip
    """The whole page as one string."""
    countries = list(DEFAULT_COUNTRIES) + sorted({m["country"] for m in manifests} - set(DEFAULT_COUNTRIES))
    runs = ", ".join(sorted({str(m.get("run_id", "")) for m in manifests})) or "none"
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        ("Countries", overview(manifests, alerts)),
        ("Alerts", charts(alerts, countries) + alerts_breakdown(alerts)),
        ("Top matched entities", top_entities(alerts)),
        ("Reconciliation per file", reconciliation(manifests)),
        ("Quarantine reasons", quarantine_reasons(quarantine)),
        ("List versions", list_versions(manifests)),
        ("Re-screens (lookback)", rescreens(manifests)),
        ("Timings", timings(manifests)),
    ]
    body = "".join(f"<h2>{html_text(title)}</h2>{content}" for title, content in sections)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>fiu-screen report {html_text(business_date)}</title><style>{STYLE}</style></head><body>"
            f"<h1>Screening run report: business date {html_text(business_date)}</h1>"
            f'<p class="meta">runs: {html_text(runs)} · generated {html_text(generated)} · '
            f"{len(manifests)} manifest(s), {len(alerts):,} alert(s), {len(quarantine):,} quarantined row(s)</p>"
            f"{body}</body></html>\n")  # fmt: skip


def build_report(output_root: str, business_date: str) -> str:
    """Write the report of one business date (atomically) and return its path."""
    manifests = load_manifests(output_root, business_date)
    alerts = load_alerts(output_root, None, business_date, business_date)
    quarantine = load_quarantine(output_root, None, business_date, business_date)
    page = render(business_date, manifests, alerts, quarantine)
    path = report_path(output_root, business_date)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, path)
    return path


if __name__ == "__main__":  # python -m pipelines.report OUTPUT_ROOT BUSINESS_DATE
    import sys

    print(build_report(sys.argv[1], sys.argv[2]))
